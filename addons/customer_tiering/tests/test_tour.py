from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTierTour(HttpCase):
    def test_manager_changes_weight_previews_applies(self):
        company = self.env["res.company"].create(
            {"name": "Tour Company", "tier_scope": "all"}
        )
        new_test_user(
            self.env,
            login="tier_tour_admin",
            groups="base.group_system,customer_tiering.group_customer_tier_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        env = self.env["base"].with_company(company).env
        gold, _basic = env["customer.tier"].create(
            [
                {
                    "name": "Tour Gold",
                    "rank": 1,
                    "min_score": 70,
                    "company_id": company.id,
                },
                {
                    "name": "Tour Basic",
                    "rank": 2,
                    "min_score": 0,
                    "company_id": company.id,
                },
            ]
        )
        env["customer.tier.indicator"].with_context(skip_tier_weight_check=True).create(
            [
                {
                    "name": "Tour Manual",
                    "indicator_type": "manual",
                    "weight": 50,
                    "scoring_method": "linear",
                    "lower_bound": 0,
                    "upper_bound": 100,
                    "company_id": company.id,
                },
                {
                    "name": "Tour Potential",
                    "indicator_type": "potential",
                    "weight": 50,
                    "scoring_method": "linear",
                    "lower_bound": 0,
                    "upper_bound": 5,
                    "company_id": company.id,
                },
            ]
        )
        customer = env["res.partner"].create(
            {
                "name": "Tour Rising Star",
                "is_company": True,
                "customer_rank": 1,
                "company_id": company.id,
                "tier_manual_score": 100,
            }
        )
        env["customer.tier.evaluation"]._launch_and_run(company)
        self.assertEqual(customer.with_company(company).tier_id.name, "Tour Basic")

        self.start_tour(
            "/odoo/settings#customer_tiering",
            "customer_tiering_weight_tour",
            login="tier_tour_admin",
        )
        customer.invalidate_recordset()
        self.assertEqual(customer.with_company(company).tier_id, gold)

    def test_admin_changes_tier_settings_in_chinese(self):
        """An administrator reading Chinese sees the tier settings and their
        options in Chinese, and changes how tier changes apply."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "web", "customer_tiering"], ["zh_CN"]
        )
        company = self.env["res.company"].create({"name": "Tour Company zh"})
        new_test_user(
            self.env,
            login="tier_tour_admin_zh",
            groups="base.group_system,customer_tiering.group_customer_tier_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            lang="zh_CN",
        )
        self.assertEqual(company.tier_apply_mode, "auto")
        self.start_tour(
            "/odoo/settings#customer_tiering",
            "customer_tiering_settings_zh_tour",
            login="tier_tour_admin_zh",
        )
        company.invalidate_recordset()
        self.assertEqual(company.tier_apply_mode, "review")
