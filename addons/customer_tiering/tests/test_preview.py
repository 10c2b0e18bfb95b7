from odoo.tests import users

from .common import TierCase

COUNTS = (
    "count_evaluated",
    "count_new",
    "count_up",
    "count_down",
    "count_unchanged",
    "count_locked",
)


class TestPreview(TierCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for i in range(12):
            cls.customers |= cls.make_customer(
                f"Preview {i}", manual=i * 9, potential=str(i % 6)
            )
        cls.env["ir.config_parameter"].set_param("customer_tiering.batch_size", 5)

    def snapshot(self):
        self.env.invalidate_all()
        return [
            (
                c.with_company(self.company).tier_id.id,
                c.with_company(self.company).tier_score,
            )
            for c in self.customers
        ]

    def assert_preview_equals_evaluation(self, preview, evaluation):
        for fname in COUNTS:
            self.assertEqual(preview[fname], evaluation[fname], fname)
        lines = {
            str(line.tier_id.id or 0): line.count
            for line in preview.line_ids
            if line.count
        }
        self.assertEqual(lines, evaluation.tier_distribution)

    @users("tier_manager")
    def test_preview_equals_apply(self):
        self.customers[0]._tier_override(self.silver, "Kept")
        before = self.snapshot()
        action = self.env["customer.tier.preview"].action_open_saved()
        preview = self.env["customer.tier.preview"].browse(action["res_id"])
        self.assertEqual(self.snapshot(), before, "the preview writes nothing")
        self.assertEqual(preview.count_evaluated, 12)
        self.assertEqual(preview.count_locked, 1)
        evaluation = self.applied(preview)
        self.assert_preview_equals_evaluation(preview, evaluation)

        # Again with movements both ways and a pending consecutive downgrade.
        self.company.sudo().write(
            {"tier_downgrade_policy": "consecutive", "tier_downgrade_after": 2}
        )
        self.customers[5:].sudo().write({"tier_manual_score": 0})
        self.customers[:3].sudo().write({"tier_potential": "5"})
        preview = self.env["customer.tier.preview"].browse(
            self.env["customer.tier.preview"].action_open_saved()["res_id"]
        )
        evaluation = self.applied(preview)
        self.assertTrue(evaluation.count_up)
        self.assert_preview_equals_evaluation(preview, evaluation)

    def test_preview_with_unsaved_settings_then_apply(self):
        self.evaluate()
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        manual_line = settings.tier_weight_line_ids.filtered(
            lambda line: line.indicator_id == self.manual
        )
        potential_line = settings.tier_weight_line_ids - manual_line
        settings.tier_weight_line_ids = [
            (1, manual_line.id, {"weight": 20}),
            (1, potential_line.id, {"weight": 80}),
        ]
        before = self.snapshot()
        preview = self.env["customer.tier.preview"].browse(
            settings.action_tier_preview()["res_id"]
        )
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(
            self.manual.weight, 60, "the settings are not saved by a preview"
        )
        self.assertTrue(preview.count_up or preview.count_down)
        evaluation = self.applied(preview)
        self.assertEqual(self.manual.weight, 20, "apply saved the settings")
        self.assert_preview_equals_evaluation(preview, evaluation)

    def applied(self, preview):
        """Apply ``preview``: it says what happened, then opens the
        evaluation, which is returned."""
        action = preview.action_apply()
        self.assertEqual(action["tag"], "display_notification")
        evaluation = self.env["customer.tier.evaluation"].browse(
            action["params"]["next"]["res_id"]
        )
        self.assertIn(evaluation.name, action["params"]["message"])
        self.assertIn(
            f"Customers graded: {evaluation.count_evaluated}",
            action["params"]["message"],
        )
        return evaluation

    @users("tier_manager")
    def test_preview_from_the_menu_edits_weights(self):
        """From the menu, the preview edits the weights: Refresh shows what
        they would do, Apply saves them and evaluates; a customer without a
        tier is counted on a row that says so."""
        self.make_customer("Nobody Yet", manual=0, potential="0")
        action = self.env["customer.tier.preview"].action_open_saved()
        preview = self.env["customer.tier.preview"].browse(action["res_id"])
        self.assertEqual(
            {line.indicator_id: line.weight for line in preview.weight_line_ids},
            {self.manual: 60, self.potential: 40},
        )
        self.assertIn("Basic", preview.line_ids.mapped("name"))
        preview.weight_line_ids.filtered(
            lambda line: line.indicator_id == self.manual
        ).weight = 20
        preview.weight_line_ids.filtered(
            lambda line: line.indicator_id == self.potential
        ).weight = 80
        preview.action_refresh()
        self.assertEqual(self.manual.weight, 60, "a refresh saves nothing")
        evaluation = self.applied(preview)
        self.assertEqual((self.manual.weight, self.potential.weight), (20, 80))
        self.assert_preview_equals_evaluation(preview, evaluation)
        preview.weight_line_ids[0].weight += 1
        with self.assertRaisesMessage(Exception, "must add up to 100"):
            preview.action_apply()

    def test_no_tier_row_is_named(self):
        Line = self.env["customer.tier.preview.line"]
        self.assertEqual(Line.new({"tier_id": False}).name, "No tier")
        self.assertEqual(Line.new({"tier_id": self.gold.id}).name, "Gold")

    def test_preview_refuses_bad_weights(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        line = settings.tier_weight_line_ids[0]
        settings.tier_weight_line_ids = [(1, line.id, {"weight": line.weight + 1})]
        with self.assertRaisesMessage(Exception, "must add up to 100"):
            settings.action_tier_preview()
