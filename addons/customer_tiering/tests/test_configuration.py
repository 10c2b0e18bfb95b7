from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, users

from .common import TierCase


class TestConfiguration(TierCase):
    """Bad configuration gets a clear error and changes nothing."""

    def assert_unchanged(self, records, fname):
        values = records.mapped(fname)
        records.invalidate_recordset()
        self.assertEqual(records.mapped(fname), values)

    def test_weights_must_add_up_to_100(self):
        with self.assertRaisesMessage(
            ValidationError, "must add up to 100%; they add up to 90"
        ):
            self.manual.weight = 50
        self.manual.invalidate_recordset()
        self.assertEqual(self.manual.weight, 60)
        with self.assertRaisesMessage(ValidationError, "add up to 60"):
            self.potential.active = False
        with self.assertRaisesMessage(ValidationError, "add up to 110"):
            self.Indicator.create(
                {
                    "name": "Extra",
                    "indicator_type": "manual",
                    "weight": 10,
                    "company_id": self.company.id,
                }
            )
        self.assertEqual(
            self.Indicator.search_count([("company_id", "=", self.company.id)]), 2
        )
        # Several weights together, in one step, are fine.
        (self.manual + self.potential).with_context(skip_tier_weight_check=True).write(
            {"weight": 50}
        )
        self.Indicator._check_company_weight_totals(self.company)

    def test_evaluation_refuses_bad_weights(self):
        self.manual.with_context(skip_tier_weight_check=True).weight = 10
        with self.assertRaisesMessage(UserError, "add up to 50"):
            self.evaluate()
        self.assertFalse(self.Evaluation.search([("company_id", "=", self.company.id)]))

    def test_settings_weights_checked_once_and_atomic(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        lines = settings.tier_weight_line_ids.sorted(lambda line: line.indicator_id.id)
        self.assertEqual(lines.mapped("weight"), [60, 40])
        settings.tier_weight_line_ids = [
            (1, lines[0].id, {"weight": 70}),
            (1, lines[1].id, {"weight": 30}),
        ]
        settings.execute()
        self.assertEqual((self.manual.weight, self.potential.weight), (70, 30))

        settings = (
            self.env["res.config.settings"]
            .with_company(self.company)
            .create({"tier_downgrade_policy": "consecutive"})
        )
        lines = settings.tier_weight_line_ids.sorted(lambda line: line.indicator_id.id)
        settings.tier_weight_line_ids = [(1, lines[0].id, {"weight": 10})]
        with self.assertRaisesMessage(ValidationError, "add up to 40"):
            settings.execute()

    def test_negative_or_out_of_range_values(self):
        with self.assertRaisesMessage(
            ValidationError, "minimum score of tier Gold must lie between 0 and 100"
        ):
            self.gold.min_score = -5
        with self.assertRaisesMessage(
            ValidationError, "Band thresholds cannot be negative"
        ):
            self.env["customer.tier.indicator.band"].create(
                {"indicator_id": self.manual.id, "threshold": -1, "points": 10}
            )
        with self.assertRaisesMessage(
            ValidationError, "Band points must lie between 0 and 100"
        ):
            self.env["customer.tier.indicator.band"].create(
                {"indicator_id": self.manual.id, "threshold": 1, "points": 101}
            )
        with self.assertRaisesMessage(
            ValidationError, "cannot ask for a negative value"
        ):
            self.env["customer.tier.requirement"].create(
                {"tier_id": self.gold.id, "indicator_id": self.manual.id, "value": -3}
            )
        with self.assertRaisesMessage(
            ValidationError, "upper bound of indicator Manual must be greater"
        ):
            self.manual.upper_bound = 0
        with self.assertRaisesMessage(ValidationError, "at least one month"):
            self.manual.period_months = 0
        self.assert_unchanged(self.gold, "min_score")
        self.assertFalse(self.gold.requirement_ids)
        self.assertFalse(self.manual.band_ids)

    def test_overlapping_bands(self):
        self.manual.write(
            {
                "scoring_method": "bands",
                "band_ids": [(0, 0, {"threshold": 10, "points": 50})],
            }
        )
        with self.assertRaisesMessage(
            ValidationError, "bands of indicator Manual overlap"
        ):
            self.manual.write({"band_ids": [(0, 0, {"threshold": 10, "points": 70})]})
        self.assertEqual(self.manual.band_ids.mapped("points"), [50])

    def test_tiers_with_the_same_minimum_score(self):
        with self.assertRaisesMessage(
            ValidationError, "Tier Silver \\(rank 2\\) needs a higher minimum score"
        ):
            self.bronze.min_score = 50
        with self.assertRaisesMessage(ValidationError, "needs a higher minimum score"):
            self.Tier.create(
                {
                    "name": "Platinum",
                    "rank": 5,
                    "min_score": 90,
                    "company_id": self.company.id,
                }
            )
        self.assertEqual(
            self.Tier.search_count([("company_id", "=", self.company.id)]), 4
        )
        self.assert_unchanged(self.bronze, "min_score")

    @users("tier_manager")
    def test_ladder_requirements_climb(self):
        """A better tier asks at least what the tiers below it ask of each
        hard requirement, else a customer could qualify for the better tier
        and not for the next one; every way to break the ladder is refused
        and changes nothing."""
        Requirement = self.env["customer.tier.requirement"]
        silver = self.env["customer.tier"].browse(self.silver.id)
        gold = self.env["customer.tier"].browse(self.gold.id)
        with self.assertRaisesMessage(
            ValidationError, "Tier Gold \\(rank 1\\) must ask at least as much"
        ):
            Requirement.create(
                {"tier_id": silver.id, "indicator_id": self.manual.id, "value": 40}
            )
        gold_requirement = Requirement.create(
            {"tier_id": gold.id, "indicator_id": self.manual.id, "value": 60}
        )
        silver_requirement = Requirement.create(
            {"tier_id": silver.id, "indicator_id": self.manual.id, "value": 40}
        )
        with self.assertRaisesMessage(ValidationError, "must ask at least as much"):
            gold_requirement.value = 30
        with self.assertRaisesMessage(ValidationError, "must ask at least as much"):
            gold_requirement.operator = "<="
        with self.assertRaisesMessage(ValidationError, "must ask at least as much"):
            gold_requirement.unlink()
        with self.assertRaisesMessage(ValidationError, "must ask at least as much"):
            silver_requirement.value = 70
        self.assertEqual(gold.requirement_ids.mapped("value"), [60])
        self.assertEqual(silver.requirement_ids.mapped("value"), [40])
        # Removing the lower tier's requirement first keeps the ladder sound.
        silver_requirement.unlink()
        gold_requirement.unlink()
        # Archived tiers are off the ladder; back on it, they are checked.
        bronze = self.env["customer.tier"].browse(self.bronze.id)
        bronze.active = False
        bronze.min_score = 60
        with self.assertRaisesMessage(ValidationError, "needs a higher minimum score"):
            bronze.active = True

    def test_periods_and_bounds_within_reason(self):
        """An indicator period of two billion months or an infinite bound
        would make every evaluation fail: refused at once."""
        for values, message in (
            ({"period_months": 2147483647}, "at most 120 months"),
            ({"period_months": 121}, "at most 120 months"),
            ({"lower_bound": float("inf")}, "must be numbers"),
            ({"upper_bound": 1e300}, "must be numbers"),
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(ValidationError, message):
                    self.manual.write(values)
        self.assertEqual(self.manual.period_months, 12)
        with self.assertRaisesMessage(ValidationError, "at most 120 months"):
            self.company.tier_period_months = 10_000
        with self.assertRaisesMessage(ValidationError, "at most 12 evaluations"):
            self.company.tier_downgrade_after = 1000

    def test_settings_bad_values(self):
        for values, message in (
            ({"tier_period_months": 0}, "at least one month"),
            (
                {"tier_downgrade_policy": "consecutive", "tier_downgrade_after": 0},
                "at least one evaluation",
            ),
        ):
            settings = (
                self.env["res.config.settings"]
                .with_company(self.company)
                .create(values)
            )
            with self.assertRaisesMessage(ValidationError, message):
                settings.execute()
        self.assertEqual(self.company.tier_period_months, 12)
        self.assertEqual(self.company.tier_downgrade_policy, "immediate")

    @users("tier_manager")
    def test_manager_configures_tiers(self):
        form = Form(self.env["customer.tier"])
        form.name = "Platinum"
        form.rank = 5
        form.min_score = 10
        with self.assertRaisesMessage(ValidationError, "needs a higher minimum score"):
            form.save()
        tier = self.env["customer.tier"].browse(self.basic.id)
        tier.min_score = 5
        self.assertEqual(tier.min_score, 5)

    def test_settings_choices_are_translated(self):
        """The Settings page offers its choices in the user's language, as the
        company's fields do (a callable selection would stay English)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_tiering"], ["zh_CN"])
        env = self.env(context={"lang": "zh_CN"})
        for fname in (
            "tier_evaluation_cadence",
            "tier_scope",
            "tier_downgrade_policy",
            "tier_apply_mode",
        ):
            with self.subTest(field=fname):
                settings = dict(
                    env["res.config.settings"]
                    ._fields[fname]
                    ._description_selection(env)
                )
                company = dict(
                    env["res.company"]._fields[fname]._description_selection(env)
                )
                self.assertEqual(settings, company)
                self.assertNotEqual(
                    settings,
                    dict(env["res.company"]._fields[fname].selection),
                    "translated",
                )
