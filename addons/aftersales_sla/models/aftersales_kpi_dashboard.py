from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from odoo.addons.customer_tiering.tools.validation import valid_id

# (measure of aftersales.ticket.report, company target field, higher is
# better, unit); the labels are the measures' field strings. Rates are
# fractions in the report and percentages (as the targets) here.
KPIS = [
    ("response_compliance", "aftersales_target_response", True, "%"),
    ("resolution_compliance", "aftersales_target_resolution", True, "%"),
    ("on_site_compliance", "aftersales_target_on_site", True, "%"),
    ("resolution_rate", "aftersales_target_resolution_rate", True, "%"),
    ("fcr_rate", "aftersales_target_fcr", True, "%"),
    ("satisfaction_rate", "aftersales_target_satisfaction", True, "%"),
    ("handling_hours", "aftersales_target_handling_hours", False, "h"),
]
# Months of the trend charts, up to the period's last month.
TREND_MONTHS = 12


class AftersalesKpiDashboard(models.AbstractModel):
    """The KPIs of a period, team and tier against the targets in Settings,
    with their monthly trend: the data of the KPI Dashboard screen."""

    _name = "aftersales.kpi.dashboard"
    _description = "After-sales KPI Dashboard"

    @api.model
    def _check_date(self, value, label):
        """``value`` (an ISO date text or a date) as a date, or a clear error."""
        if isinstance(value, date):
            return value
        error = UserError(self.env._("%(field)s must be a date.", field=label))
        if not isinstance(value, str) or len(value) != 10 or "\x00" in value:
            raise error
        try:
            return fields.Date.to_date(value)
        except ValueError:
            raise error from None

    @api.model
    def _domain(self, date_from, date_to, team=None, tier=None):
        # The last day counts up to its last instant (the day after it does
        # not exist for 9999-12-31).
        domain = [
            ("company_id", "=", self.env.company.id),
            ("date", ">=", datetime.combine(date_from, time.min)),
            ("date", "<=", datetime.combine(date_to, time.max)),
        ]
        if team:
            domain.append(("team_id", "=", team.id))
        if tier:
            domain.append(("tier_id", "=", tier.id))
        return domain

    @api.model
    def _kpi_values(self, domain, groupby=()):
        """[(group values..., {measure: value})] of the KPIs over the report
        rows in ``domain``, rates in percent."""
        measures = ["ticket_count", "breach_count"] + [m for m, *_ in KPIS]
        aggregates = ["ticket_count:sum", "breach_count:sum"] + [
            f"{m}:avg" for m, *_ in KPIS
        ]
        result = []
        for row in self.env["aftersales.ticket.report"]._read_group(
            domain, list(groupby), aggregates
        ):
            groups, values = row[: len(groupby)], row[len(groupby) :]
            values = dict(zip(measures, values, strict=True))
            for measure, _target, _higher, unit in KPIS:
                if unit == "%" and values[measure] is not None:
                    values[measure] *= 100
            result.append((*groups, values))
        return result

    @api.model
    def get_dashboard_data(self, date_from, date_to, team_id=False, tier_id=False):
        """The dashboard of ``date_from`` to ``date_to`` (ISO dates), for one
        team and one customer tier when given: ticket and breach counts, each
        KPI's actual value against its target and its monthly trend over the
        twelve months up to ``date_to``, and the teams and tiers to choose
        from."""
        self.env["aftersales.ticket.report"].check_access("read")
        date_from = self._check_date(date_from, self.env._("Start date"))
        date_to = self._check_date(date_to, self.env._("End date"))
        if date_from > date_to:
            raise ValidationError(self.env._("The period ends before it starts."))
        team = self.env["aftersales.team"]
        tier = self.env["customer.tier"]
        if team_id:
            team = team.browse(valid_id(team_id)).exists()
            if not team:
                raise UserError(self.env._("This team does not exist."))
        if tier_id:
            tier = tier.browse(valid_id(tier_id)).exists()
            if not tier:
                raise UserError(self.env._("This customer tier does not exist."))
        company = self.env.company
        values = self._kpi_values(self._domain(date_from, date_to, team, tier))[0][0]

        try:
            trend_start = date_to.replace(day=1) - relativedelta(
                months=TREND_MONTHS - 1
            )
        except (ValueError, OverflowError):  # the first year there is
            trend_start = date.min
        months = [trend_start + relativedelta(months=i) for i in range(TREND_MONTHS)]
        by_month = {
            fields.Date.to_date(month): month_values
            for month, month_values in self._kpi_values(
                self._domain(trend_start, date_to, team, tier),
                ["date:month"],
            )
        }
        labels = self.env["aftersales.ticket.report"].fields_get(
            [m for m, *_ in KPIS], ["string"]
        )
        kpis = []
        for measure, target_field, higher, unit in KPIS:
            actual = values[measure]
            target = company[target_field]
            kpis.append(
                {
                    "key": measure,
                    "label": labels[measure]["string"],
                    "unit": unit,
                    "higher_is_better": higher,
                    "actual": actual,
                    "target": target,
                    "met": None
                    if actual is None
                    else (actual >= target if higher else actual <= target),
                    "trend": [
                        {
                            "month": format_date(self.env, month, date_format="MMM yy"),
                            "value": by_month.get(month, {}).get(measure),
                        }
                        for month in months
                    ],
                }
            )
        teams = self.env["aftersales.team"].search_read(
            [("company_id", "in", (company.id, False))], ["display_name"]
        )
        tiers = self.env["customer.tier"].search_read(
            [("company_id", "in", (company.id, False))], ["display_name"]
        )
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "team_id": team.id,
            "tier_id": tier.id,
            "teams": [{"id": t["id"], "name": t["display_name"]} for t in teams],
            "tiers": [{"id": t["id"], "name": t["display_name"]} for t in tiers],
            "ticket_count": values["ticket_count"] or 0,
            "breach_count": values["breach_count"] or 0,
            "kpis": kpis,
        }

    @api.model
    def action_open_analysis(self, date_from, date_to, team_id=False, tier_id=False):
        """The KPI Analysis of the dashboard's period, team and tier."""
        data = self.get_dashboard_data(date_from, date_to, team_id, tier_id)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_sla.aftersales_ticket_report_action"
        )
        action["domain"] = self._domain(
            fields.Date.to_date(data["date_from"]),
            fields.Date.to_date(data["date_to"]),
            self.env["aftersales.team"].browse(data["team_id"]),
            self.env["customer.tier"].browse(data["tier_id"]),
        )
        return action
