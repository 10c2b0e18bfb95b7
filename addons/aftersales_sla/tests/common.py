from datetime import datetime

from odoo import Command
from odoo.tests import Form

from odoo.addons.customer_tiering.tests.common import TierCase
from odoo.addons.mail.tests.common import mail_new_test_user


class AftersalesCase(TierCase):
    """The tier test company of customer_tiering (its Gold and Basic tiers)
    in after-sales: Gold customers served 7x24 by a dedicated team, Basic
    ones on office hours in Shanghai (9-12, 13-18, Monday to Friday),
    policies per tier and severity, an agent, a leader and an after-sales
    manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The scheduled check scans every company: leave other companies'
        # running targets (such as demo tickets') out of these tests.
        cls.env["aftersales.ticket.sla"].search(
            [("status", "in", ("running", "paused"))]
        ).write({"status": "cancelled"})
        cls.Ticket = cls.env["aftersales.ticket"]
        cls.gold.aftersales_fee_policy = "free"
        cls.basic.write(
            {"aftersales_fee_policy": "discounted", "aftersales_fee_discount": 20}
        )
        cls.office = cls.make_calendar("Office Shanghai", "Asia/Shanghai")
        cls.round_the_clock = cls.env.ref("aftersales_sla.resource_calendar_7x24")
        cls.low = cls.env.ref("aftersales_sla.severity_low")
        cls.normal = cls.env.ref("aftersales_sla.severity_normal")
        cls.high = cls.env.ref("aftersales_sla.severity_high")
        cls.critical = cls.env.ref("aftersales_sla.severity_critical")
        cls.agent = mail_new_test_user(
            cls.env,
            login="as_agent",
            name="Agent Smith",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.leader = mail_new_test_user(
            cls.env,
            login="as_leader",
            name="Leader Lee",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.aftersales_manager = mail_new_test_user(
            cls.env,
            login="as_manager",
            name="Manager Ma",
            groups="base.group_user,aftersales_sla.group_aftersales_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.vip_team, cls.team = cls.env["aftersales.team"].create(
            [
                {
                    "name": "VIP Team",
                    "company_id": cls.company.id,
                    "leader_id": cls.leader.id,
                    "member_ids": [Command.set((cls.agent | cls.leader).ids)],
                    "tier_ids": [Command.set(cls.gold.ids)],
                    "resource_calendar_id": cls.round_the_clock.id,
                },
                {
                    "name": "Service Team",
                    "company_id": cls.company.id,
                    "leader_id": cls.leader.id,
                    "member_ids": [Command.set(cls.agent.ids)],
                    "resource_calendar_id": cls.office.id,
                },
            ]
        )
        cls.gold_policy, cls.basic_policy = cls.env["aftersales.sla.policy"].create(
            [
                {
                    "name": "Gold",
                    "company_id": cls.company.id,
                    "tier_ids": [Command.set(cls.gold.ids)],
                    "severity_ids": [
                        Command.set((cls.normal | cls.high | cls.critical).ids)
                    ],
                    "calendar_id": cls.round_the_clock.id,
                    "response_target": 30,
                    "response_unit": "minutes",
                    "on_site_target": 4,
                    "on_site_unit": "hours",
                    "resolution_target": 8,
                    "resolution_unit": "hours",
                },
                {
                    "name": "Basic",
                    "company_id": cls.company.id,
                    "tier_ids": [Command.set(cls.basic.ids)],
                    "severity_ids": [
                        Command.set((cls.low | cls.normal | cls.high).ids)
                    ],
                    "calendar_id": cls.office.id,
                    "response_target": 2,
                    "response_unit": "hours",
                    "on_site_target": 2,
                    "on_site_unit": "working_days",
                    "resolution_target": 2,
                    "resolution_unit": "working_days",
                },
            ]
        )
        cls.gold_customer = cls.make_tier_customer("Gold Customer", cls.gold)
        cls.basic_customer = cls.make_tier_customer("Basic Customer", cls.basic)

    @classmethod
    def make_calendar(cls, name, tz, hours=((9, 12), (13, 18)), days=range(5)):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "company_id": cls.company.id,
                "hours_per_day": sum(end - start for start, end in hours),
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"{day} {start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning" if start < 12 else "afternoon",
                        }
                    )
                    for day in days
                    for start, end in hours
                ],
            }
        )

    @classmethod
    def make_tier_customer(cls, name, tier):
        """A customer of the test company, put in ``tier`` by an override."""
        partner = cls.make_customer(
            name, email=f"{name.split()[0].lower()}@example.com"
        )
        partner._tier_override(tier, "Test customer")
        return partner

    def make_ticket(self, partner=None, **values):
        """A ticket of the basic customer by default (also callable on the class)."""
        return self.Ticket.create(
            {
                "name": "Machine stopped",
                "partner_id": (partner or self.basic_customer).id,
                "company_id": self.company.id,
                **values,
            }
        )

    def settings_as_admin(self):
        """The settings, as an administrator of the test company."""
        admin = mail_new_test_user(
            self.env,
            login="as_settings_admin",
            name="Settings Admin",
            groups="base.group_user,base.group_system",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        return self.env["res.config.settings"].with_user(admin)

    def line(self, ticket, target):
        return ticket.sla_line_ids.filtered(lambda line: line.target == target)

    def leave_site(self, ticket, service_report):
        """The technician clicks Leave Site and writes the report in its dialog."""
        action = ticket.action_check_out()
        with Form(
            self.env[action["res_model"]]
            .with_user(ticket.env.user)
            .with_context(**action["context"])
        ) as dialog:
            dialog.service_report = service_report
        return dialog.record.action_confirm()

    def stage(self, kind):
        return self.env["aftersales.stage"].search([("kind", "=", kind)], limit=1)


def utc(*args):
    """A naive UTC datetime, as Odoo stores them."""
    return datetime(*args)
