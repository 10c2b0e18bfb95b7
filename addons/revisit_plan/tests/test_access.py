from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError

from .common import RevisitCase


@freeze_time(RevisitCase.TODAY)
class TestAccess(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls.Record.schedule_revisit(
            cls.make_customer("Sales1 Customer", cls.vip, cls.sales1), "Mine"
        )
        cls.theirs = cls.Record.schedule_revisit(
            cls.make_customer("Sales2 Customer", cls.vip, cls.sales2), "Theirs"
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
            self.rule_vip.with_user(self.sales1).write({"cadence_number": 2})
        with self.assertRaises(AccessError):
            self.env["revisit.occasion"].with_user(self.sales1).create(
                {"name": "x", "template_id": 1}
            )
        with self.assertRaises(AccessError):
            self.env["revisit.report"].with_user(self.sales1).search([])
        self.rule_vip.with_user(self.manager).write({"cadence_number": 2})
        self.assertEqual(self.rule_vip.cadence_number, 2)
