from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import users

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TierCase


class TestAccess(TierCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Tier Company B"})
        cls.tier_b = cls.env["customer.tier"].create(
            {
                "name": "B Only",
                "rank": 1,
                "min_score": 0,
                "company_id": cls.company_b.id,
            }
        )
        cls.salesperson = mail_new_test_user(
            cls.env,
            login="tier_salesperson",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer = cls.make_customer(
            "Access Customer", manual=100, potential="5", user_id=cls.salesperson.id
        )
        cls.evaluate()

    @users("tier_salesperson")
    def test_salesperson_sees_own_company_tiers_only(self):
        customer = self.env["res.partner"].browse(self.customer.id)
        self.assertEqual(customer.commercial_tier_id.name, "Gold")
        tiers = self.env["customer.tier"].search([])
        self.assertIn(self.gold, tiers)
        self.assertNotIn(self.tier_b, tiers)
        with self.assertRaises(AccessError):
            self.env["customer.tier"].browse(self.tier_b.id).read(["name"])
        # History is for tier users.
        with self.assertRaises(AccessError):
            self.env["customer.tier.history"].search([])

    @users("tier_user")
    def test_tier_user_reads_but_cannot_configure(self):
        self.assertTrue(
            self.env["customer.tier.history"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )
        self.assertTrue(self.env["customer.tier.evaluation"].search([]))
        with self.assertRaises(AccessError):
            self.env["customer.tier"].browse(self.gold.id).write({"min_score": 85})
        with self.assertRaises(AccessError):
            self.env["customer.tier.indicator"].browse(self.manual.id).write(
                {"weight": 50}
            )
        with self.assertRaises(AccessError):
            self.env["customer.tier.indicator"].create(
                {"name": "x", "indicator_type": "manual"}
            )
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].create({})
        with self.assertRaises(AccessError):
            self.env["customer.tier.preview"].create({"company_id": self.company.id})
        with self.assertRaises(AccessError):
            self.env["customer.tier.history"].browse(1).write({"score": 1})
        self.assertEqual(self.gold.sudo().min_score, 80)

    @users("tier_manager")
    def test_manager_cannot_see_other_company(self):
        self.assertFalse(
            self.env["customer.tier"].search([("id", "=", self.tier_b.id)])
        )
        self.assertFalse(
            self.env["customer.tier.history"].search(
                [("company_id", "=", self.company_b.id)]
            )
        )
        self.env["customer.tier"].browse(self.gold.id).write({"min_score": 85})
