"""Two runs of the points expiry job at once, on data committed for the
purpose and removed afterwards: the points expire once; the run that
started before the other committed fails with a serialization failure (the
scheduler retries it) and its retry posts nothing."""

import uuid
from datetime import timedelta

from psycopg2 import errorcodes
from psycopg2.errors import OperationalError

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .test_concurrency import thread_env


@tagged("post_install", "-at_install")
class TestPointsExpiryConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"exp-{uuid.uuid4().hex[:8]}"
        cls.ids = {}
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": f"{cls.tag} member"})
            program = env["loyalty.program"].create(
                {
                    "name": f"{cls.tag} members",
                    "program_type": "loyalty",
                    "is_member_program": True,
                    "company_id": company.id,
                    "points_validity_days": 60,
                    "points_expiry_reminder_days": 0,
                    "reward_ids": [Command.create({"required_points": 100})],
                }
            )
            # As if expiry had been on for long.
            program.points_expiry_since = fields.Date.today() - timedelta(days=365)
            card = env["loyalty.card"].create(
                {"program_id": program.id, "partner_id": partner.id}
            )
            env["loyalty.history"]._ledger_post(
                [
                    {
                        "card": card.id,
                        "account": "points",
                        "delta": 30,
                        "kind": "earn",
                        "description": cls.tag,
                    }
                ]
            )
            env.flush_all()
            # Earned 100 days ago: expired 40 days ago.
            cr.execute(
                "UPDATE loyalty_history SET create_date = %s WHERE card_id = %s",
                [fields.Datetime.now() - timedelta(days=100), card.id],
            )
            cls.ids.update(
                partner=partner.id,
                program=program.id,
                card=card.id,
                products=program.reward_ids.discount_line_product_id.ids,
            )

    @classmethod
    def _remove_data(cls):
        if not cls.ids:
            return
        with cls.registry.cursor() as cr:
            for query in (
                "DELETE FROM loyalty_history WHERE card_id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM loyalty_card WHERE id = %(card)s",
                "DELETE FROM loyalty_program WHERE id = %(program)s",
                "DELETE FROM ir_config_parameter "
                "WHERE key = 'loyalty_cards.points_expiry_cursor'",
            ):
                cr.execute(query, cls.ids)
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(cls.ids["products"]).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            env["res.partner"].browse(cls.ids["partner"]).unlink()

    def expired_rows(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT delta FROM loyalty_history "
                "WHERE card_id = %s AND kind = 'expired'",
                [self.ids["card"]],
            )
            return [float(row[0]) for row in cr.fetchall()]

    @mute_logger("odoo.sql_db")
    def test_concurrent_runs_expire_once(self):
        today = fields.Date.today()
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = thread_env(self.registry, cr_a)
            env_b = thread_env(self.registry, cr_b)
            # B's transaction starts before A commits.
            cr_b.execute("SELECT 1 FROM loyalty_card LIMIT 1")
            env_a["loyalty.program"]._cron_points_expiry(today=today)
            cr_a.commit()
            with self.assertRaises(OperationalError) as catcher:
                env_b["loyalty.program"]._cron_points_expiry(today=today)
            self.assertEqual(catcher.exception.pgcode, errorcodes.SERIALIZATION_FAILURE)
            cr_b.rollback()
        # The retry, in a new transaction, sees the expired points.
        with self.registry.cursor() as cr:
            env = thread_env(self.registry, cr)
            env["loyalty.program"]._cron_points_expiry(today=today)
            card = env["loyalty.card"].browse(self.ids["card"])
            self.assertEqual(card.points, 0)
        self.assertEqual(self.expired_rows(), [-30.0])
