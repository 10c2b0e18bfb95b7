from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from .common import RevisitCase


@freeze_time(RevisitCase.TODAY)
class TestOrphanedCustomers(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for i in range(3):
            cls.customers |= cls.make_customer(
                f"Leaver Customer {i}", cls.gold, cls.sales1
            )
        cls.kept = cls.make_customer("Stays Elsewhere", cls.gold, cls.sales1)
        cls.rule_bronze.write(
            {
                "responsible": "round_robin",
                "user_ids": [Command.set((cls.sales1 | cls.manager).ids)],
            }
        )

    def test_reassignment_moves_customers_revisits_and_rules(self):
        revisit = self.Record.schedule_revisit(self.customers[0], "Check")
        wizard_form = Form(self.env["revisit.reassign"].with_user(self.manager))
        wizard_form.from_user_id = self.sales1
        wizard_form.to_user_id = self.sales2
        self.assertEqual(wizard_form.partner_count, 4)
        self.assertEqual(wizard_form.revisit_count, 1)
        wizard_form.partner_ids.remove(self.kept.id)
        wizard_form.save().action_reassign()
        self.assertEqual(self.customers.user_id, self.sales2)
        self.assertEqual(self.kept.user_id, self.sales1, "left out by the manager")
        self.assertEqual(revisit.user_id, self.sales2)
        self.assertEqual(revisit.activity_id.user_id, self.sales2)
        self.assertEqual(self.rule_bronze.user_ids, self.sales2 | self.manager)
        for customer in self.customers:
            self.assertIn(
                "handed over from Sales1 to Sales2",
                customer.message_ids[0].body.striptags(),
            )

    def test_menu_opens_on_the_orphaned_customers(self):
        """The Orphaned Customers menu opened a blank wizard: it now opens on
        the archived user who left customers behind, listing them; choosing
        another departing user lists theirs at once."""
        self.sales1.action_archive()
        wizard_form = Form(self.env["revisit.reassign"].with_user(self.manager))
        self.assertEqual(wizard_form.from_user_id, self.sales1)
        self.assertEqual(wizard_form.partner_count, 4)
        self.assertEqual(wizard_form.partner_ids.ids, (self.customers | self.kept).ids)
        wizard_form.from_user_id = self.sales2
        self.assertEqual(wizard_form.partner_count, 0)
        wizard_form.from_user_id = self.sales1
        self.assertEqual(wizard_form.partner_count, 4)

    def test_customers_told_of_their_new_contact_in_their_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["revisit_plan"], ["zh_CN"])
        chinese, english, no_email = self.customers
        chinese.lang = "zh_CN"
        no_email.email = False
        self.sales2.phone = "+86 21 5555 0101"
        mails_before = self.env["mail.mail"].search([])
        wizard = (
            self.env["revisit.reassign"]
            .with_user(self.manager)
            .create(
                {
                    "from_user_id": self.sales1.id,
                    "to_user_id": self.sales2.id,
                    "email_customers": True,
                }
            )
        )
        action = wizard.action_reassign()
        self.assertIn("Customers told by email: 3.", action["params"]["message"])
        # Not the notifications of the successor, who follows the customers.
        mails = (self.env["mail.mail"].search([]) - mails_before).filtered(
            lambda m: m.recipient_ids & (self.customers | self.kept)
        )
        by_customer = {mail.recipient_ids: mail for mail in mails}
        self.assertEqual(set(by_customer), {chinese, english, self.kept})
        mail = by_customer[english]
        self.assertEqual(mail.state, "outgoing", "queued")
        self.assertIn("Your new contact", mail.subject)
        self.assertIn("Sales2", mail.subject)
        self.assertIn("rp_sales2@example.com", mail.body_html)
        self.assertIn("+86 21 5555 0101", mail.body_html)
        self.assertIn("Sales2", mail.email_from)
        self.assertIn("您的新联系人", by_customer[chinese].subject)
        # Without the option, nobody is emailed.
        mails_before = self.env["mail.mail"].search([])
        self.env["revisit.reassign"].with_user(self.manager).create(
            {"from_user_id": self.sales2.id, "to_user_id": self.sales1.id}
        ).action_reassign()
        self.assertFalse(
            (self.env["mail.mail"].search([]) - mails_before).filtered(
                lambda m: m.recipient_ids & (self.customers | self.kept)
            )
        )

    def test_reassignment_is_for_managers_and_needs_a_successor(self):
        with self.assertRaises(AccessError):
            self.env["revisit.reassign"].with_user(self.sales2).create(
                {"from_user_id": self.sales1.id, "to_user_id": self.sales2.id}
            )
        wizard = (
            self.env["revisit.reassign"]
            .with_user(self.manager)
            .create({"from_user_id": self.sales1.id, "to_user_id": self.sales1.id})
        )
        with self.assertRaisesMessage(UserError, "other than the departing"):
            wizard.action_reassign()
        self.assertEqual(self.customers.user_id, self.sales1)

    def test_only_the_departing_users_customers_go_to_an_internal_user(self):
        stranger = self.make_customer("Not A Leaver Customer", self.gold, self.sales2)
        wizard = (
            self.env["revisit.reassign"]
            .with_user(self.manager)
            .create({"from_user_id": self.sales1.id, "to_user_id": self.manager.id})
        )
        wizard.partner_ids = [Command.link(stranger.id)]
        with self.assertRaisesMessage(UserError, "Only the customers of Sales1"):
            wizard.action_reassign()
        self.assertEqual(stranger.user_id, self.sales2)
        portal = self.env["res.users"].create(
            {
                "name": "Portal Successor",
                "login": "rp_portal_successor",
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        wizard.write(
            {"to_user_id": portal.id, "partner_ids": [Command.unlink(stranger.id)]}
        )
        with self.assertRaisesMessage(UserError, "active internal user"):
            wizard.action_reassign()
        self.assertEqual(self.customers.user_id, self.sales1)
        for values in (
            {"from_user_id": 2**31},
            {"partner_ids": [Command.set([stranger.id, 2**31])]},
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(UserError, "not a record"):
                    self.env["revisit.reassign"].with_user(self.manager).create(
                        {"from_user_id": self.sales1.id, "to_user_id": self.manager.id}
                        | values
                    )

    def test_archiving_a_user_tells_the_manager(self):
        self.sales1.revisit_manager_id = self.manager
        self.sales1.action_archive()
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.sales1.partner_id.id),
                ("user_id", "=", self.manager.id),
            ]
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("Customers without a salesperson: 4", activity.summary)
        for customer in self.customers | self.kept:
            self.assertIn(customer.name, str(activity.note))
        # Without a manager of their own: the revisit managers are told.
        self.sales2.revisit_manager_id = False
        self.make_customer("Sales2 Customer", self.gold, self.sales2)
        self.sales2.action_archive()
        self.assertTrue(
            self.env["mail.activity"].search(
                [
                    ("res_id", "=", self.sales2.partner_id.id),
                    ("res_model", "=", "res.partner"),
                    ("user_id", "=", self.manager.id),
                ]
            )
        )
        # The orphaned customers show in the search filter.
        orphans = self.env["res.partner"].search(
            [("user_id", "!=", False), ("user_id.active", "=", False)]
        )
        self.assertIn(self.kept, orphans)
