from datetime import date

from odoo import Command

from odoo.addons.customer_tiering.tests.common import TierCase
from odoo.addons.mail.tests.common import mail_new_test_user


class RevisitCase(TierCase):
    """customer_tiering's test company and tiers (Gold, Silver, Bronze,
    Basic), with a revisit rule per tier after seed 001 (monthly, quarterly,
    yearly, every two years), two salespeople with the least rights that
    revisit (Revisits / User), the tier manager as revisit manager, and a
    plain employee."""

    TODAY = date(2025, 3, 10)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Record = cls.env["revisit.record"]
        cls.Rule = cls.env["revisit.rule"]
        cls.call = cls.env.ref("revisit_plan.mail_activity_type_revisit_call")
        cls.visit = cls.env.ref("revisit_plan.mail_activity_type_onsite_visit")
        cls.manager.groups_id = [
            Command.link(cls.env.ref("revisit_plan.group_revisit_manager").id)
        ]
        users = {}
        for login, groups in (
            ("rp_sales1", "base.group_user,revisit_plan.group_revisit_user"),
            ("rp_sales2", "base.group_user,revisit_plan.group_revisit_user"),
            ("rp_employee", "base.group_user"),
        ):
            users[login] = mail_new_test_user(
                cls.env,
                login=login,
                name=login.replace("rp_", "").title(),
                email=f"{login}@example.com",
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
        cls.sales1 = users["rp_sales1"]
        cls.sales2 = users["rp_sales2"]
        cls.employee = users["rp_employee"]
        cls.rule_gold, cls.rule_silver, cls.rule_bronze, cls.rule_basic = (
            cls.Rule.create(
                [
                    {
                        "name": name,
                        "company_id": cls.company.id,
                        "tier_ids": [Command.set(tier.ids)],
                        "cadence_number": number,
                        "cadence_unit": unit,
                        "lead_days": lead,
                        "activity_type_id": activity_type.id,
                    }
                    for name, tier, number, unit, lead, activity_type in (
                        ("Monthly", cls.gold, 1, "months", 5, cls.visit),
                        ("Quarterly", cls.silver, 3, "months", 7, cls.call),
                        ("Yearly", cls.bronze, 1, "years", 14, cls.call),
                        ("Occasional", cls.basic, 2, "years", 30, cls.call),
                    )
                ]
            )
        )

    @classmethod
    def make_customer(cls, name, tier=None, user=None, **values):
        """A customer of the test company with an email, ``user`` as its
        salesperson and ``tier`` as its tier."""
        values.setdefault("email", f"{name.lower().replace(' ', '.')}@example.com")
        partner = super().make_customer(
            name, user_id=user.id if user else False, **values
        )
        if tier:
            cls.set_tier(partner, tier)
        return partner

    @classmethod
    def set_tier(cls, partner, tier):
        partner.with_company(cls.company).sudo().write({"tier_id": tier.id})

    @classmethod
    def done_revisit(cls, partner, rule, date_done, satisfaction=4, **values):
        """A revisit of ``rule`` done on ``date_done``."""
        return cls.Record.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "rule_id": rule.id if rule else False,
                "date_due": date_done,
                "date_done": date_done,
                "state": "done",
                "satisfaction": satisfaction,
                "user_id": partner.user_id.id or cls.manager.id,
                **values,
            }
        )

    @classmethod
    def enter_stage(cls, partner, stage, day):
        """``partner`` enters lifecycle ``stage`` on ``day``, through the
        base's one path for stage changes; return its history row."""
        return cls.env["res.partner"]._lifecycle_apply_changes(
            cls.company,
            [
                {
                    "partner_id": partner.id,
                    "old_stage": partner.with_company(cls.company).lifecycle_stage,
                    "new_stage": stage,
                }
            ],
            day,
        )

    def planned(self, partner, rule=None):
        domain = [("partner_id", "=", partner.id), ("state", "=", "planned")]
        if rule:
            domain.append(("rule_id", "=", rule.id))
        return self.Record.sudo().search(domain)
