from unittest.mock import patch

from odoo.tools import mute_logger

from .common import TierCase, evaluate_skipping_one


class SimulatedCrash(Exception):
    pass


class TestBatching(TierCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("customer_tiering.batch_size", 3)
        cls.customers = cls.env["res.partner"]
        for i in range(10):
            cls.customers |= cls.make_customer(
                f"Batch {i}", manual=i * 11, potential=str(i % 6)
            )

    def run_batch_committed(self, evaluation):
        """One batch in its own savepoint, as the scheduler commits each one."""
        with self.env.cr.savepoint():
            return evaluation._process_batch()

    def test_batches_and_counts(self):
        evaluation = self.Evaluation._launch(self.company, "manual")
        self.assertEqual(evaluation._remaining_count(), 10)
        self.assertEqual(self.run_batch_committed(evaluation), 3)
        self.assertEqual(evaluation._remaining_count(), 7)
        evaluation._run_to_end()
        self.assertEqual(evaluation.state, "done")
        self.assertEqual((evaluation.batch_count, evaluation.count_evaluated), (4, 10))

    def test_crash_after_batch_then_resume(self):
        """A crash in batch 3 loses batch 3 only; resuming grades every
        customer exactly once."""
        evaluation = self.Evaluation._launch(self.company, "manual")
        self.run_batch_committed(evaluation)
        self.run_batch_committed(evaluation)
        original = type(self.History)._notify_tier_changes

        def crash(records):
            original(records)
            raise SimulatedCrash()

        with patch.object(type(self.History), "_notify_tier_changes", crash):
            with self.assertRaises(SimulatedCrash):
                self.run_batch_committed(evaluation)
        evaluation.invalidate_recordset()
        self.assertEqual(
            evaluation.count_evaluated, 6, "the crashed batch left no trace"
        )
        self.assertEqual(
            self.History.search_count([("evaluation_id", "=", evaluation.id)]), 6
        )
        while self.run_batch_committed(evaluation):
            pass
        history = self.History.search([("evaluation_id", "=", evaluation.id)])
        self.assertEqual(sorted(history.partner_id.ids), sorted(self.customers.ids))
        self.assertEqual(evaluation.count_evaluated, 10)
        self.assertEqual(evaluation.count_new, 10)
        self.assertTrue(all(self.tier_of(c) for c in self.customers))

    def test_one_bad_customer_is_skipped_and_logged(self):
        """A customer whose grading fails (here a hook raising for them) is
        logged and skipped; the others of the batch are graded, and the run
        goes on to the end."""
        bad = self.customers[4]
        original = type(self.History)._notify_tier_changes

        def notify(records):
            if bad in records.partner_id:
                raise SimulatedCrash("bad customer")
            return original(records)

        evaluation = evaluate_skipping_one(
            self, self.evaluate, bad, type(self.History), "_notify_tier_changes", notify
        )
        self.assertEqual(evaluation.count_evaluated, 9)
        self.assertFalse(self.tier_of(bad))
        self.assertTrue(all(self.tier_of(c) for c in self.customers - bad))

    def test_rerun_writes_nothing(self):
        self.evaluate()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)",
            [self.customers.ids],
        )
        written = self.env.cr.fetchone()[0]
        history_before = self.History.search_count([])
        evaluation = self.Evaluation._launch(self.company, "manual")
        # A batch: lock the run, JIT off, the scope, one query per indicator,
        # the customers' state, their purchase facts and lifecycle stages,
        # the run's counters, and the savepoint that isolates its customers;
        # whatever its size.
        with self.assertQueryCount(12):
            evaluation._process_batch()
        evaluation._run_to_end()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)",
            [self.customers.ids],
        )
        self.assertEqual(self.env.cr.fetchone()[0], written, "no customer written")
        self.assertEqual(self.History.search_count([]), history_before)
        self.assertEqual(evaluation.count_unchanged, 10)

    def test_query_count_independent_of_batch_size(self):
        self.evaluate()
        counts = []
        for size in (2, 6):
            self.env["ir.config_parameter"].set_param(
                "customer_tiering.batch_size", size
            )
            evaluation = self.Evaluation._launch(self.company, "manual")
            self.env.flush_all()
            queries_before = self.env.cr.sql_log_count
            evaluation._process_batch()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries_before)
            evaluation.action_cancel()
        self.assertEqual(counts[0], counts[1])

    @mute_logger("odoo.addons.customer_tiering.models.customer_tier_evaluation")
    def test_cron_runs_due_companies_batch_by_batch(self):
        cron = self.env.ref("customer_tiering.ir_cron_evaluate_tiers")
        self.company.tier_next_evaluation_date = False
        progress = []
        with patch.object(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda self_, done, remaining, deactivate=False: progress.append(
                (done, remaining)
            ),
        ):
            for _i in range(6):
                with self.env.cr.savepoint():
                    cron.method_direct_trigger()
                if progress and progress[-1][1] == 0:
                    break
        evaluation = self.Evaluation.search([("company_id", "=", self.company.id)])
        self.assertEqual(evaluation.trigger, "cron")
        self.assertEqual(evaluation.state, "done")
        self.assertEqual(evaluation.count_evaluated, 10)
        mine = [p for p in progress if p[0]]
        self.assertEqual([p[0] for p in mine], [3, 3, 3, 1])
        self.assertEqual(mine[-1][1], 0)
        self.assertTrue(self.company.tier_next_evaluation_date)

    def test_tier_changes_read_once_per_batch(self):
        """The hooks of a batch share one read of its tier changes: the facts
        are read once and handed to every ``_on_tier_changes``."""
        History = type(self.History)
        reads, seen = [], []
        original_read, original_hook = History._tier_changes, History._on_tier_changes

        def read(records):
            reads.append(records.ids)
            return original_read(records)

        def hook(records, changes):
            seen.append(changes)
            return original_hook(records, changes)

        with (
            patch.object(History, "_tier_changes", read),
            patch.object(History, "_on_tier_changes", hook),
        ):
            self.evaluate()
        self.assertEqual(len(reads), len(seen), "one read per batch")
        history = self.History.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(
            {(c.partner_id, c.new_tier_id) for changes in seen for c in changes},
            {(h.partner_id.id, h.new_tier_id.id) for h in history},
        )
