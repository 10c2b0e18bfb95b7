from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from odoo.addons.loyalty_cards.models.loyalty_card_points_expiry import (
    LoyaltyCard as ExpiryCard,
)

from .common import LoyaltyCase

JOB_LOGGER = "odoo.addons.loyalty_cards.models.loyalty_program_points_expiry"


class PointsExpiryCase(LoyaltyCase):
    """The test programme with points valid 60 days, a reminder 14 days
    before, and day 0 well in the past (the class's own cards, created
    today, hold points that expire long after the days tested)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day0 = fields.Date.today() - timedelta(days=300)
        cls.program.write(
            {"points_validity_days": 60, "points_expiry_reminder_days": 14}
        )
        # As if expiry had been on since before day 0.
        cls.program.points_expiry_since = cls.day0 - timedelta(days=1)

    def day(self, n):
        return self.day0 + timedelta(days=n)

    def new_card(self, name, **partner_values):
        partner = self.env["res.partner"].create(
            {"name": name, "email": f"{name.lower()}@example.com", **partner_values}
        )
        return self.make_card(partner)

    def move(self, card, delta, day, kind=None):
        """A movement of points through the ledger, dated ``day`` (the ledger
        dates its rows by their creation: the test moves that back)."""
        kind = kind or ("earn" if delta > 0 else "redeem_points")
        self.Ledger._ledger_post(
            [
                {
                    "card": card.id,
                    "account": "points",
                    "delta": delta,
                    "kind": kind,
                    "description": "test",
                }
            ]
        )
        self.Ledger.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE loyalty_history SET create_date = %s
                 WHERE id = (SELECT MAX(id) FROM loyalty_history WHERE card_id = %s)
                """,
                fields.Datetime.to_datetime(self.day(day)) + timedelta(hours=10),
                card.id,
            )
        )
        self.env.invalidate_all()

    def expired_rows(self, card):
        return self.Ledger.search([("card_id", "=", card.id), ("kind", "=", "expired")])

    def run_job(self, day, batch_size=500):
        return self.env["loyalty.program"]._cron_points_expiry(
            today=self.day(day), batch_size=batch_size
        )


class TestPointsExpiry(PointsExpiryCase):
    def test_oldest_points_are_spent_first(self):
        card = self.new_card("Fifo")
        self.move(card, 100, 0)
        self.move(card, 50, 20)
        self.move(card, -120, 30)
        # Lots: 100 of day 0 (expire day 60), 50 of day 20 (expire day 80).
        # The 120 used took the 100 and 20 of the 50: 30 left, of day 20.
        self.assertEqual(
            card._points_expiry_schedule()[card.id], [(self.day(80), 30.0)]
        )
        self.run_job(61)
        self.assertFalse(self.expired_rows(card), "the day-0 lot was all used")
        self.assertEqual(card.points, 30)
        self.run_job(79)
        self.assertFalse(self.expired_rows(card))
        card = card.with_context(loyalty_expiry_today=self.day(79))
        self.assertEqual(card.points_expiry_date, self.day(80))
        self.assertEqual(card.points_expiring, 30)
        self.run_job(81)
        row = self.expired_rows(card)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.delta, -30)
        self.assertEqual(row.value_after, 0)
        self.assertEqual(row.idempotency_key, f"points-expiry:{card.id}:{self.day(81)}")
        self.assertEqual(row.ledger_description, "Points expired")
        self.assertEqual(card.points, 0)
        self.assertFalse(card._points_expiry_schedule())
        self.assertLedgerConsistent(card)

    def test_expiry_on_its_day_and_part_of_a_lot(self):
        card = self.new_card("Partial")
        self.move(card, 100, 0)
        self.move(card, 80, 10)
        self.move(card, -30, 15)
        # Day 60: 70 of the day-0 lot remain and expire; the 80 stay.
        self.run_job(59)
        self.assertFalse(self.expired_rows(card))
        self.run_job(60)
        self.assertEqual(self.expired_rows(card).delta, -70)
        self.assertEqual(card.points, 80)
        self.assertEqual(
            card._points_expiry_schedule()[card.id], [(self.day(70), 80.0)]
        )
        # Points earned after the expiry are a new lot, used after the 80.
        self.move(card, 40, 65)
        self.move(card, -100, 66)
        self.run_job(71)
        self.assertEqual(len(self.expired_rows(card)), 1, "the 80 were used")
        self.assertEqual(
            card._points_expiry_schedule()[card.id], [(self.day(125), 20.0)]
        )
        self.assertLedgerConsistent(card)

    def test_off_by_default(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "No expiry",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": self.company.id,
            }
        )
        self.assertEqual(program.points_validity_days, 0)
        partner = self.env["res.partner"].create({"name": "Forever"})
        card = self.Card.create({"program_id": program.id, "partner_id": partner.id})
        self.move(card, 100, 0)
        before = self.Ledger.search_count([])
        self.assertEqual(self.run_job(299), (0, 0))
        self.assertEqual(self.Ledger.search_count([]), before)
        self.assertEqual(card.points, 100)
        self.assertFalse(card.points_expiry_date)

    def test_turning_expiry_on_spares_past_points(self):
        self.program.write({"points_validity_days": 0})
        self.assertFalse(self.program.points_expiry_since)
        card = self.new_card("Veteran")
        self.move(card, 100, 0)
        # A manager turns expiry on today (day 300): the 100 of day 0 count
        # as earned today and expire on day 360, not at once.
        self.program.with_user(self.manager).write({"points_validity_days": 60})
        self.assertEqual(self.program.points_expiry_since, self.day(300))
        self.run_job(300)
        self.assertFalse(self.expired_rows(card))
        self.assertEqual(
            card._points_expiry_schedule()[card.id], [(self.day(360), 100.0)]
        )
        self.run_job(360)
        self.assertEqual(self.expired_rows(card).delta, -100)
        # Changing the validity later keeps the day expiry was turned on.
        self.program.with_user(self.manager).write({"points_validity_days": 90})
        self.assertEqual(self.program.points_expiry_since, self.day(300))

    def test_rerun_posts_nothing_twice(self):
        card = self.new_card("Twice")
        self.move(card, 100, 0)
        self.assertEqual(self.run_job(61), (1, 0))
        self.assertEqual(self.run_job(61), (0, 0))
        self.assertEqual(self.run_job(62), (0, 0))
        self.assertEqual(len(self.expired_rows(card)), 1)
        self.assertEqual(card.points, 0)
        # A concurrent run that computed the same expiry posts nothing either.
        card2 = self.new_card("Raced")
        self.move(card2, 10, 0)
        self.Ledger._ledger_post(
            [
                {
                    "card": card2.id,
                    "account": "points",
                    "delta": -10,
                    "kind": "expired",
                    "description": "x",
                    "key": f"points-expiry:{card2.id}:{self.day(61)}",
                }
            ]
        )
        self.move(card2, 10, 1)  # would expire on day 61 too
        card2._points_expiry_apply(self.day(61))
        self.assertEqual(len(self.expired_rows(card2)), 1)
        self.assertEqual(card2.points, 10)

    def test_one_bad_card_does_not_stop_the_others(self):
        cards = [self.new_card(name) for name in ("Good1", "Bad", "Good2")]
        for card in cards:
            self.move(card, 10, 0)
        bad = cards[1]
        apply = ExpiryCard._points_expiry_apply

        def failing(records, today):
            if bad in records:
                raise ValueError("broken card")
            return apply(records, today)

        with (
            patch.object(ExpiryCard, "_points_expiry_apply", failing),
            self.assertLogs(JOB_LOGGER, level="ERROR") as logs,
        ):
            self.assertEqual(self.run_job(61), (3, 0))
        self.assertIn(f"Points expiry of card {bad.id}", logs.output[0])
        self.assertEqual([c.points for c in cards], [0, 10, 0])
        # The next run retries it.
        self.assertEqual(self.run_job(62), (1, 0))
        self.assertEqual(bad.points, 0)

    def test_batches_report_their_progress(self):
        cards = [self.new_card(f"Batch{i}") for i in range(3)]
        for card in cards:
            self.move(card, 10, 0)
        Cron = self.env.registry["ir.cron"]
        with patch.object(Cron, "_notify_progress", autospec=True) as notify:
            self.assertEqual(self.run_job(61, batch_size=2), (2, 1))
            self.assertEqual(notify.call_args.kwargs, {"done": 2, "remaining": 1})
            self.assertEqual([c.points for c in cards], [0, 0, 10])
            self.assertEqual(self.run_job(61, batch_size=2), (1, 0))
            self.assertEqual(notify.call_args.kwargs, {"done": 1, "remaining": 0})
            self.assertEqual(self.run_job(61, batch_size=2), (0, 0))
        self.assertEqual([c.points for c in cards], [0, 0, 0])
        self.assertLedgerConsistent(*cards)

    def test_reminder_once_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["loyalty_cards"], ["zh_CN"])
        card = self.new_card("Remind", lang="zh_CN")
        self.move(card, 100, 0)
        Mail = self.env["mail.mail"]
        mails = [("model", "=", "loyalty.card"), ("res_id", "=", card.id)]
        self.run_job(45)  # expiry on day 60: 15 days ahead
        self.assertFalse(Mail.search(mails))
        self.run_job(46)
        mail = Mail.search(mails)
        self.assertEqual(len(mail), 1)
        self.assertIn("积分即将到期", mail.subject)
        self.assertIn("积分将于", mail.body_html)
        self.assertIn("<strong>100.0</strong>", mail.body_html)
        self.assertEqual(mail.recipient_ids, card.partner_id)
        self.assertEqual(card.points_expiry_reminded_date, self.day(60))
        self.run_job(47)
        self.assertEqual(len(Mail.search(mails)), 1, "one reminder per date")
        self.run_job(60)
        self.assertEqual(card.points, 0)

    def test_cashier_cannot_set_expiry(self):
        card = self.card.with_user(self.cashier)
        with self.assertRaises(AccessError):
            card.write({"points_expiry_reminded_date": fields.Date.today()})
        with self.assertRaises(AccessError):
            self.program.with_user(self.cashier).write({"points_validity_days": 0})
        with self.assertRaises(AccessError):
            self.env["loyalty.points.report"].with_user(self.cashier).search([])
        with self.assertRaises(AccessError):
            self.program.with_user(self.manager).write(
                {"points_expiry_since": fields.Date.today()}
            )
        with self.assertRaises(AccessError):
            self.Card.with_user(self.cashier).create(
                {
                    "program_id": self.program.id,
                    "partner_id": self.other.id,
                    "points_expiry_reminded_date": fields.Date.today(),
                }
            )
        self.assertEqual(self.program.points_validity_days, 60)

    def test_bad_validity(self):
        program = self.program.with_user(self.manager)
        for days in (-1, 10**6):
            with self.assertRaises(ValidationError):
                program.write({"points_validity_days": days})
            with self.assertRaises(ValidationError):
                program.write({"points_expiry_reminder_days": days})
        self.assertEqual(self.program.points_validity_days, 60)

    def test_points_report(self):
        card = self.new_card("Report")
        self.move(card, 100, 0)
        self.move(card, 50, 20)
        self.move(card, -120, 30)
        self.run_job(81)
        other = self.new_card("Report2")
        self.move(other, 40, 0)
        Report = self.env["loyalty.points.report"].with_user(self.manager)
        rows = {
            row.card_id: row
            for row in Report.search([("card_id", "in", (card | other).ids)])
        }
        figures = [
            (
                r.points_earned,
                r.points_spent,
                r.points_expired,
                r.points_outstanding,
                r.outstanding_value,
            )
            for r in (rows[card], rows[other])
        ]
        # A point is worth 0.01: 40 outstanding points owe 0.40.
        self.assertEqual(figures, [(150, 120, 30, 0, 0), (40, 0, 0, 40, 0.4)])
        groups = Report._read_group(
            [("card_id", "in", (card | other).ids)],
            ["program_id"],
            ["points_earned:sum", "points_expired:sum", "points_outstanding:sum"],
        )
        self.assertEqual(groups, [(self.program, 190, 30, 40)])


@tagged("post_install", "-at_install")
class TestPointsExpiryPortal(PointsExpiryCase, HttpCase):
    def test_portal_shows_own_expiry_only(self):
        # The member's card holds 2000 points opened today: they expire in
        # 60 days.
        self.authenticate("loyalty_portal", "loyalty_portal")
        page = self.url_open(f"/my/member_cards/{self.card.id}").text
        self.assertIn("o_loyalty_portal_points_expiry", page)
        self.assertIn("2000.0", page)
        expiry = self.card._points_expiry_upcoming()
        self.assertEqual(expiry, [(fields.Date.today() + timedelta(days=60), 2000.0)])
        other = self.new_card("Stranger")
        self.move(other, 70, 0)
        response = self.url_open(f"/my/member_cards/{other.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("o_loyalty_portal_points_expiry", response.text)
