from odoo import fields, models, tools
from odoo.tools import SQL


class AftersalesTicketReport(models.Model):
    """One row per ticket with its KPI measures. Rate measures hold 1 or 0 (or
    nothing when they do not apply), so that their average is the rate: the
    pivot's averages are compliance, resolution, first-contact resolution and
    satisfaction rates, shown as percentages."""

    _name = "aftersales.ticket.report"
    _description = "After-sales KPI Analysis"
    _auto = False
    _rec_name = "ticket_id"
    _order = "date desc"

    ticket_id = fields.Many2one("aftersales.ticket", readonly=True)
    date = fields.Datetime(string="Created on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one("customer.tier", string="Customer Tier", readonly=True)
    team_id = fields.Many2one("aftersales.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    type_id = fields.Many2one("aftersales.ticket.type", readonly=True)
    severity_id = fields.Many2one("aftersales.severity", readonly=True)
    channel_id = fields.Many2one("aftersales.channel", readonly=True)
    root_cause_id = fields.Many2one("aftersales.root.cause", readonly=True)
    is_complaint = fields.Boolean(string="Complaint", readonly=True)
    stage_kind = fields.Selection(
        related="ticket_id.stage_kind", string="Stage Kind", readonly=True
    )
    ticket_count = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    response_compliance = fields.Float(
        string="First Response Compliance", readonly=True, aggregator="avg"
    )
    resolution_compliance = fields.Float(readonly=True, aggregator="avg")
    on_site_compliance = fields.Float(
        string="On-site Compliance", readonly=True, aggregator="avg"
    )
    resolution_rate = fields.Float(readonly=True, aggregator="avg")
    fcr_rate = fields.Float(
        string="First-contact Resolution", readonly=True, aggregator="avg"
    )
    handling_hours = fields.Float(
        string="Handling Time (working hours)", readonly=True, aggregator="avg"
    )
    rating = fields.Float(readonly=True, aggregator="avg")
    satisfaction_rate = fields.Float(
        string="Satisfaction", readonly=True, aggregator="avg"
    )
    breach_count = fields.Integer(string="Breaches", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT t.id, t.id AS ticket_id, t.date_received AS date,
                           t.company_id,
                           t.commercial_partner_id AS partner_id, t.tier_id, t.team_id,
                           t.user_id, t.type_id, t.severity_id, t.channel_id,
                           t.root_cause_id,
                           COALESCE(tt.is_complaint, false) AS is_complaint,
                           1 AS ticket_count,
                           %(response)s AS response_compliance,
                           %(resolution)s AS resolution_compliance,
                           %(on_site)s AS on_site_compliance,
                           CASE WHEN t.date_resolved IS NOT NULL THEN 1.0 ELSE 0.0 END
                               AS resolution_rate,
                           CASE WHEN t.date_resolved IS NULL THEN NULL
                                WHEN COALESCE(t.reopen_count, 0) = 0
                                     AND NOT COALESCE(t.reassigned_team, false)
                                THEN 1.0 ELSE 0.0 END AS fcr_rate,
                           CASE WHEN t.date_resolved IS NOT NULL
                                THEN t.handling_hours END
                               AS handling_hours,
                           r.rating,
                           CASE WHEN r.rating IS NULL THEN NULL
                                WHEN r.rating >= 4 THEN 1.0 ELSE 0.0 END
                               AS satisfaction_rate,
                           (SELECT COUNT(*) FROM aftersales_ticket_sla l
                             WHERE l.ticket_id = t.id AND l.status = 'failed')
                               AS breach_count
                      FROM aftersales_ticket t
                      LEFT JOIN aftersales_ticket_type tt ON tt.id = t.type_id
                      LEFT JOIN LATERAL (
                          SELECT rr.rating FROM rating_rating rr
                           WHERE rr.res_model = 'aftersales.ticket' AND rr.res_id = t.id
                             AND rr.consumed AND rr.rating > 0
                           ORDER BY rr.write_date DESC, rr.id DESC LIMIT 1
                      ) r ON true
                     WHERE t.active
                )
                """,
                view=SQL.identifier(self._table),
                response=self._compliance_sql("response"),
                resolution=self._compliance_sql("resolution"),
                on_site=self._compliance_sql("on_site"),
            )
        )

    def _compliance_sql(self, target):
        """1 when the ticket's target was achieved, 0 when it failed,
        nothing while it runs or when it does not apply."""
        return SQL(
            """(SELECT CASE WHEN bool_or(l.status = 'failed') THEN 0.0
                            WHEN bool_or(l.status = 'achieved') THEN 1.0 END
                  FROM aftersales_ticket_sla l
                 WHERE l.ticket_id = t.id AND l.target = %s)""",
            target,
        )
