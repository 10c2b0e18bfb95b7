from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from .common import LoyaltyCase


class TestAccess(LoyaltyCase):
    def test_cashier_cannot_change_money_but_by_the_flows(self):
        card = self.card.with_user(self.cashier)
        self.assertEqual(card.balance, 500)
        with self.assertNothingChanges(UserError, "balance of a card changes only"):
            card.write({"balance": 9999})
        with self.assertNothingChanges(AccessError, "managers"):
            card.write({"level_id": self.level_vip.id})
        with self.assertNothingChanges(AccessError, "managers"):
            card.write({"partner_id": self.cashier.partner_id.id})
        with self.assertNothingChanges(AccessError, "flows only"):
            card.write({"date_used": "2020-01-01 00:00:00"})
        self.assertEqual(self.card.partner_id, self.member)
        with self.assertRaises(AccessError):
            self.env["loyalty.card.adjustment"].with_user(self.cashier).search([])
        with self.assertNothingChanges(AccessError, "managers"):
            card.action_adjust()
        with self.assertRaises(AccessError):
            self.env["loyalty.history"].with_user(self.cashier).create(
                {"card_id": self.card.id, "description": "gift", "issued": 100}
            )
        with self.assertRaises(AccessError):
            self.env["loyalty.consumption"].with_user(self.cashier).create(
                {"name": "x", "card_id": self.card.id, "amount": 1}
            )
        wizard_model = self.env["loyalty.card.update.balance"].with_user(self.cashier)
        with self.assertRaises(AccessError):
            wizard_model.create(
                {"card_id": self.card.id, "new_balance": 9999, "description": "x"}
            )
        # Cashiers enrol members; the level follows the customer's tier.
        Card = self.env["loyalty.card"].with_user(self.cashier)
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        with self.assertRaisesMessage(AccessError, "managers"):
            Card.create(
                {
                    "program_id": self.program.id,
                    "partner_id": newcomer.id,
                    "level_id": self.level_vip.id,
                }
            )
        enrolled = Card.create(
            {"program_id": self.program.id, "partner_id": newcomer.id}
        )
        self.assertEqual(enrolled.level_id, self.level_std)
        # The flows themselves are open to cashiers.
        self.confirm(amount=10)
        self.env["loyalty.topup"].with_user(self.cashier).create(
            {"card_id": self.card.id, "amount": 10}
        )

    def test_users_without_the_group(self):
        employee = self.env["res.users"].create(
            {
                "name": "Plain Employee",
                "login": "plain_employee",
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.confirm(user=employee, amount=10)
        with self.assertRaises(AccessError):
            self.env["loyalty.counter"].with_user(employee).lookup(self.card.code)
        with self.assertRaises(AccessError):
            self.env["loyalty.card"].with_user(employee).search([])

    def test_portal_user_reaches_nothing_by_rpc(self):
        """Portal pages read the customer's own cards for them; through the
        models, a portal user reaches no card, no ledger line, no operation,
        not even their own."""
        portal = self.portal_user
        for model in (
            "loyalty.card",
            "loyalty.history",
            "loyalty.consumption",
            "loyalty.topup",
            "loyalty.card.level",
            "loyalty.program",
            "loyalty.coupon.batch",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(portal).search_read([], ["id"])
        for card in (self.card, self.other_card):
            with self.assertRaises(AccessError):
                card.with_user(portal).read(["balance"])
            with self.assertRaises(UserError):
                card.with_user(portal).export_data(["code", "balance"])
        with self.assertRaises(AccessError):
            self.env["loyalty.counter"].with_user(portal).lookup(self.other_card.code)
        with self.assertRaises(AccessError):
            self.env["loyalty.topup"].with_user(portal).create(
                {"card_id": self.card.id, "amount": 10}
            )

    def test_companies_are_apart(self):
        company_b = self.env["res.company"].create({"name": "Access Company B"})
        program_b = self.env["loyalty.program"].create(
            {
                "name": "B Members",
                "program_type": "loyalty",
                "is_member_program": True,
                "company_id": company_b.id,
                "reward_ids": [Command.create({"required_points": 10})],
            }
        )
        level_b = self.env["loyalty.card.level"].create(
            {"name": "B Level", "program_id": program_b.id, "rank": 1}
        )
        card_b = self.env["loyalty.card"].create(
            {"program_id": program_b.id, "partner_id": self.other.id}
        )
        manager = self.env["loyalty.card"].with_user(self.manager)
        self.assertNotIn(card_b, manager.search([]))
        self.assertIn(self.card, manager.search([]))
        self.assertFalse(
            self.env["loyalty.card.level"]
            .with_user(self.manager)
            .search([("id", "=", level_b.id)])
        )
        with self.assertRaises(AccessError):
            card_b.with_user(self.manager).read(["balance"])
        with self.assertNothingChanges(UserError, "No member card", card_b):
            self.env["loyalty.topup"].with_user(self.manager).create(
                {"card_id": card_b.id, "amount": 10}
            )

    def test_cashier_cannot_mint_value_over_rpc(self):
        """Points and balance move only through the flows: a cashier's direct
        write, a card created with value and a coupon minted with a chosen
        code are refused, and change nothing."""
        card = self.card.with_user(self.cashier)
        with self.assertNothingChanges(AccessError, "not allowed to modify"):
            card.write({"points": 999999})
        with self.assertNothingChanges(AccessError, "not allowed to modify"):
            card.write({"expiration_date": "2099-12-31"})
        generated = self.env["loyalty.card"].create(
            {"program_id": self.coupon_program.id, "points": 1}
        )
        with self.assertRaises(AccessError):
            generated.with_user(self.cashier).write({"points": 50})
        self.assertEqual(generated.points, 1)
        Card = self.env["loyalty.card"].with_user(self.cashier)
        newcomer = self.env["res.partner"].create({"name": "Paid Nobody"})
        for values in ({"balance": 5000, "points": 5000}, {"points": 1}):
            with self.assertNothingChanges(UserError, "starts empty"):
                Card.create(
                    {
                        "program_id": self.program.id,
                        "partner_id": newcomer.id,
                        **values,
                    }
                )
        code = "ABCD2345EFGH6789"
        with self.assertNothingChanges(AccessError, "managers issue coupons"):
            Card.create(
                {"program_id": self.coupon_program.id, "code": code, "points": 1}
            )
        with self.assertNothingChanges(AccessError, "managers issue coupons"):
            Card.create({"program_id": self.coupon_program.id, "code": code})
        self.assertFalse(
            self.env["loyalty.card"].search([("code", "=", code)]),
            "no coupon was minted",
        )
        with self.assertRaisesMessage(UserError, "No member card or usable coupon"):
            self.as_user(self.cashier, "loyalty.counter").lookup(code)
        with self.assertNothingChanges(AccessError, "flows only"):
            Card.create(
                {
                    "program_id": self.program.id,
                    "partner_id": newcomer.id,
                    "coupon_batch_id": False,
                }
            )
        for bad in ("abc", 2**40, -1, None):
            with self.assertRaisesMessage(UserError, "Choose the programme"):
                Card.create({"program_id": bad, "partner_id": newcomer.id})

    def test_manager_gives_opening_value_with_a_reason(self):
        """A manager does not create value by creating a card either: the card
        starts empty and the opening value is an adjustment with its reason."""
        newcomer = self.env["res.partner"].create({"name": "Opening"})
        Card = self.env["loyalty.card"].with_user(self.manager)
        with self.assertRaisesMessage(UserError, "starts empty"):
            Card.create(
                {"program_id": self.program.id, "partner_id": newcomer.id, "points": 10}
            )
        card = Card.create({"program_id": self.program.id, "partner_id": newcomer.id})
        self.env["loyalty.card.adjustment"].with_user(self.manager).create(
            {"card_id": card.id, "account": "points", "delta": 10, "reason": "Welcome"}
        )
        self.assertEqual(card.points, 10)
        self.assertEqual(card.ledger_ids.mapped("kind"), ["adjustment"])
        self.assertLedgerConsistent(card)
        # Managers issue coupons (Odoo's generator, batches, flash offers).
        coupon = Card.create({"program_id": self.coupon_program.id, "points": 1})
        self.assertEqual(coupon.points, 1)

    def test_manager_creates_programmes_with_rewards(self):
        """The readme gives managers the programmes, coupons and flash offers:
        Odoo makes a discount product for each reward, which a loyalty
        manager gets without product rights (and cashiers get nothing)."""
        Program = self.env["loyalty.program"].with_user(self.manager)
        self.assertFalse(
            self.env["product.product"].with_user(self.manager).has_access("create")
        )
        form = Form(Program.with_context(default_program_type="coupons"))
        form.name = "Manager's Coupon"
        coupons = form.save()
        self.assertTrue(coupons.reward_ids.discount_line_product_id)
        flash = Program.create(
            {
                "name": "Manager's Flash",
                "program_type": "coupons",
                "is_flash": True,
                "date_flash_start": fields.Datetime.now(),
                "date_flash_end": fields.Datetime.add(fields.Datetime.now(), hours=2),
                "audience_tier_ids": [Command.set(self.gold.ids)],
                "reward_ids": [
                    Command.create({"discount_mode": "percent", "discount": 20})
                ],
            }
        )
        reward = flash.reward_ids
        self.assertTrue(reward.discount_line_product_id)
        reward.with_user(self.manager).write({"description": "Twenty off"})
        self.assertEqual(reward.discount_line_product_id.name, "Twenty off")
        reward.with_user(self.manager).write({"active": False})
        self.assertFalse(reward.discount_line_product_id.active)
        with self.assertRaises(AccessError):
            self.env["loyalty.program"].with_user(self.cashier).create(
                {"name": "Cashier's", "program_type": "coupons"}
            )
        with self.assertRaises(AccessError):
            reward.with_user(self.cashier).write({"description": "Mine"})

    def test_flash_offer_schedule_is_the_managers(self):
        """The status of a flash offer follows its schedule: nobody writes it,
        and only who may change the offer schedules, cancels or ends it."""
        flash = self.env["loyalty.program"].create(
            {
                "name": "Cashier Flash",
                "program_type": "coupons",
                "is_flash": True,
                "company_id": self.company.id,
                "date_flash_start": fields.Datetime.add(fields.Datetime.now(), hours=1),
                "date_flash_end": fields.Datetime.add(fields.Datetime.now(), hours=2),
                "audience_tier_ids": [Command.set(self.gold.ids)],
            }
        )
        for method in (
            "action_flash_schedule",
            "action_flash_cancel",
            "action_flash_end",
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(flash.with_user(self.cashier), method)()
        with self.assertRaises(AccessError):
            self.env["loyalty.program"].browse(self.program.id).with_user(
                self.cashier
            ).action_member_align_levels()
        with self.assertRaisesMessage(AccessError, "follows its schedule"):
            flash.with_user(self.manager).write({"flash_state": "running"})
        flash.with_user(self.manager).action_flash_schedule()
        self.assertEqual(flash.flash_state, "scheduled")
        with self.assertRaisesMessage(AccessError, "follows its schedule"):
            flash.with_user(self.manager).write({"flash_state": "draft"})
        flash.with_user(self.manager).action_flash_cancel()
        self.assertEqual(flash.flash_state, "draft")

    def test_cashier_cannot_revive_or_extend_cards(self):
        """Closing a card, its validity and its programme are a manager's: a
        cashier cannot reopen a closed card, extend a coupon or a card, or
        turn another programme's card (gift card, coupon) into a member card;
        managers cannot move a valued card either."""
        batch = self.env["loyalty.coupon.batch"].create(
            {"name": "Revive", "program_id": self.coupon_program.id}
        )
        coupon = batch._issue_coupons([self.other.id], 1)
        coupon.expiration_date = fields.Date.subtract(fields.Date.today(), days=1)
        closed = self.make_card(self.env["res.partner"].create({"name": "Closed"}))
        closed.active = False
        for card, values in (
            (coupon, {"expiration_date": "2099-12-31"}),
            (closed, {"active": True}),
            (self.card, {"expiration_date": "2099-12-31"}),
            (self.card, {"active": False}),
        ):
            with self.subTest(values=values):
                with self.assertRaises(AccessError):
                    card.with_user(self.cashier).write(values)
        self.assertFalse(closed.active)
        gift_program = self.env["loyalty.program"].create(
            {"name": "Gift Cards", "program_type": "gift_card"}
        )
        gift = self.env["loyalty.card"].create(
            {"program_id": gift_program.id, "points": 750}
        )
        with self.assertRaises(AccessError):
            gift.with_user(self.cashier).write(
                {"program_id": self.program.id, "partner_id": self.other.id}
            )
        with self.assertRaisesMessage(UserError, "stays in its programme"):
            gift.with_user(self.manager).write({"program_id": self.program.id})
        empty_gift = self.env["loyalty.card"].create({"program_id": gift_program.id})
        with self.assertRaisesMessage(UserError, "enrolled, not moved"):
            empty_gift.with_user(self.manager).write({"program_id": self.program.id})
        self.assertEqual(gift.program_id, gift_program)
