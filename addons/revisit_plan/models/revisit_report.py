from odoo import fields, models, tools

from .revisit_record import CHANNELS, STATES


class RevisitReport(models.Model):
    """Revisits for analysis: completion rate, missed revisits and
    satisfaction by tier, user and month (pivot and graph)."""

    _name = "revisit.report"
    _description = "Revisit Analysis"
    _auto = False
    _order = "due_date desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tier_id = fields.Many2one("customer.tier", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    rule_id = fields.Many2one("revisit.rule", readonly=True)
    due_date = fields.Date(readonly=True)
    done_date = fields.Date(readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    missed_count = fields.Integer(string="Missed", readonly=True)
    closed_count = fields.Integer(
        string="Due", readonly=True, help="Revisits done or missed."
    )
    completion_rate = fields.Float(
        string="Completion Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Done revisits among those done or missed.",
    )
    satisfaction = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Average score (1 to 5) of the rated revisits.",
    )
    rated_count = fields.Integer(string="Rated", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT r.id,
                       r.partner_id,
                       r.company_id,
                       r.tier_id,
                       r.user_id,
                       r.rule_id,
                       r.due_date,
                       r.done_date,
                       r.channel,
                       r.state,
                       (r.state = 'done')::int AS done_count,
                       (r.state = 'missed')::int AS missed_count,
                       (r.state IN ('done', 'missed'))::int AS closed_count,
                       CASE WHEN r.state = 'done' THEN 100.0
                            WHEN r.state = 'missed' THEN 0.0 END
                           AS completion_rate,
                       NULLIF(r.satisfaction, 0)::float AS satisfaction,
                       (r.satisfaction > 0)::int AS rated_count
                  FROM revisit_record r
                 WHERE r.state != 'cancelled'
            )
            """
        )
