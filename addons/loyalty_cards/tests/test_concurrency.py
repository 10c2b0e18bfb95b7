"""Concurrency, with real separate cursors in threads, on data committed for
the purpose and removed afterwards.

Each "client" runs its request in its own transaction and, like Odoo's
request handler, retries it when PostgreSQL reports a serialization
failure (two transactions changing the same card). No timing is asserted:
only what must hold whatever the interleaving.
"""

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from psycopg2 import errorcodes
from psycopg2.errors import OperationalError

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

CLIENTS = 8
PIN = "246810"
RETRYABLE = {
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
}


def thread_env(registry, cr):
    """An environment on a cursor of a client thread. Built without
    ``Registry(dbname)``: Odoo's runner holds the registry lock while it runs
    post-install tests, and a thread asking for the registry would wait for
    ever. A statement timeout bounds any wait in the database."""
    cr.execute("SET statement_timeout = '60s'")
    cr.transaction = api.Transaction(registry)
    return api.Environment(cr, SUPERUSER_ID, {})


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = f"conc-{uuid.uuid4().hex[:8]}"
        cls.program_ids, cls.partner_ids, cls.product_ids = [], [], []
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].create(
                [{"name": f"{cls.tag} customer {i}"} for i in range(3)]
            )
            cls.partner_ids = partners.ids
            program = env["loyalty.program"].create(
                {
                    "name": f"{cls.tag} members",
                    "program_type": "loyalty",
                    "is_member_program": True,
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
            coupons = env["loyalty.program"].create(
                {
                    "name": f"{cls.tag} coupons",
                    "program_type": "coupons",
                    # Anyone presenting the code: no member card scanned.
                    "coupon_bearer": True,
                    "trigger": "with_code",
                    "reward_ids": [
                        Command.create({"discount_mode": "per_order", "discount": 5})
                    ],
                }
            )
            cls.program_ids = [program.id, coupons.id]
            cls.product_ids = (
                program | coupons
            ).reward_ids.discount_line_product_id.ids
            Card = env["loyalty.card"]
            hot = Card.create(
                {"program_id": program.id, "partner_id": partners[0].id, "balance": 100}
            )
            hot._pin_set_new(PIN, PIN)
            locked = Card.create(
                {"program_id": program.id, "partner_id": partners[1].id, "balance": 50}
            )
            locked._pin_set_new(PIN, PIN)
            batch = env["loyalty.coupon.batch"].create(
                {"name": cls.tag, "program_id": coupons.id}
            )
            coupon = batch._issue_coupons([partners[2].id], 1)
            cls.hot_id, cls.locked_id, cls.coupon_code = hot.id, locked.id, coupon.code

    @classmethod
    def _remove_data(cls):
        """Delete everything the class made, ledger included (only this
        clean-up may: the application never deletes ledger lines)."""
        with cls.registry.cursor() as cr:
            programs = cls.program_ids or [0]
            cr.execute(
                "SELECT id FROM loyalty_card WHERE program_id = ANY(%s)", [programs]
            )
            cards = [row[0] for row in cr.fetchall()] or [0]
            cr.execute(
                "SELECT id FROM loyalty_coupon_batch WHERE program_id = ANY(%s)",
                [programs],
            )
            batches = [row[0] for row in cr.fetchall()] or [0]
            # The counter sessions the clients' operations opened.
            cr.execute(
                "SELECT session_id FROM loyalty_consumption "
                "WHERE card_id = ANY(%(c)s) OR coupon_id = ANY(%(c)s) "
                "UNION SELECT session_id FROM loyalty_topup WHERE card_id = ANY(%(c)s)",
                {"c": cards},
            )
            sessions = [row[0] for row in cr.fetchall() if row[0]] or [0]
            for query in (
                "DELETE FROM loyalty_consumption WHERE card_id = ANY(%(c)s) "
                "OR coupon_id = ANY(%(c)s)",
                "DELETE FROM loyalty_topup WHERE card_id = ANY(%(c)s)",
                "DELETE FROM loyalty_card_adjustment WHERE card_id = ANY(%(c)s)",
                "DELETE FROM loyalty_history WHERE card_id = ANY(%(c)s)",
                "DELETE FROM mail_message WHERE model = 'loyalty.card' "
                "AND res_id = ANY(%(c)s)",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.card' "
                "AND res_id = ANY(%(c)s)",
                "DELETE FROM mail_message WHERE model = 'loyalty.coupon.batch' "
                "AND res_id = ANY(%(b)s)",
                "DELETE FROM mail_followers WHERE res_model = 'loyalty.coupon.batch' "
                "AND res_id = ANY(%(b)s)",
                "DELETE FROM loyalty_card WHERE id = ANY(%(c)s)",
                "DELETE FROM loyalty_coupon_batch WHERE program_id = ANY(%(p)s)",
                "DELETE FROM loyalty_program WHERE id = ANY(%(p)s)",
                "DELETE FROM loyalty_request_key WHERE key LIKE %(tag)s",
                "DELETE FROM loyalty_counter_session s WHERE id = ANY(%(s)s) "
                "AND NOT EXISTS (SELECT 1 FROM loyalty_consumption "
                "WHERE session_id = s.id) "
                "AND NOT EXISTS (SELECT 1 FROM loyalty_topup WHERE session_id = s.id)",
            ):
                cr.execute(
                    query,
                    {
                        "c": cards,
                        "b": batches,
                        "p": programs,
                        "s": sessions,
                        "tag": f"{cls.tag}%",
                    },
                )
            env = api.Environment(cr, SUPERUSER_ID, {})
            products = env["product.product"].browse(cls.product_ids).exists()
            templates = products.product_tmpl_id
            products.unlink()
            templates.unlink()
            env["res.partner"].browse(cls.partner_ids).exists().unlink()

    def request(self, method, *args):
        """One client's request: its own transaction, retried on
        serialization failures with a short random back-off, as Odoo's
        request handler does. Returns ('ok', result) or ('error', message)."""
        for _attempt in range(40):
            with self.registry.cursor() as cr:
                env = thread_env(self.registry, cr)
                try:
                    return "ok", method(env, *args)
                except UserError as error:
                    cr.rollback()
                    return "error", str(error)
                except OperationalError as error:
                    cr.rollback()
                    if error.pgcode not in RETRYABLE:
                        raise
            time.sleep(random.uniform(0.005, 0.05))
        return "conflict", "too many retries"

    def run_clients(self, method, args_list):
        barrier = threading.Barrier(len(args_list))

        def client(args):
            barrier.wait(timeout=30)
            return self.request(method, *args)

        executor = ThreadPoolExecutor(max_workers=len(args_list))
        try:
            futures = [executor.submit(client, args) for args in args_list]
            return [future.result(timeout=180) for future in futures]
        finally:
            # Never wait for a stuck client: the test fails instead of hanging.
            executor.shutdown(wait=False, cancel_futures=True)

    def read_card(self, card_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT points, balance FROM loyalty_card WHERE id = %s", [card_id]
            )
            points, balance = (value or 0.0 for value in cr.fetchone())
            cr.execute(
                """SELECT account, COALESCE(SUM(delta), 0), COUNT(*)
                     FROM loyalty_history WHERE card_id = %s AND account IS NOT NULL
                    GROUP BY account""",
                [card_id],
            )
            ledger = {
                account: (float(total), count)
                for account, total, count in cr.fetchall()
            }
            cr.execute(
                "SELECT COUNT(*) FROM loyalty_consumption WHERE card_id = %s "
                "OR coupon_id = %s",
                [card_id, card_id],
            )
            consumptions = cr.fetchone()[0]
        return float(points), float(balance), ledger, consumptions

    @staticmethod
    def confirm(env, values):
        return env["loyalty.counter"].confirm(values)

    @mute_logger("odoo.sql_db")
    def test_hot_card_never_double_spends(self):
        """8 clients spend 30 each from a card holding 100, at once: at most
        three succeed, the balance never goes below zero and equals the sum
        of its ledger."""
        args = [
            (
                {
                    "card_id": self.hot_id,
                    "amount": 30,
                    "balance_used": 30,
                    "pin": PIN,
                    "idempotency_key": f"{self.tag}-hot-{i}",
                },
            )
            for i in range(CLIENTS)
        ]
        results = self.run_clients(self.confirm, args)
        successes = [r for status, r in results if status == "ok"]
        errors = [r for status, r in results if status == "error"]
        self.assertTrue(successes, results)
        self.assertLessEqual(len(successes), 3)
        for message in errors:
            self.assertRegex(message, "Not enough balance|balance is only")
        points, balance, ledger, consumptions = self.read_card(self.hot_id)
        self.assertEqual(balance, 100 - 30 * len(successes))
        self.assertGreaterEqual(balance, 0)
        self.assertEqual(ledger["balance"][0], balance, "card == sum of its ledger")
        self.assertEqual(ledger["points"][0], points)
        self.assertEqual(consumptions, len(successes), "no double spend")
        # Every success saw its own balance after: 70, 40, 10 in some order.
        self.assertEqual(
            sorted(r["balance_after"] for r in successes),
            [100 - 30 * n for n in range(len(successes), 0, -1)],
        )

    @mute_logger("odoo.sql_db")
    def test_single_use_coupon_once(self):
        args = [
            (
                {
                    "coupon_code": self.coupon_code,
                    "amount": 50,
                    "idempotency_key": f"{self.tag}-coupon-{i}",
                },
            )
            for i in range(CLIENTS)
        ]
        results = self.run_clients(self.confirm, args)
        statuses = [status for status, _result in results]
        self.assertEqual(statuses.count("ok"), 1, results)
        self.assertEqual(
            {r for status, r in results if status == "error"},
            {"This coupon code cannot be used."},
        )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT c.points, COUNT(co.id) FROM loyalty_card c "
                "LEFT JOIN loyalty_consumption co ON co.coupon_id = c.id "
                "WHERE c.code = %s GROUP BY c.points",
                [self.coupon_code],
            )
            self.assertEqual(cr.fetchall(), [(0.0, 1)])

    @mute_logger("odoo.sql_db")
    def test_replayed_key_one_effect(self):
        values = {
            "card_id": self.hot_id,
            "amount": 12,
            "idempotency_key": f"{self.tag}-replay",
        }
        before = self.read_card(self.hot_id)
        results = self.run_clients(self.confirm, [(dict(values),)] * CLIENTS)
        self.assertEqual({status for status, _r in results}, {"ok"}, results)
        self.assertEqual(len({r["id"] for _s, r in results}), 1, "one consumption")
        self.assertEqual(sum(1 for _s, r in results if not r["replayed"]), 1)
        points, balance, ledger, consumptions = self.read_card(self.hot_id)
        self.assertEqual(consumptions, before[3] + 1)
        self.assertEqual(points, before[0] + 12)
        self.assertEqual(ledger["points"][1], before[2].get("points", (0, 0))[1] + 1)

    def test_pin_lockout_survives_rollback(self):
        """Each wrong PIN fails its request (rolled back), yet the fifth one
        locks the card; then even the right PIN is refused."""

        def spend(env, pin):
            return env["loyalty.counter"].confirm(
                {
                    "card_id": self.locked_id,
                    "amount": 5,
                    "balance_used": 5,
                    "pin": pin,
                    "idempotency_key": f"{self.tag}-pin-{uuid.uuid4().hex}",
                }
            )

        messages = [self.request(spend, "135790")[1] for _i in range(5)]
        self.assertRegex(messages[0], "4 attempts left")
        self.assertRegex(messages[3], "1 attempts left")
        self.assertRegex(messages[4], "locked until")
        status, message = self.request(spend, PIN)
        self.assertEqual(status, "error")
        self.assertRegex(message, "locked until")
        points, balance, ledger, consumptions = self.read_card(self.locked_id)
        self.assertEqual((balance, consumptions), (50, 0))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["loyalty.card"].browse(self.locked_id)._pin_admin("unlock", "test")
        self.assertEqual(self.request(spend, PIN)[0], "ok")

    def test_concurrent_wrong_pins_count_five(self):
        """8 wrong PINs at once: exactly five are counted and lock the card."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["loyalty.card"].browse(self.locked_id)._pin_admin("unlock", "test")

        def attempt(env, pin):
            return (
                env["loyalty.card"].browse(self.locked_id)._pin_attempt(pin)["status"]
            )

        results = self.run_clients(attempt, [("135790",)] * CLIENTS)
        statuses = sorted(status for _ok, status in results)
        self.assertEqual(statuses, ["locked"] * 4 + ["wrong"] * 4)
        self.assertEqual(self.request(attempt, PIN)[1], "locked")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["loyalty.card"].browse(self.locked_id)._pin_admin("unlock", "test")
