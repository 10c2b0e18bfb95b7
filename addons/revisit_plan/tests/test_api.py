from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import RevisitCase


@freeze_time(RevisitCase.TODAY)
class TestScheduleRevisit(RevisitCase):
    """``revisit.record.schedule_revisit``, called as another addon's code
    would: by a plain internal user with no revisit rights, with a record of
    another model as the origin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.make_customer("Api Customer", cls.gold, cls.sales1)
        # A record of another model stands for an after-sales ticket.
        cls.ticket = cls.env["res.partner.category"].create({"name": "Ticket 42"})

    def schedule(self, caller=None, **kwargs):
        """Call the API as ``user`` (the plain employee by default), from
        another model's environment."""
        env = self.env(user=caller or self.employee)
        kwargs.setdefault("reason", "Ticket 42 closed: check the repair")
        return env["revisit.record"].schedule_revisit(
            env["res.partner"].browse(kwargs.pop("partner", self.customer).id),
            **kwargs,
        )

    def test_schedule_from_another_model_as_employee(self):
        revisit = self.schedule(delay_days=3, origin=self.ticket)
        self.assertEqual(revisit.env.uid, self.employee.id, "caller's environment")
        # The caller reads what it requested, with its own rights.
        self.assertEqual(revisit.state, "planned")
        self.assertEqual(revisit.partner_id, self.customer)
        self.assertEqual(revisit.date_due, self.TODAY + timedelta(days=3))
        self.assertEqual(revisit.user_id, self.sales1, "the salesperson")
        self.assertEqual(revisit.requested_by_id, self.employee)
        self.assertEqual(revisit.origin_ref, self.ticket)
        self.assertEqual(revisit.origin_name, "Ticket 42")
        self.assertEqual(revisit.tier_id, self.gold)
        self.assertFalse(revisit.rule_id)
        activity = revisit.sudo().activity_id
        self.assertTrue(activity)
        self.assertEqual(activity.res_model, "revisit.record")
        self.assertEqual(activity.res_id, revisit.id)
        self.assertEqual(activity.activity_type_id, self.call, "default type")
        self.assertEqual(activity.user_id, self.sales1)
        self.assertEqual(activity.date_deadline, self.TODAY + timedelta(days=3))
        self.assertIn("Ticket 42 closed", activity.summary)
        # The salesperson sees it among their revisits.
        self.assertIn(
            revisit,
            self.Record.with_user(self.sales1).search([("state", "=", "planned")]),
        )

    def test_idempotent_per_partner_and_origin(self):
        first = self.schedule(origin=self.ticket)
        again = self.schedule(origin=self.ticket, delay_days=10, reason="Again")
        self.assertEqual(first, again)
        self.assertEqual(len(self.planned(self.customer)), 1)
        self.assertEqual(again.date_due, self.TODAY, "the first one is kept as is")
        # Another origin, or no origin, plans another revisit.
        other = self.env["res.partner.category"].create({"name": "Ticket 43"})
        self.assertNotEqual(self.schedule(origin=other), first)
        # Once done, the same origin may ask again.
        first.sudo()._record_outcome({"channel": "phone", "satisfaction": "5"})
        third = self.schedule(origin=self.ticket)
        self.assertNotEqual(third, first)
        self.assertEqual(third.state, "planned")

    def test_explicit_user_and_activity_type(self):
        revisit = self.schedule(user=None, origin=self.ticket)
        revisit2 = self.schedule(
            partner=self.make_customer("Other Customer", self.gold, self.sales1),
            user=self.sales2,
            activity_type=self.visit,
        )
        self.assertEqual(revisit.user_id, self.sales1)
        self.assertEqual(revisit2.sudo().user_id, self.sales2)
        self.assertEqual(revisit2.sudo().activity_id.activity_type_id, self.visit)
        self.assertEqual(revisit2.sudo().activity_id.user_id, self.sales2)

    def test_default_responsible_without_salesperson(self):
        orphan = self.make_customer("No Salesperson", self.silver)
        self.assertEqual(
            self.schedule(partner=orphan).sudo().user_id,
            self.manager,
            "the company's first revisit manager",
        )
        self.rule_silver.write({"responsible": "fixed", "user_id": self.sales2.id})
        self.assertEqual(
            self.schedule(partner=orphan).sudo().user_id,
            self.sales2,
            "the responsible of the rule that applies",
        )

    def test_bad_input_changes_nothing(self):
        count = self.Record.sudo().search_count([])
        portal = new_test_user(self.env, login="rp_portal", groups="base.group_portal")
        cases = [
            ({"reason": "  "}, "reason"),
            ({"delay_days": -1}, "zero or more"),
            ({"delay_days": 1.5}, "zero or more"),
            ({"user": portal}, "active internal user"),
            (
                {
                    "activity_type": self.env.ref(
                        "customer_tiering.mail_activity_type_tier_changed"
                    )
                },
                "not for revisits",
            ),
            ({"origin": self.env["res.partner.category"]}, None),
        ]
        for kwargs, pattern in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaisesMessage(UserError, pattern or "."):
                    self.schedule(**kwargs)
        with self.assertRaisesMessage(UserError, "exactly one customer"):
            self.env(user=self.employee)["revisit.record"].schedule_revisit(
                self.env["res.partner"], "No one"
            )
        self.assertEqual(self.Record.sudo().search_count([]), count)

    def test_access_checked_inside(self):
        portal = new_test_user(self.env, login="rp_portal2", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.schedule(caller=portal)
        # A customer of a company the caller cannot see.
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        foreign = self.env["res.partner"].create(
            {"name": "Foreign", "company_id": other_company.id}
        )
        with self.assertRaises(AccessError):
            self.schedule(partner=foreign)
        # An origin the caller may not read.
        secret = self.env["ir.config_parameter"].search([], limit=1)
        with self.assertRaises(AccessError):
            self.schedule(origin=secret)
        self.assertFalse(self.planned(self.customer))
