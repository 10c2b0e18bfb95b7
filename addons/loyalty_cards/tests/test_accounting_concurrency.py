"""Closing a counter session from two transactions at once, on data
committed for the purpose and removed afterwards: it is posted once, the
other closing gets a clear error (or, when the first one committed after it
started, a serialization failure that the request handler retries into that
clear error)."""

import uuid

from psycopg2 import errorcodes
from psycopg2.errors import OperationalError

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .test_concurrency import thread_env


@tagged("post_install", "-at_install")
class TestAccountingConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"acc-{uuid.uuid4().hex[:8]}"
        cls.ids = {}
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            if not env["account.journal"].search_count(
                [("company_id", "=", company.id), ("type", "=", "sale")]
            ):
                cls.ids["skip"] = True
                return
            cashier = env["res.users"].create(
                {
                    "name": f"{cls.tag} cashier",
                    "login": cls.tag,
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [
                        Command.set([env.ref("loyalty_cards.group_loyalty_cashier").id])
                    ],
                }
            )
            partner = env["res.partner"].create({"name": f"{cls.tag} member"})
            program = env["loyalty.program"].create(
                {
                    "name": f"{cls.tag} members",
                    "program_type": "loyalty",
                    "is_member_program": True,
                    "company_id": company.id,
                    "reward_ids": [Command.create({"required_points": 100})],
                }
            )
            card = env["loyalty.card"].create(
                {"program_id": program.id, "partner_id": partner.id}
            )
            topup = (
                env["loyalty.counter"]
                .with_user(cashier)
                .with_company(company)
                .topup(
                    {
                        "card_id": card.id,
                        "amount": 80,
                        "payment_method": "cash",
                        "idempotency_key": f"{cls.tag}-topup",
                    }
                )
            )
            session = (
                env["loyalty.topup"].search([("name", "=", topup["name"])]).session_id
            )
            cls.ids.update(
                cashier=cashier.id,
                partner=partner.id,
                program=program.id,
                card=card.id,
                session=session.id,
                products=program.reward_ids.discount_line_product_id.ids,
            )

    @classmethod
    def _remove_data(cls):
        if not cls.ids or cls.ids.get("skip"):
            return
        with cls.registry.cursor() as cr:
            ids = cls.ids
            cr.execute(
                "SELECT id, move_id FROM loyalty_counter_session WHERE user_id = %s",
                [ids["cashier"]],
            )
            rows = cr.fetchall()
            sessions = [row[0] for row in rows] or [0]
            moves = [row[1] for row in rows if row[1]] or [0]
            for query in (
                "DELETE FROM loyalty_topup WHERE card_id = %(card)s",
                "DELETE FROM loyalty_history WHERE card_id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM loyalty_card WHERE id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.counter.session' "
                "AND res_id = ANY(%(sessions)s)",
                "DELETE FROM loyalty_counter_session WHERE id = ANY(%(sessions)s)",
                "DELETE FROM account_partial_reconcile WHERE debit_move_id IN "
                "(SELECT id FROM account_move_line WHERE move_id = ANY(%(moves)s)) "
                "OR credit_move_id IN "
                "(SELECT id FROM account_move_line WHERE move_id = ANY(%(moves)s))",
                "DELETE FROM account_move_line WHERE move_id = ANY(%(moves)s)",
                "DELETE FROM mail_message WHERE model = 'account.move' "
                "AND res_id = ANY(%(moves)s)",
                "DELETE FROM account_move WHERE id = ANY(%(moves)s)",
                "DELETE FROM loyalty_program WHERE id = %(program)s",
                "DELETE FROM loyalty_request_key WHERE key LIKE %(tag)s",
            ):
                cr.execute(
                    query,
                    {**ids, "sessions": sessions, "moves": moves, "tag": f"{cls.tag}%"},
                )
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(ids["products"]).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            user = env["res.users"].browse(ids["cashier"])
            user_partner = user.partner_id
            user.unlink()
            (user_partner | env["res.partner"].browse(ids["partner"])).unlink()

    def close(self, env, cash_counted=None, session_id=None):
        session = (
            env["loyalty.counter.session"]
            .with_user(self.ids["cashier"])
            .browse(session_id or self.ids["session"])
        )
        return session.action_close(cash_counted)

    def topup(self, env, key):
        """A top-up by the cashier; returns its session's id."""
        result = (
            env["loyalty.counter"]
            .with_user(self.ids["cashier"])
            .topup(
                {
                    "card_id": self.ids["card"],
                    "amount": 10,
                    "payment_method": "cash",
                    "idempotency_key": f"{self.tag}-{key}",
                }
            )
        )
        return (
            env["loyalty.topup"].search([("name", "=", result["name"])]).session_id.id
        )

    def count_moves(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT COUNT(*) FROM account_move m "
                "JOIN loyalty_counter_session s ON s.move_id = m.id "
                "WHERE s.id = %s",
                [self.ids["session"]],
            )
            return cr.fetchone()[0]

    @mute_logger("odoo.sql_db")
    def test_concurrent_close_posts_once(self):
        if self.ids.get("skip"):
            self.skipTest("The main company has no chart of accounts.")
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            # B's transaction starts before A commits.
            cr_b.execute("SELECT 1 FROM loyalty_counter_session LIMIT 1")
            self.close(env_a, 80)
            # A holds the session: B fails at once, with a clear error.
            with cr_b.savepoint(), self.assertRaisesRegex(UserError, "being closed"):
                self.close(env_b)
            cr_a.commit()
            # A committed after B's transaction began: B cannot see the
            # closing, PostgreSQL refuses the lock (the request is retried).
            with self.assertRaises(OperationalError) as catcher:
                self.close(env_b)
            self.assertEqual(catcher.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr_b.rollback()
        # The retry, in a new transaction, sees the closed session.
        with self.registry.cursor() as cr:
            with self.assertRaisesRegex(UserError, "already closed"):
                self.close(thread_env(self.registry, cr))
        self.assertEqual(self.count_moves(), 1)

    @mute_logger("odoo.sql_db")
    def test_operation_in_progress_holds_the_closing(self):
        """A closing does not start while an operation of the session is
        being recorded: the operation is never left out of the entry."""
        if self.ids.get("skip"):
            self.skipTest("The main company has no chart of accounts.")
        # A cursor's block commits when it ends, flushing through the
        # environments of its transaction: keep them referenced until then
        # (the transaction holds them weakly).
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            session_id = self.topup(env, "first")
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = (
                thread_env(self.registry, cr_a),
                thread_env(self.registry, cr_b),
            )
            self.assertEqual(self.topup(env_a, "in-progress"), session_id)
            with self.assertRaisesRegex(UserError, "being recorded"):
                self.close(env_b, session_id=session_id)
            cr_b.rollback()
            cr_a.commit()
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            self.close(env, session_id=session_id)
            session = env["loyalty.counter.session"].browse(session_id)
            self.assertIn(
                f"{self.tag}-in-progress",
                session.topup_ids.mapped("idempotency_key"),
            )
            self.assertEqual(session.state, "closed")
