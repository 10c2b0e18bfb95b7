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

    def test_contact_editors_cannot_set_tiers(self):
        """Anyone who may edit contacts (Odoo gives every employee "Contact
        Creation") cannot write a customer's tier, score or lock, nor the
        manager's manual score: only the evaluation and Set Tier by Hand do,
        with their history. The salesperson's own inputs stay theirs."""
        editor = mail_new_test_user(
            self.env,
            login="tier_contact_editor",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        customer = self.customer.with_user(editor)
        history_before = self.History.search_count([])
        for values in (
            {"tier_id": self.silver.id},
            {"tier_score": 99},
            {"tier_locked": True, "tier_lock_until": "2099-12-31"},
            {"tier_lock_reason": "mine"},
            {"tier_below_count": 0},
            {"tier_manual_score": 100},
            {"tier_id": 999999},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                customer.write(values)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(editor).create(
                {"name": "Born VIP", "tier_id": self.gold.id}
            )
        self.assertEqual(self.tier_of(self.customer), self.gold)
        self.assertEqual(self.History.search_count([]), history_before)
        customer.write({"tier_potential": "3", "phone": "+86 21 5555 0000"})
        self.assertEqual(self.customer.tier_potential, "3")
        scorer = mail_new_test_user(
            self.env,
            login="tier_scorer",
            groups="base.group_user,base.group_partner_manager,"
            "customer_tiering.group_customer_tier_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.customer.with_user(scorer).write({"tier_manual_score": 50})
        self.assertEqual(self.customer.tier_manual_score, 50)

    def test_merging_contacts_is_not_refused(self):
        """Odoo's contact merge writes every field of the duplicates onto the
        one kept: the tier fields it would write are left out instead of
        refusing the merge (Odoo carries the company-dependent values over
        itself, so the merged customer keeps a tier)."""
        duplicate = self.make_customer("Access Customer Duplicate", manual=0)
        self.assertFalse(self.tier_of(duplicate))
        # Odoo's merge reads every field of a contact: an administrator's job
        # (not the superuser's).
        merger = self.env.ref("base.user_admin")
        merger.company_ids = [Command.link(self.company.id)]
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(merger)
            .with_company(self.company)
            .create({"state": "selection"})
        )
        wizard._merge((duplicate | self.customer).ids, duplicate)
        self.assertFalse(self.customer.exists())
        self.assertEqual(self.tier_of(duplicate), self.gold)
        evaluation = self.evaluate()
        self.assertTrue(
            self.History.search(
                [
                    ("partner_id", "=", duplicate.id),
                    ("evaluation_id", "=", evaluation.id),
                ]
            ),
            "graded by the next evaluation",
        )
