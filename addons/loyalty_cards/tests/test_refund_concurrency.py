"""A refund racing a purchase paid with the balance of the same card, with
two real cursors, on data committed for the purpose and removed afterwards:
whichever commits first, the other meets a serialization failure (which
Odoo's request handler retries) and its retry sees the new balance; the
card never goes below zero and equals the sum of its ledger."""

import uuid

from psycopg2 import errorcodes
from psycopg2.errors import OperationalError

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .test_concurrency import thread_env

PIN = "246810"


@tagged("post_install", "-at_install")
class TestRefundConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"rfc-{uuid.uuid4().hex[:8]}"
        cls.ids = {}
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            users = env["res.users"].create(
                [
                    {
                        "name": f"{cls.tag} {role}",
                        "login": f"{cls.tag}-{role}",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [
                            Command.set(
                                [env.ref(f"loyalty_cards.group_loyalty_{role}").id]
                            )
                        ],
                    }
                    for role in ("cashier", "manager")
                ]
            )
            partners = env["res.partner"].create(
                [{"name": f"{cls.tag} member {i}"} for i in range(2)]
            )
            program = env["loyalty.program"].create(
                {
                    "name": f"{cls.tag} members",
                    "program_type": "loyalty",
                    "is_member_program": True,
                    "company_id": company.id,
                    "reward_ids": [Command.create({"required_points": 100})],
                    "member_level_ids": [Command.create({"name": "Std", "rank": 1})],
                }
            )
            cards = env["loyalty.card"].create(
                [
                    {"program_id": program.id, "partner_id": p.id, "balance": 1000}
                    for p in partners
                ]
            )
            for card in cards:
                card._pin_set_new(PIN, PIN)
            cls.ids.update(
                users=users.ids,
                cashier=users[0].id,
                manager=users[1].id,
                partners=partners.ids,
                program=program.id,
                cards=cards.ids,
                products=program.reward_ids.discount_line_product_id.ids,
            )

    @classmethod
    def _remove_data(cls):
        if not cls.ids:
            return
        with cls.registry.cursor() as cr:
            params = {
                "cards": cls.ids["cards"],
                "users": cls.ids["users"],
                "program": cls.ids["program"],
                "tag": f"{cls.tag}%",
            }
            for query in (
                "DELETE FROM loyalty_card_refund WHERE card_id = ANY(%(cards)s)",
                "DELETE FROM loyalty_consumption WHERE card_id = ANY(%(cards)s)",
                "DELETE FROM loyalty_history WHERE card_id = ANY(%(cards)s)",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = ANY(%(cards)s)",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = ANY(%(cards)s)",
                "DELETE FROM loyalty_card WHERE id = ANY(%(cards)s)",
                "DELETE FROM mail_message WHERE model = 'loyalty.counter.session' "
                "AND res_id IN (SELECT id FROM loyalty_counter_session "
                "WHERE user_id = ANY(%(users)s))",
                "DELETE FROM loyalty_counter_session WHERE user_id = ANY(%(users)s)",
                "DELETE FROM loyalty_program WHERE id = %(program)s",
                "DELETE FROM loyalty_request_key WHERE key LIKE %(tag)s",
            ):
                cr.execute(query, params)
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(cls.ids["products"]).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            users = env["res.users"].browse(cls.ids["users"])
            user_partners = users.partner_id
            users.unlink()
            (user_partners | env["res.partner"].browse(cls.ids["partners"])).unlink()

    def refund(self, env, card_id, amount, key):
        return (
            env["loyalty.card.refund"]
            .with_user(self.ids["manager"])
            .create(
                {
                    "card_id": card_id,
                    "amount": amount,
                    "payment_method": "cash",
                    "reason": "Leaves the programme",
                    "idempotency_key": f"{self.tag}-{key}",
                }
            )
            .id
        )

    def spend(self, env, card_id, amount, key):
        return (
            env["loyalty.counter"]
            .with_user(self.ids["cashier"])
            .confirm(
                {
                    "card_id": card_id,
                    "amount": amount,
                    "balance_used": amount,
                    "pin": PIN,
                    "idempotency_key": f"{self.tag}-{key}",
                }
            )
        )

    def read_card(self, card_id):
        with self.registry.cursor() as cr:
            cr.execute("SELECT balance FROM loyalty_card WHERE id = %s", [card_id])
            balance = float(cr.fetchone()[0] or 0)
            cr.execute(
                "SELECT COALESCE(SUM(delta), 0) FROM loyalty_history "
                "WHERE card_id = %s AND account = 'balance'",
                [card_id],
            )
            ledger = float(cr.fetchone()[0])
            cr.execute(
                "SELECT (SELECT COUNT(*) FROM loyalty_card_refund WHERE card_id = %s),"
                " (SELECT COUNT(*) FROM loyalty_consumption WHERE card_id = %s)",
                [card_id, card_id],
            )
            refunds, consumptions = cr.fetchone()
        return balance, ledger, refunds, consumptions

    @mute_logger("odoo.sql_db")
    def test_refund_first_then_purchase(self):
        """The refund of the whole balance commits while a purchase is under
        way: the purchase is retried and refused, the card stays at zero."""
        card_id = self.ids["cards"][0]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            # B's transaction starts (and reads the card) before A commits.
            cr_b.execute("SELECT balance FROM loyalty_card WHERE id = %s", [card_id])
            self.refund(env_a, card_id, 1000, "refund-a")
            cr_a.commit()
            with self.assertRaises(OperationalError) as catcher:
                self.spend(env_b, card_id, 100, "spend-b")
            self.assertEqual(catcher.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr_b.rollback()
        # The retry, in a new transaction, sees the empty card.
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            with self.assertRaisesRegex(UserError, "balance is only"):
                self.spend(env, card_id, 100, "spend-b")
        self.assertEqual(self.read_card(card_id), (0.0, 0.0, 1, 0))

    @mute_logger("odoo.sql_db")
    def test_purchase_first_then_refund(self):
        """A purchase of 100 commits while the refund of the 1000 read
        before is under way: the refund is retried and refused (above the
        balance), nothing is paid twice; a refund of the 900 left passes."""
        card_id = self.ids["cards"][1]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            cr_a.execute("SELECT balance FROM loyalty_card WHERE id = %s", [card_id])
            self.spend(env_b, card_id, 100, "spend-first")
            cr_b.commit()
            with self.assertRaises(OperationalError) as catcher:
                self.refund(env_a, card_id, 1000, "refund-late")
            self.assertEqual(catcher.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr_a.rollback()
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            with self.assertRaisesRegex(UserError, "balance is only"):
                self.refund(env, card_id, 1000, "refund-late")
        self.assertEqual(self.read_card(card_id), (900.0, 900.0, 0, 1))
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            self.refund(env, card_id, 900, "refund-rest")
        self.assertEqual(self.read_card(card_id), (0.0, 0.0, 1, 1))
