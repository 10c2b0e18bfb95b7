from datetime import datetime, time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# (measure of aftersales.ticket.report, company target field, higher is
# better, unit); the labels are the measures' field strings.
KPIS = [
    ("response_compliance", "aftersales_target_response", True, "%"),
    ("resolution_compliance", "aftersales_target_resolution", True, "%"),
    ("on_site_compliance", "aftersales_target_on_site", True, "%"),
    ("resolution_rate", "aftersales_target_resolution_rate", True, "%"),
    ("fcr_rate", "aftersales_target_fcr", True, "%"),
    ("satisfaction_rate", "aftersales_target_satisfaction", True, "%"),
    ("handling_hours", "aftersales_target_handling_hours", False, "h"),
]


class AftersalesKpiDashboard(models.TransientModel):
    """The KPIs of a period, team and tier against the targets in Settings."""

    _name = "aftersales.kpi.dashboard"
    _description = "After-sales KPI Dashboard"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    team_id = fields.Many2one("aftersales.team")
    tier_id = fields.Many2one("customer.tier", string="Customer Tier")
    ticket_count = fields.Integer(string="Tickets", compute="_compute_kpis")
    breach_count = fields.Integer(string="Breaches", compute="_compute_kpis")
    kpi_html = fields.Html(string="Indicators", compute="_compute_kpis", sanitize=False)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        if any(dashboard.date_from > dashboard.date_to for dashboard in self):
            raise ValidationError(self.env._("The period ends before it starts."))

    def _domain(self):
        self.ensure_one()
        # The last day counts up to its last instant (the day after it does
        # not exist for 9999-12-31).
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", datetime.combine(self.date_from, time.min)),
            ("date", "<=", datetime.combine(self.date_to, time.max)),
        ]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        if self.tier_id:
            domain.append(("tier_id", "=", self.tier_id.id))
        return domain

    @api.model
    def _kpi_values(self, domain):
        """{measure: value} of the KPIs over the report rows in ``domain``."""
        aggregates = ["ticket_count:sum", "breach_count:sum"] + [
            f"{m}:avg" for m, *_ in KPIS
        ]
        values = self.env["aftersales.ticket.report"]._read_group(
            domain, [], aggregates
        )[0]
        return dict(
            zip(
                ["ticket_count", "breach_count"] + [m for m, *_ in KPIS],
                values,
                strict=True,
            )
        )

    @api.depends("company_id", "date_from", "date_to", "team_id", "tier_id")
    def _compute_kpis(self):
        for dashboard in self:
            values = dashboard._kpi_values(dashboard._domain())
            dashboard.ticket_count = values["ticket_count"] or 0
            dashboard.breach_count = values["breach_count"] or 0
            rows = []
            report_fields = self.env["aftersales.ticket.report"].fields_get(
                [measure for measure, *_ in KPIS], ["string"]
            )
            for measure, target_field, higher, unit in KPIS:
                label = report_fields[measure]["string"]
                actual = values[measure]
                target = dashboard.company_id[target_field]
                if actual is None:
                    status, text = "text-muted", "-"
                else:
                    met = actual >= target if higher else actual <= target
                    status = "text-success" if met else "text-danger"
                    text = f"{actual:.1f} {unit}"
                rows.append(
                    Markup(
                        "<tr><td>%s</td><td class='text-end fw-bold %s'>%s</td>"
                        "<td class='text-end text-muted'>%s</td></tr>"
                    )
                    % (label, status, text, f"{target:.1f} {unit}")
                )
            dashboard.kpi_html = Markup(
                "<table class='table table-sm o_aftersales_kpis'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
                "<tbody>%s</tbody></table>"
            ) % (
                self.env._("Indicator"),
                self.env._("Actual"),
                self.env._("Target"),
                Markup("").join(rows),
            )

    def action_open_analysis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_sla.aftersales_ticket_report_action"
        )
        action["domain"] = self._domain()
        return action
