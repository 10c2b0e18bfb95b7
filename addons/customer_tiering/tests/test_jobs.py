import logging

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_tiering.tools import jobs

_logger = logging.getLogger("odoo.addons.customer_tiering.tests.test_jobs")


class JobDown(Exception):
    """A failure of the whole job (a mail server down, a bug)."""


@tagged("post_install", "-at_install")
class TestRunIsolated(TransactionCase):
    """``run_isolated``: a batch whose items all fail with business errors
    is the records' fault (logged, skipped); with other errors only, it is
    the job's (raised)."""

    def run_items(self, items, failing):
        def process(batch):
            for item, error in failing.items():
                if item in batch:
                    raise error
            return list(batch)

        return jobs.run_isolated(
            self.env, items, process, lambda item: f"Item {item}", _logger
        )

    def test_some_items_fail(self):
        with self.assertLogs(_logger, level="ERROR") as logs:
            done = self.run_items(["a", "b", "c"], {"b": JobDown("b broke")})
        self.assertEqual(done, ["a", "c"])
        self.assertEqual(len(logs.records), 1)
        self.assertIn("Item b", logs.output[0])

    def test_every_item_fails_with_business_errors(self):
        failing = {
            "a": UserError("a has no journal"),
            "b": ValidationError("b is invalid"),
        }
        with self.assertLogs(_logger, level="ERROR") as logs:
            done = self.run_items(["a", "b"], failing)
        self.assertEqual(done, [])
        self.assertEqual(
            [record.getMessage() for record in logs.records],
            [
                "Item a failed; skipped, the job goes on.",
                "Item b failed; skipped, the job goes on.",
            ],
        )

    def test_one_business_error_among_other_failures(self):
        failing = {"a": JobDown("down"), "b": UserError("b has no journal")}
        with self.assertLogs(_logger, level="ERROR") as logs:
            self.assertEqual(self.run_items(["a", "b"], failing), [])
        self.assertEqual(len(logs.records), 2)

    def test_every_item_fails_with_the_job(self):
        failing = {"a": JobDown("mail server down"), "b": JobDown("still down")}
        with self.assertRaisesRegex(JobDown, "mail server down"):
            self.run_items(["a", "b"], failing)
