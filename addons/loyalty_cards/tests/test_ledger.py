import psycopg2.errors

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import PIN, LoyaltyCase


class TestLedger(LoyaltyCase):
    def test_opening_values_are_ledger_rows(self):
        rows = self.Ledger.search([("card_id", "=", self.card.id)], order="id")
        self.assertEqual(
            [(r.kind, r.account, r.delta, r.value_after) for r in rows],
            [("opening", "points", 2000, 2000), ("opening", "balance", 500, 500)],
        )
        self.assertLedgerConsistent(self.card, self.other_card)

    def test_post_moves_and_records_values_after(self):
        values = self.Ledger._ledger_post(
            [
                {
                    "card": self.card.id,
                    "account": "balance",
                    "delta": -200,
                    "kind": "spend_balance",
                    "description": "first",
                },
                {
                    "card": self.card.id,
                    "account": "balance",
                    "delta": 50,
                    "kind": "topup",
                    "description": "second",
                },
            ]
        )
        self.assertEqual(values, {(self.card.id, "balance"): 350})
        self.assertEqual(self.card.balance, 350)
        rows = self.Ledger.search(
            [
                ("card_id", "=", self.card.id),
                ("kind", "in", ("spend_balance", "topup")),
            ],
            order="id",
        )
        self.assertEqual(rows.mapped("value_after"), [300, 350])
        self.assertEqual(rows.user_id, self.env.user)
        self.assertLedgerConsistent()

    def test_never_below_zero(self):
        with self.assertNothingChanges(UserError, "Not enough balance"):
            self.Ledger._ledger_post(
                [
                    {
                        "card": self.card.id,
                        "account": "balance",
                        "delta": -500.01,
                        "kind": "spend_balance",
                        "description": "too much",
                    }
                ]
            )
        with self.assertNothingChanges(UserError, "Not enough points"):
            self.Ledger._ledger_post(
                [
                    {
                        "card": self.card.id,
                        "account": "points",
                        "delta": -2000.01,
                        "kind": "redeem_points",
                        "description": "too much",
                    }
                ]
            )

    @mute_logger("odoo.sql_db")
    def test_database_refuses_negative_values(self):
        """The CHECK constraints hold even against raw SQL."""
        with self.assertRaises(psycopg2.errors.CheckViolation):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE loyalty_card SET balance = -1 WHERE id = %s",
                    [self.card.id],
                )
        with self.assertRaises(psycopg2.errors.CheckViolation):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE loyalty_card SET points = -0.01 WHERE id = %s",
                    [self.card.id],
                )

    def test_orm_writes(self):
        with self.assertNothingChanges(UserError, "balance of a card changes only"):
            self.card.write({"balance": 1000})
        # Writing points (as Odoo's own flows do) becomes a ledger movement.
        self.card.write({"points": 1500})
        self.assertEqual(self.card.points, 1500)
        last = self.Ledger.search(
            [("card_id", "=", self.card.id)], order="id desc", limit=1
        )
        self.assertEqual(
            (last.kind, last.delta, last.value_after), ("external", -500, 1500)
        )
        with self.assertNothingChanges(UserError, "cannot be negative"):
            self.card.write({"points": -5})
        self.assertLedgerConsistent()

    def test_ledger_rows_are_immutable(self):
        row = self.Ledger.search([("card_id", "=", self.card.id)], limit=1)
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            row.write({"delta": 1})
        with self.assertRaisesMessage(UserError, "cannot be deleted"):
            row.unlink()
        with self.assertRaisesMessage(UserError, "archive it instead"):
            self.card.unlink()

    def test_bad_movements(self):
        for delta in (float("nan"), float("inf"), 10**12, "12", True):
            with self.assertNothingChanges(UserError, "movement"):
                self.Ledger._ledger_post(
                    [
                        {
                            "card": self.card.id,
                            "account": "points",
                            "delta": delta,
                            "kind": "adjustment",
                            "description": "bad",
                        }
                    ]
                )

    def test_balance_wizard_applies_a_difference(self):
        """Odoo's wizard would set the balance it computed at save time,
        undoing a redemption made while it was open; ours applies the
        difference with the balance the user saw."""
        wizard_form = Form(
            self.env["loyalty.card.update.balance"].with_context(
                default_card_id=self.card.id
            )
        )
        self.assertEqual(wizard_form.seen_balance, 2000)
        # Meanwhile, the customer pays 300 points at the counter.
        self.confirm(amount=10, points_used=300, pin="246810")
        wizard_form.new_balance = 2500
        wizard_form.description = "Gift"
        wizard_form.save().action_update_card_point()
        self.card.invalidate_recordset()
        earned = self.Ledger.search(
            [("card_id", "=", self.card.id), ("kind", "=", "earn")]
        ).delta
        self.assertEqual(self.card.points, 2000 - 300 + earned + 500)
        self.assertLedgerConsistent()

    def test_points_milestones_are_sent(self):
        """Points posted by the ledger send Odoo's "points reached"
        communications of the programme, once per milestone passed."""
        template = self.env["mail.template"].create(
            {
                "name": "Milestone",
                "model_id": self.env["ir.model"]._get_id("loyalty.card"),
                "subject": "50 points reached",
                "body_html": "<p>Well done.</p>",
            }
        )
        self.program.communication_plan_ids = [
            Command.create(
                {
                    "trigger": "points_reach",
                    "points": 50,
                    "mail_template_id": template.id,
                }
            )
        ]
        Mail = self.env["mail.mail"].sudo()
        domain = [("model", "=", "loyalty.card"), ("res_id", "=", self.other_card.id)]
        self.assertFalse(Mail.search(domain))
        # 40 points: below the milestone.
        self.confirm(card_id=self.other_card.id, amount=40)
        self.assertFalse(Mail.search(domain))
        # 40 + 20 points: the milestone is passed, by the cashier's purchase.
        self.confirm(card_id=self.other_card.id, amount=20)
        mails = Mail.search(domain)
        self.assertEqual(mails.mapped("subject"), ["50 points reached"])
        # Past the milestone: nothing more.
        self.confirm(card_id=self.other_card.id, amount=20)
        self.assertEqual(Mail.search(domain), mails)


@tagged("post_install", "-at_install")
class TestLedgerLanguage(LoyaltyCase):
    def test_description_in_the_readers_language(self):
        """A Chinese-speaking cashier's purchase reads in English for an
        English-speaking manager, and the other way round."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["loyalty_cards"], ["zh_CN"])
        counter = self.as_user(self.cashier, "loyalty.counter")
        receipt = counter.with_context(lang="zh_CN").confirm(
            {
                "card_id": self.card.id,
                "amount": 100,
                "balance_used": 60,
                "pin": PIN,
                "idempotency_key": self.key(),
            }
        )
        row = self.Ledger.search(
            [("card_id", "=", self.card.id), ("kind", "=", "spend_balance")]
        )
        name = receipt["name"]
        self.assertEqual(row.description, f"余额支付：{name}")
        english = row.with_user(self.manager).with_context(lang="en_US")
        self.assertEqual(english.ledger_description, f"Paid with balance: {name}")
        chinese = row.with_context(lang="zh_CN")
        self.assertEqual(chinese.ledger_description, f"余额支付：{name}")
