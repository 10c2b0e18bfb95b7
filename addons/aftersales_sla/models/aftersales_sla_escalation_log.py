from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesSlaEscalationLog(models.Model):
    """Escalation steps already taken: one row per ticket target and step,
    unique in the database, so that a step never runs twice."""

    _name = "aftersales.sla.escalation.log"
    _description = "After-sales Escalation Taken"
    _order = "id desc"

    line_id = fields.Many2one(
        "aftersales.ticket.sla",
        string="Service Level",
        required=True,
        ondelete="cascade",
        index=True,
    )
    escalation_id = fields.Many2one(
        "aftersales.sla.escalation",
        string="Escalation Step",
        required=True,
        ondelete="cascade",
    )
    ticket_id = fields.Many2one(related="line_id.ticket_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)

    _sql_constraints = [
        (
            "step_once",
            "unique(line_id, escalation_id)",
            "An escalation step runs once per ticket target.",
        )
    ]

    @api.model
    def _claim(self, pairs):
        """Of (service level line, step) ``pairs``, those still to take,
        claimed: the unique key takes each pair at most once, whoever scans
        (two workers included)."""
        if not pairs:
            return []
        claimed = {
            (line_id, step_id)
            for line_id, step_id in self.env.execute_query(
                SQL(
                    """
                    INSERT INTO aftersales_sla_escalation_log
                        (line_id, escalation_id, ticket_id, company_id,
                         create_uid, write_uid, create_date, write_date)
                    SELECT v.line_id, v.step_id, l.ticket_id, l.company_id,
                           %(uid)s, %(uid)s, %(now)s, %(now)s
                      FROM unnest(%(lines)s::int[], %(steps)s::int[])
                           AS v(line_id, step_id)
                      JOIN aftersales_ticket_sla l ON l.id = v.line_id
                    ON CONFLICT (line_id, escalation_id) DO NOTHING
                    RETURNING line_id, escalation_id
                    """,
                    uid=self.env.uid,
                    now=fields.Datetime.now(),
                    lines=[line.id for line, _step in pairs],
                    steps=[step.id for _line, step in pairs],
                )
            )
        }
        return [(line, step) for line, step in pairs if (line.id, step.id) in claimed]
