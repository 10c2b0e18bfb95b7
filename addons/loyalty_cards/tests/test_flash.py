from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time

from .common import LoyaltyCase

GENERIC = "^This coupon code cannot be used.$"


class TestFlashOffers(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.store = Partner.create(
            {
                "name": "Southern Store",
                "is_company": True,
                "is_loyalty_store": True,
                # Far from any demo partner's coordinates.
                "partner_latitude": -45.0,
                "partner_longitude": 170.0,
            }
        )

        def customer(name, lat, lon, email=True):
            return Partner.create(
                {
                    "name": name,
                    "email": f"{name.lower()}@example.com" if email else False,
                    "partner_latitude": lat,
                    "partner_longitude": lon,
                }
            )

        cls.near = customer("Near", -44.25, 170.0)  # ~ 83 km
        cls.farther = customer("Farther", -43.5, 170.0, email=False)  # ~ 167 km
        cls.far = customer("Far", -35.5, 170.0)  # ~ 1,056 km
        cls.nowhere = customer("Nowhere", 0.0, 0.0)
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)
        cls.flash = cls.env["loyalty.program"].create(
            {
                "name": "Tea Time Flash",
                "program_type": "coupons",
                # Redeemed below without a member card.
                "coupon_bearer": True,
                "company_id": cls.company.id,
                "is_flash": True,
                "date_flash_start": cls.start,
                "date_flash_end": cls.start + timedelta(hours=3),
                "audience_store_id": cls.store.id,
                "audience_radius_km": 200,
                "reward_ids": [
                    Command.create(
                        {
                            "discount_mode": "percent",
                            "discount": 20,
                            "discount_applicability": "order",
                        }
                    )
                ],
            }
        )

    def cron(self):
        return self.env["loyalty.program"]._cron_flash_offers()

    def test_distance_in_sql(self):
        self.assertEqual(
            set(self.flash._audience_partner_ids()), {self.near.id, self.farther.id}
        )
        self.flash.audience_radius_km = 100
        self.assertEqual(self.flash._audience_partner_ids(), [self.near.id])
        self.flash.audience_radius_km = 2000
        self.assertNotIn(self.nowhere.id, self.flash._audience_partner_ids())
        self.assertIn(self.far.id, self.flash._audience_partner_ids())

    def test_bad_configuration(self):
        with self.assertRaisesMessage(ValidationError, "type Coupons"):
            self.flash.copy({"program_type": "promotion"})
        with self.assertRaises(ValidationError):
            self.flash.copy({"date_flash_end": self.start - timedelta(minutes=1)})
        with self.assertRaisesMessage(ValidationError, "at most 168 hours"):
            self.flash.copy({"date_flash_end": self.start + timedelta(days=8)})
        with self.assertRaisesMessage(ValidationError, "radius"):
            self.flash.copy({"audience_radius_km": -5})
        no_coordinates = self.env["res.partner"].create(
            {"name": "Lost Store", "is_loyalty_store": True}
        )
        with self.assertRaisesMessage(ValidationError, "no coordinates"):
            self.flash.copy({"audience_store_id": no_coordinates.id})
        draft = self.flash.copy({"audience_store_id": False})
        with self.assertRaisesMessage(UserError, "Choose the audience"):
            draft.action_flash_schedule()

    def test_push_in_batches_then_expire(self):
        self.env["ir.config_parameter"].set_param("loyalty_cards.flash_batch_size", 1)
        self.flash.action_flash_schedule()
        self.assertEqual(self.flash.flash_state, "scheduled")
        self.assertEqual(self.cron(), (0, 0), "nothing before the start")
        self.assertFalse(self.flash.flash_batch_id)
        with freeze_time(self.start + timedelta(minutes=1)):
            self.assertEqual(self.cron(), (1, 1))
            self.assertEqual(self.flash.flash_state, "running")
            with self.assertRaisesMessage(UserError, "cannot change its times"):
                self.flash.date_flash_end = self.start + timedelta(hours=1)
            self.assertEqual(self.cron(), (1, 0))
            self.assertEqual(self.cron(), (0, 0), "nobody gets a second coupon")
            coupons = self.flash.flash_batch_id.coupon_ids
            self.assertEqual(coupons.partner_id, self.near | self.farther)
            mails = (
                self.env["mail.mail"]
                .sudo()
                .search([("model", "=", "loyalty.card"), ("res_id", "in", coupons.ids)])
            )
            self.assertEqual(len(mails), 1, "the farther customer has no email address")
            self.assertIn("Tea Time Flash", mails.subject)
            near_coupon = coupons.filtered(lambda c: c.partner_id == self.near)
            receipt = (
                self.env["loyalty.counter"]
                .with_user(self.cashier)
                .confirm(
                    {
                        "coupon_code": near_coupon.code,
                        "amount": 50,
                        "idempotency_key": self.key(),
                    }
                )
            )
            self.assertEqual(receipt["coupon_discount"], 10)
        farther_coupon = coupons.filtered(lambda c: c.partner_id == self.farther)
        with freeze_time(self.start + timedelta(hours=3, minutes=1)):
            # Even before the scheduled action runs, the window is over.
            with self.assertRaisesMessage(UserError, GENERIC):
                self.env["loyalty.counter"].with_user(self.cashier).confirm(
                    {
                        "coupon_code": farther_coupon.code,
                        "amount": 50,
                        "idempotency_key": self.key(),
                    }
                )
            self.cron()
            self.assertEqual(self.flash.flash_state, "expired")

    def test_end_now_and_cancel(self):
        self.flash.action_flash_schedule()
        self.flash.action_flash_cancel()
        self.assertEqual(self.flash.flash_state, "draft")
        self.flash.action_flash_schedule()
        with freeze_time(self.start + timedelta(minutes=5)):
            self.cron()
            self.flash.action_flash_end()
            self.assertEqual(self.flash.flash_state, "expired")
            coupon = self.flash.flash_batch_id.coupon_ids[:1]
            with self.assertRaisesMessage(UserError, GENERIC):
                self.env["loyalty.coupon"]._lookup(coupon.code)

    def test_filter_refused_by_the_database_is_refused_on_save(self):
        """A filter that compiles but that the database refuses (text for an
        id) is refused when saved, not discovered by the scheduled action."""
        for bad in ("[('id', '=', 'abc')]", "[('partner_latitude', '>', 'north')]"):
            with (
                self.subTest(domain=bad),
                self.assertRaisesMessage(ValidationError, "not a valid filter"),
            ):
                self.flash.audience_domain = bad
        self.assertEqual(self.flash.audience_domain, "[]")

    def test_one_failing_offer_does_not_stop_the_others(self):
        """An offer whose push fails (here its data went bad after it was
        scheduled) is logged and skipped: the other offers start and send."""
        broken = self.flash.copy(
            {
                "name": "Broken Flash",
                "date_flash_start": self.start - timedelta(minutes=30),
            }
        )
        for offer in (self.flash, broken):
            offer.action_flash_schedule()
        Program = type(self.env["loyalty.program"])
        original = Program._flash_push_batch

        def push(program):
            if program == broken:
                raise ValueError("bad data")
            return original(program)

        with (
            freeze_time(self.start + timedelta(minutes=1)),
            patch.object(Program, "_flash_push_batch", push),
            self.assertLogs(
                "odoo.addons.loyalty_cards.models.loyalty_program", "ERROR"
            ) as logs,
        ):
            self.cron()
        self.assertIn("Broken Flash", logs.output[0])
        self.assertEqual(self.flash.flash_state, "running")
        self.assertEqual(
            self.flash.flash_batch_id.coupon_ids.partner_id, self.near | self.farther
        )
        with freeze_time(self.start + timedelta(hours=4)):
            self.cron()
        self.assertEqual((self.flash | broken).mapped("flash_state"), ["expired"] * 2)
