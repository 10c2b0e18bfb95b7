import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_tiering.tools import jobs

from ..tools import batching, dates

_logger = logging.getLogger(__name__)

STATES = [
    ("sent", "Sent"),
    ("no_email", "Skipped: no email"),
    ("blacklisted", "Skipped: opted out"),
]


class RevisitCareMessage(models.Model):
    """One greeting of one customer for one occasion (or birthday) and year:
    sent, or skipped and why. A unique index makes it exactly once, whoever
    sends."""

    _name = "revisit.care.message"
    _description = "Care Message"
    _order = "id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    kind = fields.Selection(
        [("birthday", "Birthday"), ("occasion", "Occasion")], required=True
    )
    occasion_id = fields.Many2one(
        "revisit.occasion", ondelete="cascade", index="btree_not_null"
    )
    year = fields.Integer(required=True, aggregator=None)
    date = fields.Date(string="Occasion Date")
    state = fields.Selection(STATES, required=True)
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null")

    def init(self):
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS revisit_care_message_once
                ON revisit_care_message
                   (company_id, partner_id, kind, COALESCE(occasion_id, 0), year)
            """
        )

    @api.model
    def _audience_condition(self, company, tiers):
        """SQL condition on ``p``: the active commercial customers of
        ``company`` (customers, or holding one of its tiers), of ``tiers``
        when given."""
        Partner = self.env["res.partner"]
        condition = SQL(
            """p.active AND p.id = p.commercial_partner_id
               AND (p.company_id IS NULL OR p.company_id = %s)
               AND (p.customer_rank > 0 OR %s)""",
            company.id,
            Partner._tier_sql_condition(company),
        )
        if tiers:
            condition = SQL(
                "%s AND %s", condition, Partner._tier_sql_condition(company, tiers)
            )
        return condition

    @api.model
    def _send_batch(self, company, kind, occasion, template, rows):
        """Record and send the greetings of ``rows`` [(partner id, year,
        date)]: one insert (the unique index drops what was already done),
        then one batch of emails into the mail queue for the partners with a
        usable, not opted-out address. Return how many rows were handled."""
        if not rows:
            return 0
        partner_ids = [row[0] for row in rows]
        states = dict(
            self.env.execute_query(
                SQL(
                    """
                    SELECT p.id,
                           CASE WHEN COALESCE(p.email_normalized, '') = ''
                                     THEN 'no_email'
                                WHEN EXISTS (
                                     SELECT 1 FROM mail_blacklist b
                                      WHERE b.email = p.email_normalized
                                        AND b.active)
                                     THEN 'blacklisted'
                                ELSE 'sent' END
                      FROM res_partner p WHERE p.id = ANY(%s)
                    """,
                    partner_ids,
                )
            )
        )
        # The database settles "once per customer and year": two workers may
        # greet the same customers at once, and the unique index of init()
        # drops what another one inserted first (ON CONFLICT DO NOTHING),
        # where create() would fail the whole batch.
        now = self.env.cr.now()
        inserted = self.browse(
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    INSERT INTO revisit_care_message
                           (partner_id, company_id, kind, occasion_id, year,
                            date, state, create_uid, create_date, write_uid,
                            write_date)
                    VALUES %s
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """,
                    SQL(", ").join(
                        SQL(
                            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                            partner_id,
                            company.id,
                            kind,
                            occasion.id if occasion else None,
                            year,
                            when,
                            states[partner_id],
                            self.env.uid,
                            now,
                            self.env.uid,
                            now,
                        )
                        for partner_id, year, when in rows
                    ),
                )
            )
        )
        to_send = inserted.sudo().filtered(lambda m: m.state == "sent")
        if to_send and template:
            mails = (
                template.sudo()
                .with_company(company)
                .send_mail_batch(to_send.partner_id.ids, force_send=False)
            )
            mail_by_partner = {mail.res_id: mail.id for mail in mails}
            for message in to_send:
                message.mail_id = mail_by_partner.get(message.partner_id.id, False)
        return len(rows)

    @api.model
    def _birthday_rows(self, company, today, limit):
        """[(partner id, year, date)] of the customers of ``company`` whose
        birthday falls within the next N days (Settings) and who were not
        greeted for it yet; 29 February counts as 28 February in common
        years."""
        days = dates.birthday_dates(
            today, today + timedelta(days=company.revisit_birthday_days)
        )
        return self.env.execute_query(
            SQL(
                """
                SELECT p.id, EXTRACT(YEAR FROM o.day)::int, o.day
                  FROM res_partner p
                  JOIN unnest(%(months)s::int[], %(days)s::int[], %(dates)s::date[])
                       AS o(month, day_of_month, day)
                    ON o.month = EXTRACT(MONTH FROM p.birthday)
                   AND o.day_of_month = EXTRACT(DAY FROM p.birthday)
                 WHERE %(audience)s
                   AND NOT EXISTS (
                        SELECT 1 FROM revisit_care_message m
                         WHERE m.partner_id = p.id AND m.company_id = %(company)s
                           AND m.kind = 'birthday'
                           AND m.year = EXTRACT(YEAR FROM o.day))
                 ORDER BY p.id
                 LIMIT %(limit)s
                """,
                months=[month for month, _day in days],
                days=[day for _month, day in days],
                dates=list(days.values()),
                audience=self._audience_condition(
                    company, company.revisit_birthday_tier_ids
                ),
                company=company.id,
                limit=limit,
            )
        )

    @api.model
    def _occasion_rows(self, occasion, year, when, limit):
        """[(partner id, year, date)] of the audience of ``occasion`` not
        greeted for ``year`` yet."""
        return self.env.execute_query(
            SQL(
                """
                SELECT p.id, %(year)s, %(when)s::date
                  FROM res_partner p
                 WHERE %(audience)s
                   AND NOT EXISTS (
                        SELECT 1 FROM revisit_care_message m
                         WHERE m.partner_id = p.id
                           AND m.company_id = %(company)s
                           AND m.occasion_id = %(occasion)s
                           AND m.year = %(year)s)
                 ORDER BY p.id
                 LIMIT %(limit)s
                """,
                year=year,
                when=when,
                audience=self._audience_condition(
                    occasion.company_id, occasion.tier_ids
                ),
                company=occasion.company_id.id,
                occasion=occasion.id,
                limit=limit,
            )
        )

    @api.model
    def _cron_send_care_messages(self):
        """Scheduled action: one batch of birthday or occasion greetings per
        call, into the mail queue (which sends them in its own batches).

        It says that work remains after every batch it sends, so that the
        scheduler calls again until a call finds nothing: every greeting due
        today goes out today, birthdays and occasions alike. A batch that
        fails (a broken template, say) is rolled back and logged, and the
        next one is tried."""
        today = fields.Date.context_today(self)
        limit = batching.batch_size(self.env)
        self.env.flush_all()
        done = 0
        for label, send in self._care_batches(today, limit):
            done = sum(
                jobs.run_isolated(
                    self.env,
                    [label],
                    lambda _labels, send=send: [send()],
                    lambda label: f"Care messages: sending {label}",
                    _logger,
                )
            )
            if done:
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=1 if done else 0)

    @api.model
    def _care_batches(self, today, limit):
        """The next batch of each kind of greeting due ``today``, as
        (label, function sending it and returning how many it handled)."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("revisit_birthday_greeting", "=", True)])
        )
        for company in companies:

            def send_birthdays(company=company):
                rows = self._birthday_rows(company, today, limit)
                template = company.revisit_birthday_template_id or self.env.ref(
                    "revisit_plan.mail_template_birthday", raise_if_not_found=False
                )
                return self._send_batch(company, "birthday", None, template, rows)

            yield f"the birthdays of {company.name}", send_birthdays
        for occasion in self.env["revisit.occasion"].sudo().search([]):

            def send_occasion(occasion=occasion):
                when, year = occasion._due_occurrence(today)
                if not when:
                    return 0
                rows = self._occasion_rows(occasion, year, when, limit)
                return self._send_batch(
                    occasion.company_id,
                    "occasion",
                    occasion,
                    occasion.template_id,
                    rows,
                )

            yield f"occasion {occasion.name} (id {occasion.id})", send_occasion
