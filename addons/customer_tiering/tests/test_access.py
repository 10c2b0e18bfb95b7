from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
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


class TestOwnCustomers(TierCase):
    """The Own Customers Only group: a salesperson sees the customers they
    look after (as salesperson or in the account team), not the others;
    colleagues, suppliers and the companies stay visible, and Odoo's own
    flows keep working for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = (
            "base.group_user,base.group_partner_manager,"
            "customer_tiering.group_own_customers"
        )
        cls.restricted = mail_new_test_user(
            cls.env,
            login="own_customers_only",
            name="Restricted Salesperson",
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.colleague = mail_new_test_user(
            cls.env,
            login="own_customers_colleague",
            name="Colleague",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.mine = cls.make_customer("Mine", user_id=cls.restricted.id)
        cls.mine_contact = cls.env["res.partner"].create(
            {"name": "Mine's Buyer", "parent_id": cls.mine.id}
        )
        cls.in_team = cls.make_customer(
            "In My Team",
            user_id=cls.colleague.id,
            account_team_ids=[Command.set(cls.restricted.ids)],
        )
        cls.theirs = cls.make_customer("Theirs", user_id=cls.colleague.id)
        cls.supplier = cls.env["res.partner"].create(
            {"name": "Supplier", "is_company": True}
        )

    def test_sees_own_customers_only(self):
        Partner = self.env["res.partner"].with_user(self.restricted)
        visible = Partner.search([("id", "in", self.all_ids())])
        self.assertEqual(
            visible,
            self.mine
            | self.mine_contact
            | self.in_team
            | self.supplier
            | self.colleague.partner_id
            | self.company.partner_id,
        )
        with self.assertRaises(AccessError):
            Partner.browse(self.theirs.id).read(["name"])
        with self.assertRaises(AccessError):
            Partner.browse(self.theirs.id).write({"phone": "1"})
        # Their own customers: read, write, talk to them.
        Partner.browse(self.mine.id).write({"phone": "+86 10 1234 5678"})
        Partner.browse(self.mine.id).message_post(body="Called them.")
        # A new contact they create is theirs to see.
        created = Partner.create({"name": "Walk-in", "customer_rank": 1})
        self.assertEqual(created.name, "Walk-in")

    def test_others_see_everyone(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertEqual(
            len(Partner.search([("id", "in", self.all_ids())])), len(self.all_ids())
        )

    def test_names_of_others_still_show_where_they_are_referenced(self):
        """Odoo shows a referenced record's name whatever its access: a
        customer of theirs that names another customer still displays; the
        other customer's chatter stays closed."""
        note = self.theirs.message_post(body="Shared with the team.")
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.restricted).browse(note.id).read(
                ["body"]
            )
        child = self.env["res.partner"].create(
            {"name": "Mine, referred by theirs", "referred_by_id": self.theirs.id}
        )
        child.user_id = self.restricted
        child.customer_rank = 1
        read = (
            self.env["res.partner"]
            .with_user(self.restricted)
            .browse(child.id)
            .read(["referred_by_id"])
        )
        self.assertEqual(read[0]["referred_by_id"][1], "Theirs")

    def test_important_customers_need_two_people(self):
        """Tiers up to the rank of Settings need two people looking after their
        customers: those with fewer are listed (salesperson included)."""
        self.company.account_team_min_rank = 2
        self.evaluate()
        gold = self.make_customer("Gold One", manual=100, potential="5")
        self.evaluate()
        self.assertEqual(self.tier_of(gold), self.gold)
        Partner = self.env["res.partner"].with_company(self.company)
        short = Partner.search([("account_team_short", "=", True)])
        self.assertIn(gold, short)
        gold.user_id = self.colleague
        self.assertIn(gold, Partner.search([("account_team_short", "=", True)]))
        gold.account_team_ids = [Command.link(self.restricted.id)]
        self.assertNotIn(gold, Partner.search([("account_team_short", "=", True)]))
        self.assertFalse(gold.with_company(self.company).account_team_short)
        gold.account_team_ids = [Command.set([self.colleague.id])]
        self.assertTrue(
            gold.with_company(self.company).account_team_short,
            "the salesperson in the team too counts once",
        )
        self.company.account_team_min_rank = 0
        self.assertFalse(Partner.search([("account_team_short", "=", True)]))

    def all_ids(self):
        return (
            self.mine
            | self.mine_contact
            | self.in_team
            | self.theirs
            | self.supplier
            | self.colleague.partner_id
            | self.company.partner_id
        ).ids


@tagged("post_install", "-at_install")
class TestOwnCustomersInvoicing(AccountTestInvoicingCommon):
    """Odoo's invoicing keeps working for a salesperson limited to their own
    customers: they invoice their customers, and the invoices of the others
    (which accounting lets them see) show their customer's name."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "customer_tiering.group_own_customers"
        )

    def test_invoice_own_customer_and_read_others(self):
        user = self.env.user
        mine = self.env["res.partner"].create(
            {"name": "My Customer", "customer_rank": 1, "user_id": user.id}
        )
        theirs = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "Their Customer", "customer_rank": 1})
        )
        other_invoice = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": theirs.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Other", "price_unit": 50})
                    ],
                }
            )
        )
        other_invoice.action_post()
        with Form(
            self.env["account.move"].with_context(default_move_type="out_invoice")
        ) as form:
            form.partner_id = mine
            with form.invoice_line_ids.new() as line:
                line.name = "Service"
                line.price_unit = 100
        invoice = form.save()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        with self.assertRaises(AccessError):
            theirs.with_env(self.env).read(["name"])
        read = other_invoice.with_env(self.env).read(["partner_id"])
        self.assertEqual(read[0]["partner_id"][1], "Their Customer")
