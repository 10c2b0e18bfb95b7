from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError

from ..tools import dates
from .common import RevisitCase

# Known dates of the lunar festivals (official calendars).
LUNAR_FESTIVALS = {
    "spring_festival": {
        2023: date(2023, 1, 22),
        2024: date(2024, 2, 10),
        2025: date(2025, 1, 29),
        2026: date(2026, 2, 17),
        2027: date(2027, 2, 6),
    },
    "dragon_boat": {
        2023: date(2023, 6, 22),
        2024: date(2024, 6, 10),
        2025: date(2025, 5, 31),
        2026: date(2026, 6, 19),
        2027: date(2027, 6, 9),
    },
    "mid_autumn": {
        2023: date(2023, 9, 29),
        2024: date(2024, 9, 17),
        2025: date(2025, 10, 6),
        2026: date(2026, 9, 25),
        2027: date(2027, 9, 15),
    },
}
FIXED_FESTIVALS = {
    "new_year": (1, 1),
    "valentine": (2, 14),
    "labour_day": (5, 1),
    "national_day": (10, 1),
}


class TestOccasionDates(RevisitCase):
    def test_each_shipped_occasion_for_several_years(self):
        for key, known in LUNAR_FESTIVALS.items():
            occasion = self.env.ref(f"revisit_plan.revisit_occasion_{key}")
            self.assertEqual(occasion.calendar_type, "lunar")
            for year, expected in known.items():
                with self.subTest(occasion=key, year=year):
                    self.assertEqual(occasion._date_in(year), expected)
        for key, (month, day) in FIXED_FESTIVALS.items():
            occasion = self.env.ref(f"revisit_plan.revisit_occasion_{key}")
            for year in range(2023, 2031):
                with self.subTest(occasion=key, year=year):
                    self.assertEqual(occasion._date_in(year), date(year, month, day))

    def test_late_lunar_months_and_leap_days(self):
        # The 8th of the 12th lunar month (Laba) of lunar 2024 falls in
        # January 2025; there is none in Gregorian 2024's own lunar year
        # range before it.
        self.assertEqual(dates.occasion_date(2025, "lunar", 12, 8), date(2025, 1, 7))
        self.assertEqual(dates.day_in_year(2025, 2, 29), date(2025, 2, 28))
        self.assertEqual(dates.day_in_year(2024, 2, 29), date(2024, 2, 29))
        # The window of an occasion crosses the new year.
        self.assertEqual(
            dates.upcoming_occurrence(date(2025, 12, 30), 3, "fixed", 1, 1),
            (date(2026, 1, 1), 2026),
        )
        self.assertEqual(
            dates.upcoming_occurrence(date(2025, 12, 28), 3, "fixed", 1, 1),
            (None, None),
        )

    def test_bad_occasion_dates(self):
        occasion = self.env.ref("revisit_plan.revisit_occasion_valentine")
        for values in (
            {"month": 13},
            {"month": 2, "day": 30},
            {"calendar_type": "lunar", "day": 31},
            {"days_ahead": -1},
        ):
            with self.subTest(values=values):
                with self.assertRaisesMessage(ValidationError, "Valentine"):
                    occasion.write(values)
                    self.env.flush_all()
        self.assertEqual((occasion.month, occasion.day), (2, 14))


class TestCareMessages(RevisitCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["revisit.care.message"]
        cls.mid_autumn = cls.env.ref("revisit_plan.revisit_occasion_mid_autumn").copy(
            {
                "company_id": cls.company.id,
                "active": True,
                "days_ahead": 3,
                "tier_ids": [Command.set((cls.gold | cls.silver).ids)],
            }
        )
        cls.vip_customer = cls.make_customer("Moon Vip", cls.gold)
        cls.important_customer = cls.make_customer("Moon Important", cls.silver)
        cls.regular_customer = cls.make_customer("Moon Regular", cls.bronze)
        cls.no_email = cls.make_customer("Moon No Email", cls.gold, email=False)
        cls.opted_out = cls.make_customer("Moon Opted Out", cls.gold)
        cls.env["mail.blacklist"].sudo()._add(cls.opted_out.email)

    def send(self):
        """Run the sending action until nothing is left."""
        for _i in range(10):
            self.Message._cron_send_care_messages()
            if not self.Message._birthday_rows(self.company, date.today(), 1) and not (
                self.Message._occasion_rows(
                    self.mid_autumn, date.today().year, date.today(), 1
                )
                if self.mid_autumn._due_occurrence(date.today())[0]
                else []
            ):
                break

    def new_mails(self, before):
        """Emails queued since ``before`` for this test's customers (demo
        occasions of other companies may send theirs too)."""
        customers = self.env["res.partner"].search([("name", "like", "Moon ")])
        return (self.env["mail.mail"].search([]) - before).filtered(
            lambda m: m.recipient_ids & customers
        )

    def messages(self, occasion=None):
        return self.Message.search(
            [
                ("company_id", "=", self.company.id),
                ("occasion_id", "=", occasion.id if occasion else False),
            ]
        )

    def test_occasion_sent_exactly_once_with_skips_counted(self):
        mails_before = self.env["mail.mail"].search([])
        with freeze_time("2025-10-02"):  # 4 days before 6 October: too early
            self.send()
            self.assertFalse(self.messages(self.mid_autumn))
        with freeze_time("2025-10-03"):
            self.send()
            messages = self.messages(self.mid_autumn)
            self.assertEqual(
                {m.partner_id: m.state for m in messages},
                {
                    self.vip_customer: "sent",
                    self.important_customer: "sent",
                    self.no_email: "no_email",
                    self.opted_out: "blacklisted",
                },
                "tier 3 is not in the audience",
            )
            self.assertEqual(set(messages.mapped("year")), {2025})
            self.assertEqual(set(messages.mapped("date")), {date(2025, 10, 6)})
            mails = self.new_mails(mails_before)
            self.assertEqual(len(mails), 2, "queued, not sent at once")
            self.assertEqual(set(mails.mapped("state")), {"outgoing"})
            self.assertEqual(
                mails.recipient_ids, self.vip_customer | self.important_customer
            )
            self.assertIn("Mid-Autumn", mails[0].subject)
            self.assertIn(self.company.name, mails[0].subject)
            self.assertIn("Dear Moon", mails[0].body_html)
            self.assertEqual(
                messages.filtered(lambda m: m.state == "sent").mail_id, mails
            )
            self.assertEqual(self.mid_autumn.sent_count, 2)
            self.assertEqual(self.mid_autumn.skipped_count, 2)
        for day in ("2025-10-04", "2025-10-06"):
            with freeze_time(day):
                self.send()
        self.assertEqual(len(self.messages(self.mid_autumn)), 4, "once a year")
        self.assertEqual(len(self.new_mails(mails_before)), 2)
        with freeze_time("2026-09-23"):  # 2026: 25 September
            self.send()
            self.assertEqual(len(self.messages(self.mid_autumn)), 8)

    def test_database_keeps_it_once(self):
        with freeze_time("2025-10-04"):
            self.send()
            rows = [(self.vip_customer.id, 2025, date(2025, 10, 6))]
            handled = self.Message._send_batch(
                self.company,
                "occasion",
                self.mid_autumn,
                self.mid_autumn.template_id,
                rows,
            )
        self.assertEqual(handled, 1)
        self.assertEqual(
            len(
                self.messages(self.mid_autumn).filtered(
                    lambda m: m.partner_id == self.vip_customer
                )
            ),
            1,
        )

    def test_birthday_greetings_days_ahead(self):
        self.company.write(
            {"revisit_birthday_greeting": True, "revisit_birthday_days": 3}
        )
        self.vip_customer.birthday = date(1980, 3, 14)
        self.regular_customer.birthday = date(1990, 3, 12)
        leap = self.make_customer("Leap Day", self.gold, birthday=date(2000, 2, 29))
        self.no_email.birthday = date(1975, 3, 13)
        with freeze_time("2025-03-10"):
            self.send()
        greeted = {m.partner_id: m for m in self.messages()}
        self.assertEqual(
            set(greeted), {self.regular_customer, self.no_email}, "14 March: too far"
        )
        self.assertEqual(greeted[self.no_email].state, "no_email")
        with freeze_time("2025-03-11"):
            self.send()
        self.assertIn(self.vip_customer, self.messages().partner_id)
        self.assertEqual(len(self.messages()), 3)
        # 29 February is greeted for 28 February in common years.
        with freeze_time("2025-02-25"):
            self.send()
        leap_message = self.messages().filtered(lambda m: m.partner_id == leap)
        self.assertEqual(leap_message.date, date(2025, 2, 28))
        # A birthday early in January is greeted in late December, for the
        # new year.
        january = self.make_customer("January", self.gold, birthday=date(1985, 1, 2))
        with freeze_time("2025-12-30"):
            self.send()
        message = self.messages().filtered(lambda m: m.partner_id == january)
        self.assertEqual((message.year, message.date), (2026, date(2026, 1, 2)))

    def run_job(self):
        """Call the scheduled action as Odoo's scheduler does in one run: again
        while it reports work done and work remaining (at most 10 calls)."""
        progress = []
        with patch.object(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda self_, done, remaining, deactivate=False: progress.append(
                (done, remaining)
            ),
        ):
            for _i in range(10):
                self.Message._cron_send_care_messages()
                done, remaining = progress[-1]
                if not (done and remaining):
                    break
        return progress

    def test_birthdays_and_festival_of_one_day_in_one_run(self):
        """A birthday and a festival due the same day both go out in that
        day's run: sending the birthdays does not report "no work left"."""
        self.company.write(
            {"revisit_birthday_greeting": True, "revisit_birthday_days": 3}
        )
        self.regular_customer.birthday = date(1990, 10, 5)
        with freeze_time("2025-10-03"):
            progress = self.run_job()
        self.assertEqual(progress[-1], (0, 0), "ends when nothing is left")
        self.assertEqual(self.messages().partner_id, self.regular_customer)
        self.assertEqual(len(self.messages(self.mid_autumn)), 4)

    def test_a_broken_greeting_does_not_stop_the_others(self):
        """A greeting whose sending fails (a broken template) is logged and
        skipped; the others of the day still go out, and the run ends."""
        self.company.write(
            {
                "revisit_birthday_greeting": True,
                "revisit_birthday_days": 3,
                "revisit_birthday_template_id": self.env["mail.template"]
                .create(
                    {
                        "name": "Broken",
                        "model_id": self.env["ir.model"]._get_id("res.partner"),
                        "subject": "{{ object.no_such_field }}",
                    }
                )
                .id,
            }
        )
        self.regular_customer.birthday = date(1990, 10, 5)
        with (
            freeze_time("2025-10-03"),
            self.assertLogs(
                "odoo.addons.revisit_plan.models.revisit_care_message", "ERROR"
            ) as logs,
        ):
            progress = self.run_job()
        self.assertIn(f"birthdays of {self.company.name}", logs.output[0])
        self.assertEqual(progress[-1], (0, 0))
        self.assertFalse(self.messages(), "the failed batch left nothing behind")
        self.assertEqual(len(self.messages(self.mid_autumn)), 4)

    def test_templates_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["revisit_plan"], ["zh_CN"])
        self.vip_customer.lang = "zh_CN"
        template = self.mid_autumn.template_id.with_company(self.company)
        subject = template._render_field(
            "subject", self.vip_customer.ids, compute_lang=True
        )
        body = template._render_field(
            "body_html", self.vip_customer.ids, compute_lang=True
        )
        self.assertEqual(
            subject[self.vip_customer.id], f"{self.company.name} 祝您中秋节快乐"
        )
        self.assertIn("尊敬的 Moon Vip", str(body[self.vip_customer.id]))
        self.assertIn("中秋节快乐", str(body[self.vip_customer.id]))

    def test_greetings_need_a_template_of_contacts(self):
        """A template of another model would render other records with the
        customers' ids (and send them)."""
        users_template = self.env["mail.template"].create(
            {
                "name": "Not for contacts",
                "model_id": self.env["ir.model"]._get_id("res.users"),
                "subject": "x",
            }
        )
        with self.assertRaisesMessage(ValidationError, "template of contacts"):
            self.mid_autumn.with_user(self.manager).template_id = users_template
        with self.assertRaisesMessage(ValidationError, "template of contacts"):
            self.company.revisit_birthday_template_id = users_template
        with self.assertRaisesMessage(UserError, "whole number"):
            self.mid_autumn.with_user(self.manager).day = 2**31

    def test_birthday_setting_bounds(self):
        for days in (1, 8):
            with self.subTest(days=days):
                with self.assertRaisesMessage(ValidationError, "2 to 7 days"):
                    self.company.revisit_birthday_days = days
        self.assertEqual(self.company.revisit_birthday_days, 3)
