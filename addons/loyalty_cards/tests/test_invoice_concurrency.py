"""An invoice requested for a consumption while its counter session is
being closed, from two transactions, on data committed for the purpose and
removed afterwards: the closing waits for no invoice it does not see, so
the sale is never booked twice."""

import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .test_concurrency import thread_env


@tagged("post_install", "-at_install")
class TestInvoiceConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"inv-{uuid.uuid4().hex[:8]}"
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
            receipt = (
                env["loyalty.counter"]
                .with_user(cashier)
                .with_company(company)
                .confirm(
                    {
                        "card_id": card.id,
                        "amount": 115,
                        "payment_method": "cash",
                        "idempotency_key": f"{cls.tag}-consumption",
                    }
                )
            )
            consumption = env["loyalty.consumption"].search(
                [("name", "=", receipt["name"])]
            )
            cls.ids.update(
                cashier=cashier.id,
                partner=partner.id,
                program=program.id,
                card=card.id,
                consumption=consumption.id,
                session=consumption.session_id.id,
                products=program.reward_ids.discount_line_product_id.ids,
            )

    @classmethod
    def _remove_data(cls):
        if not cls.ids or cls.ids.get("skip"):
            return
        with cls.registry.cursor() as cr:
            ids = cls.ids
            cr.execute(
                "SELECT move_id FROM loyalty_counter_session "
                "WHERE user_id = %s AND move_id IS NOT NULL "
                "UNION SELECT id FROM account_move "
                "WHERE loyalty_consumption_id = %s",
                [ids["cashier"], ids["consumption"]],
            )
            moves = [row[0] for row in cr.fetchall()] or [0]
            lines = "(SELECT id FROM account_move_line WHERE move_id = ANY(%(moves)s))"
            for query in (
                f"DELETE FROM account_partial_reconcile WHERE debit_move_id IN {lines} "
                f"OR credit_move_id IN {lines}",
                "UPDATE account_move_line SET full_reconcile_id = NULL "
                "WHERE move_id = ANY(%(moves)s)",
                "DELETE FROM account_full_reconcile f WHERE NOT EXISTS "
                "(SELECT 1 FROM account_move_line l WHERE l.full_reconcile_id = f.id)",
                "DELETE FROM account_move_line WHERE move_id = ANY(%(moves)s)",
                "DELETE FROM mail_message WHERE model = 'account.move' "
                "AND res_id = ANY(%(moves)s)",
                "DELETE FROM mail_followers WHERE res_model = 'account.move' "
                "AND res_id = ANY(%(moves)s)",
                "DELETE FROM account_move WHERE id = ANY(%(moves)s)",
                "DELETE FROM loyalty_history WHERE card_id = %(card)s",
                "DELETE FROM loyalty_consumption WHERE card_id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM loyalty_card WHERE id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.counter.session' "
                "AND res_id IN (SELECT id FROM loyalty_counter_session "
                "WHERE user_id = %(cashier)s)",
                "DELETE FROM loyalty_counter_session WHERE user_id = %(cashier)s",
                "DELETE FROM loyalty_program WHERE id = %(program)s",
                "DELETE FROM loyalty_request_key WHERE key LIKE %(tag)s",
            ):
                cr.execute(query, {**ids, "moves": moves, "tag": f"{cls.tag}%"})
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(ids["products"]).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            user = env["res.users"].browse(ids["cashier"])
            user_partner = user.partner_id
            user.unlink()
            (user_partner | env["res.partner"].browse(ids["partner"])).unlink()

    def request(self, env):
        consumption = (
            env["loyalty.consumption"]
            .with_user(self.ids["cashier"])
            .browse(self.ids["consumption"])
        )
        return consumption.action_create_invoice()

    def close(self, env):
        session = (
            env["loyalty.counter.session"]
            .with_user(self.ids["cashier"])
            .browse(self.ids["session"])
        )
        return session.action_close()

    @mute_logger("odoo.sql_db")
    def test_invoice_in_progress_holds_the_closing(self):
        if self.ids.get("skip"):
            self.skipTest("The main company has no chart of accounts.")
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            self.request(env_a)
            # The closing does not start while the invoice is being created:
            # it would book the sale a second time.
            with self.assertRaisesRegex(UserError, "being recorded"):
                self.close(env_b)
            cr_b.rollback()
            cr_a.commit()
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            self.close(env)
            session = env["loyalty.counter.session"].browse(self.ids["session"])
            self.assertEqual(session.state, "closed")
            invoice = env["account.move"].search(
                [("loyalty_consumption_id", "=", self.ids["consumption"])]
            )
            self.assertEqual(len(invoice), 1)
            self.assertEqual(invoice.payment_state, "paid")
            # The session booked no income: the invoice did.
            program = env["loyalty.program"].browse(self.ids["program"])
            income = program.with_company(session.company_id).counter_income_account_id
            self.assertFalse(
                session.move_id.line_ids.filtered(
                    lambda line: line.account_id == income
                )
            )
            # The closed session's operation is not invoiced a second time.
            with self.assertRaisesRegex(UserError, "already has its invoice"):
                self.request(env)
