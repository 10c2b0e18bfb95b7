from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from odoo.addons.customer_tiering.tools.validation import check_number, check_text

from ..tools.sla_planner import DeadlineOutOfReach, PlannerCache
from .aftersales_stage import OPEN_KINDS

SLA_STATUSES = [
    ("none", "No service level"),
    ("ok", "On track"),
    ("warning", "At risk"),
    ("failed", "Failed"),
]
# Written by the ticket's flows only (check-in, first response, stages, the
# service level planning, invoicing), with sudo: KPIs, deadlines and fees are
# computed from them, so no user sets them by hand.
FLOW_FIELDS = frozenset(
    {
        "number",
        "date_received",
        "commercial_partner_id",
        "date_assessed",
        "assessed_by_id",
        "date_checkin",
        "checkin_user_id",
        "date_checkout",
        "date_first_response",
        "date_resolved",
        "date_closed",
        "reopen_count",
        "reassigned_team",
        "handling_hours",
        "sla_policy_id",
        "sla_line_ids",
        "sla_status",
        "date_sla_deadline",
        "invoice_id",
    }
)
# Set by the flows from the customer's tier, and changed by managers only.
MANAGER_FIELDS = frozenset({"tier_id", "fee_policy", "fee_discount", "active"})


class AftersalesTicket(models.Model):
    _name = "aftersales.ticket"
    _description = "After-sales Ticket"
    _inherit = [
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
        "rating.mixin",
    ]
    _order = "priority desc, id desc"
    _primary_email = "email_from"
    _mail_post_access = "read"

    # Fields with groups="base.group_user" are the team's own (assignment,
    # complaint follow-up, fees, service level internals): portal customers
    # read the others on their tickets; the portal pages read in sudo.

    # --- identity and customer ----------------------------------------------
    number = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    name = fields.Char(string="Subject", required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", tracking=True, index=True, required=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Contact Person",
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
    )
    email_from = fields.Char(
        string="Email", help="Who wrote to us, for tickets from email."
    )
    tier_id = fields.Many2one(
        "customer.tier",
        string="Customer Tier",
        tracking=True,
        copy=False,
        help="The customer's tier when the ticket was created; it follows the "
        "customer's tier changes while the ticket is open.",
        groups="base.group_user",
    )
    tier_rank = fields.Integer(related="tier_id.rank", groups="base.group_user")
    channel_id = fields.Many2one(
        "aftersales.channel",
        default=lambda self: self.env.ref(
            "aftersales_sla.channel_phone", raise_if_not_found=False
        ),
    )
    type_id = fields.Many2one("aftersales.ticket.type", tracking=True)
    is_complaint = fields.Boolean(related="type_id.is_complaint")
    product_id = fields.Many2one("product.product")
    product_categ_id = fields.Many2one(
        related="product_id.categ_id", store=True, string="Product Category"
    )
    description = fields.Html()
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0")
    color = fields.Integer()

    # --- complaint ----------------------------------------------------------
    root_cause_id = fields.Many2one(
        "aftersales.root.cause", tracking=True, groups="base.group_user"
    )
    corrective_action = fields.Html(groups="base.group_user")

    # --- assessment and routing ---------------------------------------------
    severity_id = fields.Many2one(
        "aftersales.severity",
        tracking=True,
        default=lambda self: self.env.ref(
            "aftersales_sla.severity_normal", raise_if_not_found=False
        ),
    )
    complexity = fields.Selection(
        [("low", "Simple"), ("medium", "Medium"), ("high", "Complex")],
        tracking=True,
        groups="base.group_user",
    )
    date_assessed = fields.Datetime(
        string="Assessed on", readonly=True, copy=False, groups="base.group_user"
    )
    assessed_by_id = fields.Many2one(
        "res.users",
        string="Assessed by",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    team_id = fields.Many2one(
        "aftersales.team", tracking=True, index=True, groups="base.group_user"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        domain="[('share', '=', False)]",
        index=True,
        groups="base.group_user",
    )
    stage_id = fields.Many2one(
        "aftersales.stage",
        tracking=True,
        index=True,
        copy=False,
        group_expand="_read_group_stage_ids",
        default=lambda self: self._default_stage(),
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', team_id)]",
    )
    stage_kind = fields.Selection(related="stage_id.kind", store=True)
    is_open = fields.Boolean(
        string="Open", compute="_compute_is_open", search="_search_is_open"
    )

    # --- service ------------------------------------------------------------
    service_mode = fields.Selection(
        [("remote", "Remote"), ("on_site", "On site")],
        default="remote",
        required=True,
        tracking=True,
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site Address",
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
    )
    date_visit = fields.Datetime(string="Planned Visit", tracking=True)
    date_visit_end = fields.Datetime(string="Planned Visit End")
    # Tracked rather than told in notes: the history shows these facts in
    # its reader's language.
    date_checkin = fields.Datetime(
        string="Arrived on Site", readonly=True, copy=False, tracking=True
    )
    checkin_user_id = fields.Many2one(
        "res.users",
        string="Technician",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    date_checkout = fields.Datetime(
        string="Left Site", readonly=True, copy=False, tracking=True
    )
    service_report = fields.Html()
    resolution = fields.Html()

    # --- fees ---------------------------------------------------------------
    fee_policy = fields.Selection(
        [("free", "Free"), ("discounted", "Discounted"), ("charged", "Charged")],
        default="charged",
        required=True,
        tracking=True,
        copy=False,
        help="Set from the customer's tier when the ticket is created; managers "
        "may change it.",
        groups="base.group_user",
    )
    fee_discount = fields.Float(
        string="Discount (%)", digits="Discount", copy=False, groups="base.group_user"
    )
    line_ids = fields.One2many(
        "aftersales.ticket.line",
        "ticket_id",
        string="Labour and Parts",
        groups="base.group_user",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amount_total",
        store=True,
        groups="base.group_user",
    )
    invoice_id = fields.Many2one(
        "account.move",
        readonly=True,
        copy=False,
        tracking=True,
        groups="base.group_user",
    )
    invoice_state = fields.Selection(
        related="invoice_id.state", string="Invoice Status", groups="base.group_user"
    )
    date_received = fields.Datetime(
        string="Received",
        required=True,
        readonly=True,
        copy=False,
        default=fields.Datetime.now,
        help="When the request came in: the service level clocks start here.",
    )

    # --- milestones ---------------------------------------------------------
    date_first_response = fields.Datetime(
        string="First Response", readonly=True, copy=False, groups="base.group_user"
    )
    date_resolved = fields.Datetime(
        string="Resolved on", readonly=True, copy=False, groups="base.group_user"
    )
    date_closed = fields.Datetime(
        string="Closed on", readonly=True, copy=False, groups="base.group_user"
    )
    reopen_count = fields.Integer(
        string="Reopenings",
        readonly=True,
        copy=False,
        default=0,
        groups="base.group_user",
    )
    reassigned_team = fields.Boolean(
        default=False,
        readonly=True,
        copy=False,
        help="Moved to another team after it was created.",
        groups="base.group_user",
    )
    handling_hours = fields.Float(
        string="Handling Time (working hours)",
        readonly=True,
        copy=False,
        help="Working hours of the team's calendar from creation to resolution.",
        groups="base.group_user",
    )

    # --- service levels -----------------------------------------------------
    sla_policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="Service Level Policy",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    sla_line_ids = fields.One2many(
        "aftersales.ticket.sla",
        "ticket_id",
        string="Service Levels",
        groups="base.group_user",
    )
    sla_status = fields.Selection(
        SLA_STATUSES, compute="_compute_sla_status", store=True, string="Service Level"
    )
    date_sla_deadline = fields.Datetime(
        string="Next Deadline", compute="_compute_sla_status", store=True
    )

    # --- defaults, computes -------------------------------------------------

    def _default_stage(self):
        return self.env["aftersales.stage"].search([("kind", "=", "new")], limit=1)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_id = self.env.context.get("default_team_id")
        search_domain = [("team_ids", "=", False)]
        if team_id:
            search_domain = ["|", ("team_ids", "in", team_id), *search_domain]
        return stages.search(search_domain)

    @api.depends("stage_kind")
    def _compute_is_open(self):
        for ticket in self:
            ticket.is_open = ticket.stage_kind in OPEN_KINDS

    def _search_is_open(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on open tickets."))
        positive = (operator == "=") == value
        return [("stage_kind", "in" if positive else "not in", OPEN_KINDS)]

    @api.depends("line_ids.subtotal")
    def _compute_amount_total(self):
        for ticket in self:
            ticket.amount_total = sum(ticket.line_ids.mapped("subtotal"))

    @api.depends(
        "sla_line_ids.status", "sla_line_ids.warned", "sla_line_ids.date_deadline"
    )
    def _compute_sla_status(self):
        for ticket in self:
            lines = ticket.sla_line_ids.filtered(
                lambda line: line.status != "cancelled"
            )
            running = lines.filtered(lambda line: line.status in ("running", "paused"))
            if not lines:
                status = "none"
            elif "failed" in lines.mapped("status"):
                status = "failed"
            elif running.filtered("warned"):
                status = "warning"
            else:
                status = "ok"
            ticket.sla_status = status
            deadlines = [d for d in running.mapped("date_deadline") if d]
            ticket.date_sla_deadline = min(deadlines) if deadlines else False

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    @api.depends("number", "name")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = (
                f"{ticket.number} {ticket.name}"
                if ticket.number not in (False, "/")
                else ticket.name
            )

    # --- constraints --------------------------------------------------------

    @api.constrains("fee_discount")
    def _check_fee_discount(self):
        for ticket in self:
            if not 0 <= ticket.fee_discount <= 100:
                raise ValidationError(
                    self.env._("The discount must lie between 0 and 100%%.")
                )

    # --- create and write ---------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected_fields(vals, creating=True)
            self._check_fee_discount_value(vals)
            if vals.get("number", "/") == "/":
                vals["number"] = (
                    self.env["ir.sequence"].next_by_code("aftersales.ticket") or "/"
                )
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            company = (
                self.env["res.company"].browse(vals.get("company_id"))
                or self.env.company
            )
            if partner and "tier_id" not in vals:
                vals["tier_id"] = self._customer_tier(partner, company).id
            tier = self.env["customer.tier"].browse(vals.get("tier_id"))
            if tier and "fee_policy" not in vals:
                vals.update(self._tier_fees(tier))
            if not vals.get("team_id"):
                vals["team_id"] = (
                    self.env["aftersales.team"]._team_for(company, tier).id
                )
            if vals.get("type_id") and "service_mode" not in vals:
                ticket_type = self.env["aftersales.ticket.type"].browse(vals["type_id"])
                vals["service_mode"] = ticket_type.default_service_mode
            if not vals.get("user_id") and vals.get("team_id"):
                team = self.env["aftersales.team"].browse(vals["team_id"])
                vals["user_id"] = team._next_assignee().id
        tickets = super().create(vals_list)
        self.env["aftersales.ticket.sla"]._apply_policies(tickets)
        for ticket in tickets.filtered("partner_id"):
            ticket.message_subscribe(partner_ids=ticket.partner_id.ids)
        return tickets

    def write(self, vals):
        self._check_protected_fields(vals)
        self._check_fee_discount_value(vals)
        now = fields.Datetime.now()
        old_kinds = {ticket.id: ticket.stage_kind for ticket in self}
        old_scope = {
            ticket.id: (
                ticket.tier_id,
                ticket.severity_id,
                ticket.team_id,
                ticket.channel_id,
            )
            for ticket in self
        }
        old_mode = {ticket.id: ticket.service_mode for ticket in self}
        old_customer = (
            {ticket.id: ticket.commercial_partner_id for ticket in self}
            if "partner_id" in vals and "tier_id" not in vals
            else {}
        )
        moved_team = self.browse()
        if vals.get("team_id"):
            moved_team = self.filtered(
                lambda t: t.team_id and t.team_id.id != vals["team_id"]
            )
        if vals.get("severity_id") or vals.get("complexity"):
            vals.setdefault("date_assessed", now)
            vals.setdefault("assessed_by_id", self.env.uid)
        result = super().write(vals)
        if moved_team:
            super(AftersalesTicket, moved_team).write({"reassigned_team": True})
        if old_customer:
            moved = self.filtered(
                lambda t: t.commercial_partner_id != old_customer[t.id]
            )
            for values, tickets in moved._customer_tier_values(
                keep_fees="fee_policy" in vals
            ):
                # The flow's own write (in sudo), past the checks of write().
                super(AftersalesTicket, tickets).write(values)
        Line = self.env["aftersales.ticket.sla"]
        planners = PlannerCache()
        if {"tier_id", "severity_id", "team_id", "channel_id", "partner_id"} & set(
            vals
        ):
            Line._apply_policies(
                self.filtered(
                    lambda t: (
                        old_scope[t.id]
                        != (t.tier_id, t.severity_id, t.team_id, t.channel_id)
                    )
                ),
                planners,
            )
        if "service_mode" in vals:
            Line._apply_policies(
                self.filtered(lambda t: old_mode[t.id] != t.service_mode), planners
            )
        if "stage_id" in vals:
            for ticket in self:
                ticket._on_stage_change(old_kinds[ticket.id], now, planners)
        return result

    def _check_protected_fields(self, vals, creating=False):
        """Refuse what users may not set by hand: the fields the flows write
        (milestones, service levels, invoice, number) and, for anyone but an
        after-sales manager, the tier, the fees and archiving. The flows
        write with sudo, which passes; a new ticket may come active and
        without these values (the flows then derive them)."""
        if self.env.su:
            return
        if creating:
            vals = {
                fname: value
                for fname, value in vals.items()
                if not (fname == "active" and value)
                and not (fname == "number" and value == "/")
                and not (fname in FLOW_FIELDS and not value)
            }
        flow = FLOW_FIELDS.intersection(vals)
        if flow:
            raise AccessError(
                self.env._(
                    "These ticket fields are set by the ticket's flow, not by "
                    "hand: %(fields)s.",
                    fields=self._field_labels(flow),
                )
            )
        managed = MANAGER_FIELDS.intersection(vals)
        if managed and not self.env.user.has_group(
            "aftersales_sla.group_aftersales_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only after-sales managers change these ticket fields: %(fields)s.",
                    fields=self._field_labels(managed),
                )
            )

    def _check_fee_discount_value(self, vals):
        """Refuse a discount that is no number (NaN, infinity) or out of 0 to
        100 before the ORM's rounding fails on it."""
        if vals.get("fee_discount") not in (None, False):
            label = self._fields["fee_discount"]._description_string(self.env)
            check_number(self.env, vals["fee_discount"], label, 0, 100)

    def _field_labels(self, fnames):
        descriptions = self.fields_get(sorted(fnames), ["string"])
        return ", ".join(
            descriptions[fname]["string"] if fname in descriptions else fname
            for fname in sorted(fnames)
        )

    @api.model
    def _customer_tier(self, partner, company):
        """The customer's tier in ``company``, which a new ticket copies."""
        return (
            partner.commercial_partner_id.sudo()
            .with_company(company)
            .tier_id.sudo(False)
        )

    @api.model
    def _tier_fees(self, tier):
        """The fee values a tier gives its customers' tickets."""
        tier = tier.sudo()
        return {
            "fee_policy": tier.aftersales_fee_policy or "charged",
            "fee_discount": tier.aftersales_fee_discount,
        }

    def _customer_tier_values(self, keep_fees=False):
        """[(values, tickets in sudo)] that give these tickets, moved to
        another customer, that customer's tier and, unless invoiced (or
        ``keep_fees``), its fees, as if they had been created for it; open
        tickets only, grouped by values."""
        by_values = defaultdict(list)
        for ticket in self.sudo().filtered(lambda t: t.stage_kind in OPEN_KINDS):
            tier = self._customer_tier(ticket.partner_id, ticket.company_id)
            values = {"tier_id": tier.id}
            if not keep_fees and not ticket.invoice_id:
                values.update(self._tier_fees(tier))
            by_values[tuple(sorted(values.items()))].append(ticket.id)
        return [
            (dict(values), self.sudo().browse(ticket_ids))
            for values, ticket_ids in by_values.items()
        ]

    def _on_stage_change(self, old_kind, now, planners):
        """Service levels and milestones follow the stage's kind."""
        self.ensure_one()
        kind = self.stage_kind
        if kind == old_kind:
            return
        lines = self.sudo().sla_line_ids
        if old_kind == "waiting":
            lines._resume(now, planners)
        if kind == "waiting":
            lines._pause(now)
        if kind == "in_progress" and old_kind == "new":
            self._reach_first_response(now)
        if kind in OPEN_KINDS and old_kind in ("resolved", "closed"):
            # Reopened: counts against first-contact resolution.
            self.sudo().write(
                {
                    "reopen_count": self.reopen_count + 1,
                    "date_resolved": False,
                    "date_closed": False,
                }
            )
            lines.filtered(lambda line: line.target == "resolution")._reopen(planners)
        if kind == "closed":
            if self.is_complaint and not (
                self.root_cause_id and self.corrective_action
            ):
                raise UserError(
                    self.env._(
                        "Complaint %(ticket)s needs a root cause and a corrective "
                        "action "
                        "before it closes.",
                        ticket=self.display_name,
                    )
                )
        if kind in ("resolved", "closed") and not self.date_resolved:
            self._mark_resolved(now, planners)
        if kind == "closed":
            self.sudo().date_closed = now
            self._on_close()
        if kind == "cancelled":
            lines._cancel()
        if self.stage_id.rating_request and self.partner_id:
            self._send_rating_request()

    def _mark_resolved(self, now, planners):
        """The resolution is reached now; the handling time is counted on the
        team's calendar."""
        self.ensure_one()
        self._reach_first_response(now)
        lines = self.sudo().sla_line_ids
        lines.filtered(lambda line: line.target == "resolution")._reach(now)
        # Resolved without a visit: the on-site target no longer applies.
        lines.filtered(lambda line: line.target == "on_site")._cancel()
        values = {"date_resolved": now}
        calendar = self.team_id.resource_calendar_id or self.sla_policy_id.calendar_id
        if calendar:
            try:
                planner = planners.get(calendar, self.date_received)
                values["handling_hours"] = planner.working_hours(
                    self.date_received, now
                )
            except DeadlineOutOfReach:
                raise UserError(
                    self.env._(
                        "The handling time of %(ticket)s cannot be counted: "
                        "calendar %(calendar)s of team %(team)s has no working "
                        "time. Give the team working hours.",
                        ticket=self.display_name,
                        calendar=calendar.display_name,
                        team=self.team_id.display_name,
                    )
                ) from None
        self.sudo().write(values)

    def _reach_first_response(self, now):
        for ticket in self.filtered(lambda t: not t.date_first_response):
            ticket.sudo().date_first_response = now
            ticket.sudo().sla_line_ids.filtered(
                lambda line: line.target == "response"
            )._reach(now)

    def _on_close(self):
        """Hook called when a ticket closes (its resolution and closing
        recorded), for the addons that follow closed tickets up, such as
        aftersales_revisit."""
        self.ensure_one()

    # --- messages -----------------------------------------------------------

    def _message_post_after_hook(self, message, msg_vals):
        """An agent's first message to the customer is the first response."""
        result = super()._message_post_after_hook(message, msg_vals)
        note = self.env.ref("mail.mt_note")
        author = message.author_id
        if (
            message.message_type == "comment"
            and message.subtype_id != note
            and author
            and author.user_ids.filtered(lambda u: not u.share)
        ):
            self._reach_first_response(fields.Datetime.now())
        return result

    def _get_allowed_message_post_params(self):
        # Customers rate tickets from their rating request only, not with a
        # rating attached to a message of the portal's chatter.
        return super()._get_allowed_message_post_params() - {"rating_value"}

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        """Messages of tickets carry no rating but the customer's, which
        ``rating_apply`` posts (in sudo) from the rating request."""
        if not self.env.su and (kwargs.get("rating_value") or kwargs.get("rating_id")):
            raise self.env["rating.rating"]._ticket_rating_error()
        return super().message_post(**kwargs)

    def _send_rating_request(self):
        template = self.env.ref(
            "aftersales_sla.mail_template_ticket_rating", raise_if_not_found=False
        )
        if template:
            self.sudo().rating_send_request(
                template, lang=self.partner_id.lang, force_send=False
            )

    def _rating_get_partner(self):
        return self.partner_id

    def _rating_get_operator(self):
        return self.user_id.partner_id

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from an incoming email (team alias): the sender is the
        customer, found or created from the address."""
        values = dict(custom_values or {})
        email = msg_dict.get("email_from") or ""
        partner = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if not partner and email:
            partner = self.env["res.partner"].sudo().find_or_create(email)
        values.update(
            {
                "name": msg_dict.get("subject") or self.env._("No subject"),
                "email_from": email,
                "partner_id": partner.id,
                "channel_id": self.env.ref("aftersales_sla.channel_email").id,
                "description": msg_dict.get("body"),
            }
        )
        return super().message_new(msg_dict, custom_values=values)

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        if "stage_id" in changes and ticket.stage_id.mail_template_id:
            res["stage_id"] = (
                ticket.stage_id.mail_template_id,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "mail.mt_note"
                    ),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _demo_rate(self, value):
        """Demo data: the customer rates the ticket (1, 3 or 5)."""
        for ticket in self:
            ticket.rating_apply(value, token=ticket._rating_get_access_token())

    # --- actions ------------------------------------------------------------

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})

    def action_check_in(self):
        """The technician arrived on site: reaches the on-site target."""
        self.check_access("write")
        now = fields.Datetime.now()
        for ticket in self:
            if ticket.service_mode != "on_site" or not ticket.is_open:
                raise UserError(self.env._("Only open on-site tickets are checked in."))
            if ticket.date_checkin:
                raise UserError(self.env._("This ticket is already checked in."))
            ticket.sudo().write({"date_checkin": now, "checkin_user_id": self.env.uid})
            ticket.sudo().sla_line_ids.filtered(
                lambda line: line.target == "on_site"
            )._reach(now)
            ticket._reach_first_response(now)

    def action_check_out(self):
        """Leave Site: a dialog asks for the service report."""
        self.ensure_one()
        self.check_access("write")
        self._check_can_check_out()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leave Site"),
            "res_model": "aftersales.ticket.checkout",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_ticket_id": self.id,
                "default_service_report": self.service_report,
            },
        }

    def _check_can_check_out(self):
        for ticket in self:
            if not ticket.date_checkin or ticket.date_checkout:
                raise UserError(self.env._("Check in on site before checking out."))

    def _check_out(self, service_report):
        """The technician leaves the site with ``service_report`` written."""
        self.check_access("write")
        self._check_can_check_out()
        service_report = check_text(
            self.env,
            service_report,
            self._fields["service_report"]._description_string(self.env),
            100_000,
        )
        if is_html_empty(service_report):
            raise UserError(self.env._("Write the service report before checking out."))
        now = fields.Datetime.now()
        for ticket in self:
            ticket.service_report = service_report
            ticket.sudo().date_checkout = now
            # The technician's own words; the departure itself is tracked.
            ticket.message_post(
                body=ticket.service_report, subtype_xmlid="mail.mt_note"
            )

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.invoice_id.id,
            "view_mode": "form",
        }

    def action_create_invoice(self):
        """Invoice the customer the labour and parts, at the tier's fee
        policy: a draft invoice, which accounting checks and posts. Whoever
        may work the ticket creates it, also without invoicing rights; the
        invoice opens for those who may read invoices."""
        self.ensure_one()
        self.check_access("write")
        if self.fee_policy == "free":
            raise UserError(
                self.env._("This customer's service is free: nothing to invoice.")
            )
        if self.invoice_id and self.invoice_state != "cancel":
            raise UserError(self.env._("This ticket is already invoiced."))
        lines = self.line_ids.filtered(lambda line: line.quantity and line.price_unit)
        if not lines:
            raise UserError(self.env._("Add the labour and parts to invoice first."))
        # sudo: the user may work this ticket (checked above); the draft holds
        # its labour and parts only, and posting it stays with accounting.
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.commercial_partner_id.id,
                    "invoice_origin": self.number,
                    "invoice_line_ids": [
                        fields.Command.create(line._invoice_line_values())
                        for line in lines
                    ],
                }
            )
        )
        # Tracked: the history names the invoice in its reader's language.
        self.sudo().invoice_id = invoice
        if invoice.with_env(self.env).has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": invoice.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Draft invoice created: accounting checks and posts it."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
