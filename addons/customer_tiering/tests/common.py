from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


def evaluate_skipping_one(case, evaluate, bad, owner, name, replacement):
    """Run ``evaluate()`` with ``owner.name`` patched by ``replacement`` (a
    hook that fails for the customer ``bad``), assert that the run logs
    exactly one error, naming that customer, and ends; return the run."""
    with (
        patch.object(owner, name, replacement),
        case.assertLogs(
            "odoo.addons.customer_tiering.models.customer_tier_evaluation", "ERROR"
        ) as logs,
    ):
        evaluation = evaluate()
    case.assertEqual(len(logs.output), 1)
    case.assertIn(f"(id {bad.id})", logs.output[0])
    case.assertEqual(evaluation.state, "done")
    return evaluation


class TierCase(TransactionCase):
    """A company of its own with four tiers and two indicators that need no
    accounting (a manual score, 60 %, and the potential rating, 40 %), and a
    helper to make customers with a given manual score and potential."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Tier Test Company"})
        cls.env = cls.env["base"].with_company(cls.company).env
        cls.company.write({"tier_scope": "all"})
        # Scope "all customers" takes the customers shared by every company
        # too (such as demo data): keep only this test's customers.
        cls.env["res.partner"].search([("customer_rank", ">", 0)]).customer_rank = 0
        cls.Tier = cls.env["customer.tier"]
        cls.Indicator = cls.env["customer.tier.indicator"]
        cls.Evaluation = cls.env["customer.tier.evaluation"]
        cls.History = cls.env["customer.tier.history"]
        cls.gold, cls.silver, cls.bronze, cls.basic = cls.Tier.create(
            [
                {
                    "name": "Gold",
                    "rank": 1,
                    "min_score": 80,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Silver",
                    "rank": 2,
                    "min_score": 50,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Bronze",
                    "rank": 3,
                    "min_score": 20,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Basic",
                    "rank": 4,
                    "min_score": 0,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.manual, cls.potential = cls.Indicator.create(
            [
                {
                    "name": "Manual",
                    "indicator_type": "manual",
                    "weight": 60,
                    "scoring_method": "linear",
                    "lower_bound": 0,
                    "upper_bound": 100,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Potential",
                    "indicator_type": "potential",
                    "weight": 40,
                    "scoring_method": "linear",
                    "lower_bound": 0,
                    "upper_bound": 5,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.manager = mail_new_test_user(
            cls.env,
            login="tier_manager",
            name="Tier Manager",
            groups="base.group_user,customer_tiering.group_customer_tier_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.tier_user = mail_new_test_user(
            cls.env,
            login="tier_user",
            name="Tier User",
            groups="base.group_user,customer_tiering.group_customer_tier_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def make_customer(cls, name, manual=0.0, potential="0", **values):
        """A customer of the test company; manual score 100 and potential 5
        give 100 points."""
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "company_id": cls.company.id,
                "tier_manual_score": manual,
                "tier_potential": potential,
                **values,
            }
        )

    @contextmanager
    def assertRaisesMessage(self, exception, pattern):
        """assertRaises (which rolls back to a savepoint) and check the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)

    @classmethod
    def evaluate(cls, company=None):
        """Run a manual evaluation to the end; return it."""
        company = company or cls.company
        return (
            cls.env["customer.tier.evaluation"]
            .with_company(company)
            ._launch_and_run(company)
        )

    def tier_of(self, partner, company=None):
        return partner.with_company(company or self.company).tier_id
