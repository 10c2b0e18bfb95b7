import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

CUSTOMERS = 6


# After the installation: while modules load, the loading thread holds the
# registry lock that a second thread's environment needs.
@tagged("post_install", "-at_install")
class TestConcurrentPlanning(TransactionCase):
    """Two workers planning at once, with two real database cursors.

    The data is created and committed through a cursor of its own (the test
    transaction is invisible to other cursors) and removed again after the
    class, whatever happened.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(cls._remove_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Concurrent {i}",
                        "is_company": True,
                        "ref": "rp-concurrency",
                        "company_id": company.id,
                    }
                    for i in range(CUSTOMERS)
                ]
            )
            rule = env["revisit.rule"].create(
                {
                    "name": "Concurrency rule",
                    "company_id": company.id,
                    "partner_domain": "[('ref', '=', 'rp-concurrency')]",
                    "cadence_number": 1,
                    "cadence_unit": "months",
                    "lead_days": 0,
                    "responsible": "fixed",
                    "user_id": env.ref("base.user_admin").id,
                }
            )
            cls.partner_ids, cls.rule_id = partners.ids, rule.id

    @classmethod
    def _remove_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            records = env["revisit.record"].search(
                [("partner_id", "in", cls.partner_ids)]
            )
            records.activity_id.unlink()
            records.unlink()
            env["revisit.rule"].browse(cls.rule_id).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _counts(self):
        """{partner id: planned revisits}, read by a fresh cursor."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT partner_id, COUNT(*) FROM revisit_record "
                "WHERE partner_id = ANY(%s) AND state = 'planned' "
                "GROUP BY partner_id",
                [self.partner_ids],
            )
            return dict(cr.fetchall())

    def _plan(self, cr):
        """What the scheduled action does for the rule: the day's stale pass,
        then a batch."""
        # A lock wait fails the test rather than hang it.
        cr.execute("SET LOCAL lock_timeout = '20s'")
        env = self._env(cr)
        rule = env["revisit.rule"].browse(self.rule_id)
        rule._plan_step()
        return rule._plan_step()

    def setUp(self):
        super().setUp()
        self.addCleanup(self._reset)
        self._reset()

    def _reset(self):
        """No revisit of the test's customers, the rule not yet run today."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            records = env["revisit.record"].search(
                [("partner_id", "in", self.partner_ids)]
            )
            records.activity_id.unlink()
            records.unlink()
            env["revisit.rule"].browse(self.rule_id).write(
                {"date_scan": False, "scan_done": False, "scan_cursor": 0}
            )

    def test_two_workers_at_once(self):
        """Worker B runs while worker A has planned but not committed yet: B
        skips the rule A holds instead of planning it again or waiting."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            planned_a, _remaining = self._plan(cr_a)
            planned_b, _remaining = self._plan(cr_b)
            cr_a.commit()
            cr_b.commit()
        self.assertEqual((planned_a, planned_b), (CUSTOMERS, 0))
        self.assertEqual(self._counts(), dict.fromkeys(self.partner_ids, 1))

    def test_worker_with_an_older_snapshot(self):
        """Worker B started before A committed (its snapshot does not show A's
        revisits): it skips the rule rather than plan again or fail."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            cr_b.execute("SELECT COUNT(*) FROM revisit_record")  # B's snapshot
            planned_a, _remaining = self._plan(cr_a)
            cr_a.commit()
            planned_b, _remaining = self._plan(cr_b)
            cr_b.commit()
        self.assertEqual((planned_a, planned_b), (CUSTOMERS, 0))
        self.assertEqual(self._counts(), dict.fromkeys(self.partner_ids, 1))

    def test_immediate_rerun(self):
        with self.registry.cursor() as cr:
            self.assertEqual(self._plan(cr)[0], CUSTOMERS)
        with self.registry.cursor() as cr:
            self.assertEqual(self._plan(cr), (0, 0))
        self.assertEqual(self._counts(), dict.fromkeys(self.partner_ids, 1))

    def test_api_from_two_transactions(self):
        """Two requests plan a revisit for the same customer and origin at
        once: the second one, whose snapshot does not show the first one's
        revisit, is refused by the unique index (PostgreSQL reports a
        serialization failure, which Odoo retries as a request; the retry
        returns the first revisit). Never two planned revisits."""
        partner_id = self.partner_ids[0]
        origin_id = self.partner_ids[1]

        def schedule(cr):
            env = self._env(cr)
            return env["revisit.record"].schedule_revisit(
                env["res.partner"].browse(partner_id),
                "Ticket closed",
                origin=env["res.partner"].browse(origin_id),
            )

        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            cr_b.execute("SELECT COUNT(*) FROM revisit_record")  # B's snapshot
            first = schedule(cr_a).id
            cr_a.commit()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.SerializationFailure),
            ):
                schedule(cr_b)
            cr_b.rollback()
        self.assertEqual(self._counts(), {partner_id: 1})
        # The retry finds the revisit planned first.
        with self.registry.cursor() as cr:
            self.assertEqual(schedule(cr).id, first)
        self.assertEqual(self._counts(), {partner_id: 1})
