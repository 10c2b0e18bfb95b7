from datetime import datetime

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRevisitTour(HttpCase):
    def test_salesperson_records_outcome_and_sees_next_revisit(self):
        company = self.env.ref("base.main_company")
        salesperson = new_test_user(
            self.env,
            login="rp_tour_sales",
            groups="base.group_user,revisit_plan.group_revisit_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True, "user_id": salesperson.id}
        )
        # Due today where the browser is (its "Today" filter): the machine's
        # time zone, not the demo admin's (the dates differ late in the day).
        local_tz = str(datetime.now().astimezone().tzinfo)
        revisit = (
            self.env["revisit.record"]
            .with_context(tz=local_tz)
            .schedule_revisit(customer, "Quarterly satisfaction call")
        )
        self.assertEqual(revisit.user_id, salesperson)

        self.start_tour(
            "/odoo/action-revisit_plan.revisit_record_action_today",
            "revisit_plan_outcome_tour",
            login="rp_tour_sales",
        )
        revisit.invalidate_recordset()
        self.assertEqual(revisit.state, "done")
        self.assertEqual(revisit.satisfaction, 4)
        self.assertEqual(revisit.feedback, "Happy with the service")
        follow_up = revisit.next_revisit_id
        self.assertEqual(follow_up.state, "planned")
        self.assertEqual(follow_up.user_id, salesperson)
        self.assertTrue(follow_up.activity_id)
