"""A reversal racing a spend of the same card, and two reversals of one
consumption racing each other, with real separate cursors in threads, on
data committed for the purpose and removed afterwards. Whatever the order:
nothing lost, nothing posted twice, never a negative card."""

import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .test_concurrency import PIN, TestConcurrency


@tagged("post_install", "-at_install")
class TestReversalConcurrency(BaseCase):
    request = TestConcurrency.request
    run_clients = TestConcurrency.run_clients

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"rev-{uuid.uuid4().hex[:8]}"
        cls.ids = {}
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
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
                    "member_point_value": 0.01,
                    "rule_ids": [
                        Command.create(
                            {"reward_point_mode": "money", "reward_point_amount": 1}
                        )
                    ],
                    "reward_ids": [Command.create({"required_points": 100})],
                    "member_level_ids": [Command.create({"name": "Std", "rank": 1})],
                }
            )
            card = env["loyalty.card"].create(
                {"program_id": program.id, "partner_id": partner.id}
            )
            card._pin_set_new(PIN, PIN)
            cls.ids.update(
                cashier=cashier.id,
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
            ids = cls.ids
            cr.execute(
                "SELECT id, move_id FROM loyalty_counter_session WHERE user_id = %s",
                [ids["cashier"]],
            )
            rows = cr.fetchall()
            sessions = [row[0] for row in rows] or [0]
            for query in (
                "DELETE FROM loyalty_consumption_reversal WHERE card_id = %(card)s",
                "DELETE FROM loyalty_history WHERE card_id = %(card)s",
                "DELETE FROM loyalty_consumption WHERE card_id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = %(card)s",
                "DELETE FROM loyalty_card WHERE id = %(card)s",
                "DELETE FROM mail_message WHERE model = 'loyalty.counter.session' "
                "AND res_id = ANY(%(sessions)s)",
                "DELETE FROM loyalty_counter_session WHERE id = ANY(%(sessions)s)",
                "DELETE FROM loyalty_program WHERE id = %(program)s",
                "DELETE FROM loyalty_request_key WHERE key LIKE %(tag)s",
            ):
                cr.execute(query, {**ids, "sessions": sessions, "tag": f"{cls.tag}%"})
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(ids["products"]).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            user = env["res.users"].browse(ids["cashier"])
            user_partner = user.partner_id
            user.unlink()
            (user_partner | env["res.partner"].browse(ids["partner"])).unlink()

    def counter(self, env):
        return env["loyalty.counter"].with_user(self.ids["cashier"])

    def confirm(self, env, key, **values):
        return self.counter(env).confirm(
            {"card_id": self.ids["card"], "idempotency_key": key, **values}
        )["id"]

    def reverse(self, env, key, consumption_id, **values):
        return self.counter(env).reverse(
            {
                "consumption_id": consumption_id,
                "reason": "Race",
                "idempotency_key": key,
                **values,
            }
        )["id"]

    def state(self):
        """The card's points and balance, its ledger sums, the reversals."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT points, balance FROM loyalty_card WHERE id = %s",
                [self.ids["card"]],
            )
            points, balance = cr.fetchone()
            cr.execute(
                "SELECT account, SUM(delta) FROM loyalty_history "
                "WHERE card_id = %s AND account IS NOT NULL GROUP BY account",
                [self.ids["card"]],
            )
            ledger = dict(cr.fetchall())
            cr.execute(
                "SELECT COUNT(*), COALESCE(SUM(net_amount), 0) "
                "FROM loyalty_consumption_reversal WHERE card_id = %s",
                [self.ids["card"]],
            )
            reversals = cr.fetchone()
        return float(points or 0), float(balance or 0), ledger, reversals

    @mute_logger("odoo.sql_db", "odoo.models.unlink")
    def test_reversal_races_a_spend(self):
        """The card holds only the 100 points a purchase earned: reversing
        that purchase takes them back, a second purchase spends them. One
        of the two wins, the other gets a clear error."""
        _status, first = self.request(
            lambda env: self.confirm(env, f"{self.tag}-buy", amount=100)
        )
        self.assertEqual(self.state()[0], 100)
        results = self.run_clients(
            lambda env, what: (
                self.reverse(env, f"{self.tag}-rev", first, full=True)
                if what == "reverse"
                else self.confirm(
                    env, f"{self.tag}-spend", amount=50, points_used=100, pin=PIN
                )
            ),
            [("reverse",), ("spend",)],
        )
        statuses = [status for status, _result in results]
        self.assertEqual(sorted(statuses), ["error", "ok"], results)
        points, _balance, ledger, (count, amount) = self.state()
        self.assertGreaterEqual(points, 0)
        self.assertAlmostEqual(points, float(ledger["points"]), places=2)
        if statuses[0] == "ok":
            # Reversed first: the spend found no points.
            self.assertEqual((points, count, float(amount)), (0, 1, 100))
            self.assertIn("points", results[1][1])
        else:
            # Spent first: 49 points earned on 50 less 1.00; the reversal
            # would take back 100 of 49 and is refused.
            self.assertEqual((points, count), (49, 0))
            self.assertIn("already spent", results[0][1])

    @mute_logger("odoo.sql_db", "odoo.models.unlink")
    def test_two_reversals_of_one_consumption(self):
        """Two cashiers' screens reverse the rest of one purchase at once
        (different keys): it is reversed once; the same key twice posts
        once."""
        _status, consumption = self.request(
            lambda env: self.confirm(env, f"{self.tag}-buy2", amount=40)
        )
        before = self.state()
        results = self.run_clients(
            lambda env, key: self.reverse(env, key, consumption, full=True),
            [(f"{self.tag}-a",), (f"{self.tag}-b",), (f"{self.tag}-a",)],
        )
        # The winner's twin (same key) gets the same reversal; the other
        # key finds nothing left to reverse.
        ok_ids = {result for status, result in results if status == "ok"}
        self.assertEqual(len(ok_ids), 1, results)
        for status, result in results:
            self.assertIn(status, ("ok", "error"), results)
            if status == "error":
                self.assertIn("already fully reversed", result)
        points, _balance, ledger, (count, amount) = self.state()
        self.assertEqual(count - before[3][0], 1)
        self.assertEqual(float(amount) - float(before[3][1]), 40)
        self.assertEqual(points, before[0] - 40)
        self.assertAlmostEqual(points, float(ledger["points"]), places=2)
