from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class RevisitCase(TransactionCase):
    """A company of its own with the four tiers of seed 001, a revisit rule
    per tier (monthly, quarterly, yearly, every two years), two salespeople
    with the least rights that revisit (Revisits / User), a revisit manager
    and a plain employee."""

    TODAY = date(2025, 3, 10)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Revisit Test Company"})
        cls.env = cls.env["base"].with_company(cls.company).env
        cls.Record = cls.env["revisit.record"]
        cls.Rule = cls.env["revisit.rule"]
        cls.call = cls.env.ref("revisit_plan.mail_activity_type_revisit_call")
        cls.visit = cls.env.ref("revisit_plan.mail_activity_type_onsite_visit")
        cls.vip, cls.important, cls.regular, cls.prospect = cls.env[
            "customer.tier"
        ].create(
            [
                {
                    "name": name,
                    "rank": rank,
                    "min_score": score,
                    "company_id": cls.company.id,
                }
                for name, rank, score in (
                    ("VIP", 1, 80),
                    ("Important", 2, 60),
                    ("Regular", 3, 35),
                    ("Prospect", 4, 0),
                )
            ]
        )
        users = {}
        for login, groups in (
            ("rp_sales1", "base.group_user,revisit_plan.group_revisit_user"),
            ("rp_sales2", "base.group_user,revisit_plan.group_revisit_user"),
            ("rp_manager", "base.group_user,revisit_plan.group_revisit_manager"),
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
        cls.manager = users["rp_manager"]
        cls.employee = users["rp_employee"]
        cls.rule_vip, cls.rule_important, cls.rule_regular, cls.rule_prospect = (
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
                        ("Monthly", cls.vip, 1, "months", 5, cls.visit),
                        ("Quarterly", cls.important, 3, "months", 7, cls.call),
                        ("Yearly", cls.regular, 1, "years", 14, cls.call),
                        ("Occasional", cls.prospect, 2, "years", 30, cls.call),
                    )
                ]
            )
        )

    @classmethod
    def make_customer(cls, name, tier=None, user=None, **values):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "company_id": cls.company.id,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
                "user_id": user.id if user else False,
                **values,
            }
        )
        if tier:
            cls.set_tier(partner, tier)
        return partner

    @classmethod
    def set_tier(cls, partner, tier):
        partner.with_company(cls.company).sudo().write({"tier_id": tier.id})

    @classmethod
    def done_revisit(cls, partner, rule, done_date, satisfaction=4, **values):
        """A revisit of ``rule`` done on ``done_date``."""
        return cls.Record.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "rule_id": rule.id if rule else False,
                "due_date": done_date,
                "done_date": done_date,
                "state": "done",
                "satisfaction": satisfaction,
                "user_id": partner.user_id.id or cls.manager.id,
                **values,
            }
        )

    @contextmanager
    def assertRaisesMessage(self, exception, pattern):
        """assertRaises (which rolls back to a savepoint) and check the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)

    def planned(self, partner, rule=None):
        domain = [("partner_id", "=", partner.id), ("state", "=", "planned")]
        if rule:
            domain.append(("rule_id", "=", rule.id))
        return self.Record.sudo().search(domain)
