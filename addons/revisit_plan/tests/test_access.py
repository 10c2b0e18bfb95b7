from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import RevisitCase


@freeze_time(RevisitCase.TODAY)
class TestAccess(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls.Record.schedule_revisit(
            cls.make_customer("Sales1 Customer", cls.gold, cls.sales1), "Mine"
        )
        cls.theirs = cls.Record.schedule_revisit(
            cls.make_customer("Sales2 Customer", cls.gold, cls.sales2), "Theirs"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.manager.company_ids = [Command.link(cls.other_company.id)]
        foreign_customer = cls.env["res.partner"].create(
            {"name": "Foreign", "company_id": cls.other_company.id}
        )
        cls.foreign = cls.Record.with_company(cls.other_company).schedule_revisit(
            foreign_customer, "Abroad", user=cls.manager
        )

    def test_user_sees_only_own_revisits(self):
        Record = self.Record.with_user(self.sales1)
        self.assertEqual(Record.search([]), self.mine)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.sales1).read(["reason"])
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.sales1).write({"reason": "hijack"})
        self.assertEqual(self.theirs.reason, "Theirs")
        # Their activities neither.
        self.assertFalse(
            self.env["mail.activity"]
            .with_user(self.sales1)
            .search([("id", "=", self.theirs.activity_id.id)])
        )

    def test_manager_sees_all_of_own_companies(self):
        Record = self.Record.with_user(self.manager).with_context(
            allowed_company_ids=self.company.ids
        )
        self.assertEqual(
            Record.search([("id", "in", (self.mine | self.theirs | self.foreign).ids)]),
            self.mine | self.theirs,
            "another company's revisits stay apart",
        )

    def test_employee_reads_only_what_they_requested(self):
        requested = self.Record.with_user(self.employee).schedule_revisit(
            self.mine.partner_id, "From a ticket", user=self.sales2
        )
        visible = self.Record.with_user(self.employee).search([])
        self.assertEqual(visible, requested)
        with self.assertRaises(AccessError):
            requested.with_user(self.employee).write({"reason": "x"})

    def test_configuration_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.rule_gold.with_user(self.sales1).write({"cadence_number": 2})
        with self.assertRaises(AccessError):
            self.env["revisit.occasion"].with_user(self.sales1).create(
                {"name": "x", "template_id": 1}
            )
        with self.assertRaises(AccessError):
            self.env["revisit.report"].with_user(self.sales1).search([])
        self.rule_gold.with_user(self.manager).write({"cadence_number": 2})
        self.assertEqual(self.rule_gold.cadence_number, 2)


@freeze_time(RevisitCase.TODAY)
class TestActivityHooks(RevisitCase):
    """A revisit follows its own activity only: an activity re-pointed at
    somebody else's revisit neither moves, reassigns nor completes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # What Odoo gives every new internal user: Contact Creation, enough to
        # put an activity on a contact. No revisit group.
        cls.clerk = mail_new_test_user(
            cls.env,
            login="rp_clerk",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.theirs = cls.Record.schedule_revisit(
            cls.make_customer("Hooks Customer", cls.gold, cls.sales2), "Theirs"
        )
        cls.revisit_model = cls.env["ir.model"]._get_id("revisit.record")

    def own_activity(self, user):
        """An activity ``user`` creates on a contact and may therefore edit."""
        return (
            self.env["mail.activity"]
            .with_user(user)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.make_customer("Clerk Contact").id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "user_id": user.id,
                    "summary": "Mine",
                }
            )
        )

    def test_activity_cannot_be_moved_onto_a_revisit_the_user_may_not_write(self):
        activity = self.own_activity(self.clerk)
        for values in (
            {"res_model_id": self.revisit_model, "res_id": self.theirs.id},
            {
                "res_model_id": self.revisit_model,
                "res_id": self.theirs.id,
                "user_id": self.clerk.id,
                "date_deadline": "2031-01-01",
            },
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                activity.write(values)
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(
            (self.theirs.state, self.theirs.user_id, self.theirs.date_due),
            ("planned", self.sales2, self.TODAY),
        )

    def test_only_the_revisits_own_activity_acts_on_it(self):
        # An activity that points at the revisit without being its activity
        # (moved there before this check, or by a script).
        stray = self.own_activity(self.clerk)
        stray.sudo().write(
            {"res_model_id": self.revisit_model, "res_id": self.theirs.id}
        )
        stray = stray.with_user(self.clerk)
        stray.write({"date_deadline": "2031-01-01", "user_id": self.clerk.id})
        self.assertEqual(self.theirs.date_due, self.TODAY)
        self.assertEqual(self.theirs.user_id, self.sales2)
        stray.action_feedback(feedback="forged")
        self.assertEqual(self.theirs.state, "planned")
        self.assertFalse(self.theirs.feedback)
        # Its own activity still does.
        self.theirs.activity_id.with_user(self.sales2).action_feedback(feedback="Done")
        self.assertEqual((self.theirs.state, self.theirs.feedback), ("done", "Done"))

    def test_a_revisits_activity_stays_on_its_revisit(self):
        activity = self.theirs.activity_id.with_user(self.sales2)
        with self.assertRaisesMessage(UserError, "stays on its revisit"):
            activity.write(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.theirs.partner_id.id,
                }
            )
        self.assertEqual(self.theirs.activity_id.res_id, self.theirs.id)

    def test_reassigning_through_the_activity_is_for_managers(self):
        with self.assertRaisesMessage(AccessError, "Only revisit managers"):
            self.theirs.activity_id.with_user(self.sales2).user_id = self.sales1
        self.assertEqual(self.theirs.user_id, self.sales2)
        self.theirs.activity_id.with_user(self.manager).user_id = self.sales1
        self.assertEqual(self.theirs.user_id, self.sales1)


@freeze_time(RevisitCase.TODAY)
class TestManualRevisits(RevisitCase):
    """What a revisit user writes by hand: planned revisits of customers they
    may read, never the outcome, the origin or the planning's own fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.make_customer("Manual Customer", cls.gold, cls.sales1)
        cls.stranger = cls.make_customer("Somebody Else's", cls.silver, cls.sales2)
        cls.as_sales1 = cls.Record.with_user(cls.sales1)

    def test_created_revisit_starts_planned_without_forged_fields(self):
        ticket = self.env["res.partner.category"].create({"name": "Ticket 6"})
        forged = [
            {"state": "done", "date_done": "2025-03-01", "satisfaction": 5},
            {"satisfaction": 5},
            {"channel": "visit"},
            {"feedback": "Perfect"},
            {"follow_up_needed": True},
            {"rule_id": self.rule_gold.id},
            {"tier_id": self.gold.id},
            {"origin_ref": f"res.partner.category,{ticket.id}"},
            {"origin_name": "Ticket 6"},
            {"requested_by_id": self.manager.id},
        ]
        count = self.Record.sudo().search_count([])
        for values in forged:
            with self.subTest(values=values):
                with self.assertRaisesMessage(AccessError, "not by hand"):
                    self.as_sales1.create(
                        {
                            "partner_id": self.stranger.id,
                            "date_due": self.TODAY,
                            "user_id": self.sales1.id,
                            **values,
                        }
                    )
        self.assertEqual(self.Record.sudo().search_count([]), count)
        revisit = self.as_sales1.create(
            {
                "partner_id": self.customer.id,
                "date_due": self.TODAY,
                "state": "planned",
                "requested_by_id": self.sales1.id,
            }
        )
        self.assertEqual(revisit.state, "planned")
        self.assertEqual(revisit.requested_by_id, self.sales1)
        self.assertEqual(revisit.tier_id, self.gold, "the customer's tier")
        self.assertTrue(revisit.activity_id)

    def test_outcome_and_origin_fields_are_not_written_by_hand(self):
        revisit = self.Record.schedule_revisit(
            self.customer, "Check", user=self.sales1
        ).with_user(self.sales1)
        for values in (
            {"state": "done"},
            {"date_done": "2025-03-01"},
            {"satisfaction": 5},
            {"channel": "phone"},
            {"feedback": "x"},
            {"issues": "x"},
            {"follow_up_needed": True},
            {"next_revisit_id": revisit.id},
            {"rule_id": self.rule_gold.id},
            {"origin_ref": f"res.partner,{self.stranger.id}"},
            {"origin_name": "x"},
            {"requested_by_id": self.sales2.id},
            {"tier_id": self.bronze.id},
            {"activity_id": False},
            {"company_id": self.env.ref("base.main_company").id},
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(AccessError, "not by hand"):
                    revisit.write(values)
        self.assertEqual(
            (revisit.state, revisit.satisfaction, revisit.tier_id, revisit.rule_id),
            ("planned", 0, self.gold, self.rule_gold.browse()),
        )
        # Done through the outcome, then closed to changes.
        revisit._record_outcome({"channel": "phone", "satisfaction": "4"})
        with self.assertRaisesMessage(UserError, "Only planned revisits"):
            revisit.write({"date_due": "2025-04-01"})
        self.assertEqual(revisit.date_due, self.TODAY)

    def test_handing_over_and_moving_revisits(self):
        revisit = self.as_sales1.create(
            {"partner_id": self.customer.id, "date_due": self.TODAY}
        )
        with self.assertRaisesMessage(AccessError, "Only revisit managers"):
            revisit.write({"user_id": self.sales2.id})
        self.assertEqual(revisit.user_id, self.sales1)
        # Another customer the user may read: still their revisit.
        other = self.make_customer("Also Readable", self.bronze)
        revisit.partner_id = other
        self.assertEqual(revisit.tier_id, self.bronze)
        # The manager hands it over; its activity follows.
        revisit.with_user(self.manager).user_id = self.sales2
        self.assertEqual(revisit.activity_id.user_id, self.sales2)
        # A revisit sales1 sees only as the salesperson of its customer cannot
        # be moved out of their sight.
        seen = self.Record.schedule_revisit(
            self.customer, "Of my customer", user=self.sales2
        ).with_user(self.sales1)
        with self.assertRaises(AccessError):
            seen.write({"partner_id": self.stranger.id})
        self.assertEqual(seen.partner_id, self.customer)
        # A rule's revisit stays with its customer.
        planned = self.Record.sudo().create(
            {
                "partner_id": self.customer.id,
                "rule_id": self.rule_gold.id,
                "date_due": self.TODAY,
                "user_id": self.sales1.id,
            }
        )
        with self.assertRaisesMessage(UserError, "cannot change"):
            planned.with_user(self.sales1).partner_id = other

    def test_outcome_and_cancel_only_on_revisits_the_user_may_change(self):
        theirs = self.Record.schedule_revisit(self.stranger, "Theirs", user=self.sales2)
        with self.assertRaises(AccessError):
            self.env["revisit.outcome"].with_user(self.sales1).create(
                {"revisit_id": theirs.id, "channel": "phone", "satisfaction": "5"}
            )
        with self.assertRaises(AccessError):
            theirs.with_user(self.sales1).action_cancel()
        # The employee who asked for a revisit reads it, and that is all.
        requested = self.Record.with_user(self.employee).schedule_revisit(
            self.customer, "From a ticket", user=self.sales1
        )
        with self.assertRaises(AccessError):
            requested.action_cancel()
        with self.assertRaises(AccessError):
            requested.action_record_outcome()
        self.assertEqual((theirs.state, requested.state), ("planned", "planned"))

    def test_duplicate_is_a_new_planned_revisit(self):
        done = self.Record.schedule_revisit(self.customer, "Done", user=self.sales1)
        done._record_outcome({"channel": "phone", "satisfaction": "5"})
        copy = done.with_user(self.sales1).copy()
        self.assertEqual(
            (copy.state, copy.satisfaction, copy.requested_by_id),
            ("planned", 0, self.sales1),
        )
        self.assertTrue(copy.activity_id)


@freeze_time(RevisitCase.TODAY)
class TestOwnCustomersOnly(RevisitCase):
    """A salesperson restricted to their own customers (customer_tiering's
    Own Customers Only) who is a Revisits user: revisits of customers they do
    not look after are hidden, even assigned to them; their own revisits,
    the outcome form and the activities work as for anyone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = mail_new_test_user(
            cls.env,
            login="rp_restricted",
            name="Restricted",
            groups="base.group_user,revisit_plan.group_revisit_user,"
            "customer_tiering.group_own_customers",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.own = cls.make_customer("Own Customer", cls.gold, cls.restricted)
        cls.team = cls.make_customer(
            "Team Customer",
            cls.gold,
            cls.sales2,
            account_team_ids=[Command.set(cls.restricted.ids)],
        )
        cls.other = cls.make_customer("Other Customer", cls.gold, cls.sales2)
        schedule = cls.Record.schedule_revisit
        cls.own_revisit = schedule(cls.own, "Mine", user=cls.restricted)
        cls.team_revisit = schedule(cls.team, "Team", user=cls.restricted)
        # Given to them by a manager, or requested by them, for a customer
        # they do not look after.
        cls.assigned = schedule(cls.other, "Assigned", user=cls.restricted)
        cls.requested = cls.Record.with_user(cls.restricted).schedule_revisit(
            cls.team, "Asked", user=cls.sales2
        )
        # Requested for a customer of theirs since handed to someone else.
        former = cls.make_customer("Former Customer", cls.gold, cls.restricted)
        cls.requested_other = (
            cls.Record.with_user(cls.restricted)
            .schedule_revisit(former, "Asked too", user=cls.sales2)
            .with_env(cls.env)
        )
        former.user_id = cls.sales2

    def test_revisits_of_other_customers_are_hidden(self):
        Record = self.Record.with_user(self.restricted)
        self.assertEqual(
            Record.search([]), self.own_revisit | self.team_revisit | self.requested
        )
        for hidden in (self.assigned, self.requested_other):
            with self.subTest(revisit=hidden.reason):
                with self.assertRaises(AccessError):
                    hidden.with_user(self.restricted).read(["reason"])
        # Odoo shows an activity to its assignee whatever the document; the
        # activity of a revisit requested by them is hidden with it.
        self.assertFalse(
            self.env["mail.activity"]
            .with_user(self.restricted)
            .search([("id", "=", self.requested_other.activity_id.id)])
        )
        # Without the group, the same salesperson sees what is assigned to
        # them.
        self.restricted.groups_id = [
            Command.unlink(self.env.ref("customer_tiering.group_own_customers").id)
        ]
        self.assertIn(self.assigned, Record.search([]))

    def test_own_revisits_outcome_form_and_activities_work(self):
        revisit = self.own_revisit.with_user(self.restricted)
        activities = self.env["mail.activity"].with_user(self.restricted)
        self.assertLessEqual(
            (self.own_revisit | self.team_revisit).activity_id,
            activities.search([("res_model", "=", "revisit.record")]),
        )
        action = revisit.action_record_outcome()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.restricted)
            .with_context(**action["context"])
        )
        wizard.satisfaction = "5"
        wizard.follow_up = True
        wizard.follow_up_days = 3
        wizard.save().action_confirm()
        self.assertEqual(revisit.state, "done")
        follow_up = revisit.next_revisit_id
        self.assertEqual(follow_up.user_id, self.restricted)
        self.assertTrue(follow_up.activity_id)
        self.team_revisit.activity_id.with_user(self.restricted).action_feedback(
            feedback="Called"
        )
        self.assertEqual(self.team_revisit.state, "done")
        self.assertEqual(self.own.with_user(self.restricted).revisit_count, 2)

    def test_revisit_managers_see_all(self):
        self.manager.groups_id = [
            Command.link(self.env.ref("customer_tiering.group_own_customers").id)
        ]
        revisits = self.Record.with_user(self.manager).search(
            [("id", "in", (self.assigned | self.requested_other).ids)]
        )
        self.assertEqual(revisits, self.assigned | self.requested_other)


class TestManagerActions(RevisitCase):
    def test_plan_now_is_for_revisit_managers(self):
        for user in (self.employee, self.sales1):
            with self.subTest(user=user.login):
                with self.assertRaisesMessage(AccessError, "Only revisit managers"):
                    self.rule_gold.with_user(user).action_plan_now()
        self.assertFalse(self.rule_gold.date_scan)
        action = self.rule_gold.with_user(self.manager).action_plan_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(self.rule_gold.date_scan)


class TestPartnerForm(RevisitCase):
    def test_revisits_button_comes_first(self):
        """The Revisits button of the customer form hid under "More" behind
        the other applications' buttons: it now comes first."""
        arch = etree.fromstring(
            self.env["res.partner"]
            .with_user(self.sales1)
            .get_view(view_type="form")["arch"]
        )
        buttons = arch.xpath("//div[@name='button_box']/button")
        self.assertGreater(len(buttons), 1, "other applications add buttons too")
        self.assertEqual(buttons[0].get("name"), "action_view_revisits")
