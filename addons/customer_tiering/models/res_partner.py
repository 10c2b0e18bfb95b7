from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import bulk, lifecycle

# A customer's tier and its state: written by the evaluation, the approval
# of its proposals and a manager's override, always with a history row.
TIER_STATE_FIELDS = frozenset(
    {
        "tier_id",
        "tier_score",
        "tier_below_count",
        "tier_locked",
        "tier_lock_reason",
        "tier_lock_until",
    }
)
# A customer's lifecycle stage: written by the evaluations only.
LIFECYCLE_FIELDS = frozenset({"lifecycle_stage", "lifecycle_date"})
# Inputs of the evaluation that only tier managers set.
TIER_MANAGER_FIELDS = frozenset({"tier_manual_score"})
# Passed in the context by the partner merge, which copies every field: no
# RPC client can send this object, so nobody else can use it.
PARTNER_MERGE = object()


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Per company (company-dependent), written by the evaluation on commercial
    # partners; their contacts show the commercial partner's tier.
    tier_id = fields.Many2one(
        "customer.tier",
        string="Customer Tier",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Written by the tier evaluation, or by a manager's override.",
    )
    tier_score = fields.Float(
        company_dependent=True,
        readonly=True,
        copy=False,
        digits=(5, 2),
    )
    tier_below_count = fields.Integer(
        string="Evaluations Below Tier",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Evaluations in a row that scored this customer below its tier.",
    )
    tier_locked = fields.Boolean(
        company_dependent=True,
        readonly=True,
        copy=False,
        help="A manager set the tier by hand: evaluations keep it until the lock "
        "expires.",
    )
    tier_lock_reason = fields.Char(company_dependent=True, readonly=True, copy=False)
    tier_lock_until = fields.Date(
        string="Tier Locked Until", company_dependent=True, readonly=True, copy=False
    )
    commercial_tier_id = fields.Many2one(
        related="commercial_partner_id.tier_id", string="Tier"
    )
    commercial_tier_rank = fields.Integer(related="commercial_partner_id.tier_id.rank")
    commercial_tier_score = fields.Float(
        related="commercial_partner_id.tier_score", string="Score"
    )
    tier_last_evaluation_date = fields.Date(
        string="Last Tier Evaluation", compute="_compute_tier_last_evaluation_date"
    )
    tier_history_count = fields.Integer(
        string="Tier Changes", compute="_compute_tier_history_count"
    )
    referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred by",
        index="btree_not_null",
        domain="[('is_company', '=', True)]",
        help="The customer who brought this one; referrals count in the "
        "referrer's tier.",
    )
    referral_count = fields.Integer(
        string="Referrals", compute="_compute_referral_count"
    )
    tier_potential = fields.Selection(
        [
            ("0", "Not rated"),
            ("1", "Low"),
            ("2", "Modest"),
            ("3", "Medium"),
            ("4", "High"),
            ("5", "Very high"),
        ],
        string="Potential",
        default="0",
        help="Staff's rating of the customer's potential value (industry outlook, "
        "growth of its business), from 0 to 5 stars.",
    )
    lifecycle_stage = fields.Selection(
        lifecycle.STAGES,
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Where the customer stands, from its purchase dates: new, active, "
        "at risk (silent for longer than its usual rhythm), lost (silent for "
        "longer than the company's limit) or won back. Computed by the tier "
        "evaluations.",
    )
    # Read from the customer's lifecycle history (its last movement in the
    # company), not stored beside the stage: an evaluation writes one value
    # less per customer.
    lifecycle_date = fields.Date(
        string="Stage Since",
        compute="_compute_lifecycle_date",
        search="_search_lifecycle_date",
        help="When the customer entered its lifecycle stage (as an evaluation "
        "found it).",
    )
    commercial_lifecycle_stage = fields.Selection(
        related="commercial_partner_id.lifecycle_stage", string="Lifecycle"
    )
    account_team_ids = fields.Many2many(
        "res.users",
        "res_partner_account_team_rel",
        "partner_id",
        "user_id",
        domain="[('share', '=', False)]",
        help="The people who look after this customer besides its salesperson: "
        "they see it when contacts are limited to one's own customers.",
    )
    account_team_short = fields.Boolean(
        string="Account Team Too Small",
        compute="_compute_account_team_short",
        search="_search_account_team_short",
        help="A customer of a tier that asks for more people looking after it "
        "(Settings) has fewer (salesperson included).",
    )
    tier_manual_score = fields.Float(
        string="Manual Tier Score",
        digits=(5, 2),
        help="A score from 0 to 100 that staff set, used by 'Manual score' indicators.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_tier_fields_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if self.env.context.get("customer_tier_merge") is PARTNER_MERGE:
                # The merged customer keeps its own tier; the next evaluation
                # grades it with the history of both.
                vals = {
                    k: v
                    for k, v in vals.items()
                    if k not in TIER_STATE_FIELDS | LIFECYCLE_FIELDS
                }
            self._check_tier_fields_write(vals)
        return super().write(vals)

    @api.model
    def _check_tier_fields_write(self, vals):
        """Refuse what only the tier flows (or tier managers) write."""
        if LIFECYCLE_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "A customer's lifecycle stage is computed by the tier "
                    "evaluations from its purchases."
                )
            )
        if TIER_STATE_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "A customer's tier is set by the tier evaluation or by a "
                    "manager's Set Tier by Hand, which keep its history."
                )
            )
        if TIER_MANAGER_FIELDS.intersection(vals) and not self.env.user.has_group(
            "customer_tiering.group_customer_tier_manager"
        ):
            raise AccessError(
                self.env._("Only customer tier managers set the manual tier score.")
            )

    @api.constrains("tier_manual_score")
    def _check_tier_manual_score(self):
        for partner in self:
            if not 0 <= partner.tier_manual_score <= 100:
                raise ValidationError(
                    self.env._("The manual tier score must lie between 0 and 100.")
                )

    @api.constrains("referred_by_id")
    def _check_referred_by(self):
        for partner in self:
            if partner.referred_by_id and (
                partner.referred_by_id.commercial_partner_id
                == partner.commercial_partner_id
            ):
                raise ValidationError(self.env._("A customer cannot refer itself."))

    def _compute_tier_last_evaluation_date(self):
        last = self.env["customer.tier.evaluation"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("state", "in", ("done", "to_review")),
            ],
            order="date desc, id desc",
            limit=1,
        )
        for partner in self:
            partner.tier_last_evaluation_date = (
                last.date if partner.commercial_partner_id.tier_id else False
            )

    def _compute_tier_history_count(self):
        counts = dict(
            self.env["customer.tier.history"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.tier_history_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company")
    @api.depends("lifecycle_stage")
    def _compute_lifecycle_date(self):
        partners = self.filtered("lifecycle_stage")._origin
        entered = dict(
            self.env["customer.lifecycle.history"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["date:max"],
            )
        )
        for partner in self:
            partner.lifecycle_date = (
                entered.get(partner._origin) if partner.lifecycle_stage else False
            )

    def _search_lifecycle_date(self, operator, value):
        """Customers whose stage in the current company was entered on a date
        matching ``operator`` and ``value`` (the date of their last move
        there); ``= False`` for those without a stage."""
        if operator in ("=", "!=") and value is False:
            return [("lifecycle_stage", operator, False)]
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise UserError(self.env._("Unsupported search on Stage Since."))
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise UserError(self.env._("Search Stage Since with a date."))
        entered = (
            self.env["customer.lifecycle.history"]
            .sudo()
            ._read_group(
                [("company_id", "=", self.env.company.id)],
                ["partner_id"],
                having=[("date:max", operator, day)],
            )
        )
        return [
            ("id", "in", [partner.id for (partner,) in entered]),
            ("lifecycle_stage", "!=", False),
        ]

    def _compute_referral_count(self):
        counts = dict(
            self._read_group(
                [("referred_by_id", "in", self.ids)], ["referred_by_id"], ["__count"]
            )
        )
        for partner in self:
            partner.referral_count = counts.get(partner, 0)

    def action_view_tier_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_tiering.customer_tier_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_view_referrals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contacts.action_contacts"
        )
        action["domain"] = [("referred_by_id", "=", self.id)]
        action["context"] = {"default_referred_by_id": self.id}
        return action

    def action_tier_unlock(self):
        """Remove the managers' lock of these customers' tiers (current company)."""
        self.env["customer.tier.evaluation"]._check_manager()
        partners = self.commercial_partner_id.filtered("tier_locked")
        if not partners:
            raise UserError(self.env._("These customers' tiers are not locked."))
        partners._tier_clear_locks(
            self.env.company, "manual", self.env._("Lock removed")
        )

    @api.model
    def _tier_expire_locks(self, companies, today):
        """Clear the locks that expired before ``today``, with a history row each."""
        self.env.flush_all()
        for company in companies:
            key = str(company.id)
            ids = [
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        """
                        SELECT id FROM res_partner
                         WHERE (tier_locked->>%(key)s)::boolean
                           AND (tier_lock_until->>%(key)s)::date < %(today)s
                        """,
                        key=key,
                        today=today,
                    )
                )
            ]
            if ids:
                self.sudo().browse(ids)._tier_clear_locks(company, "override_expired")

    def _tier_clear_locks(self, company, reason, note=False):
        """Remove the managers' lock of these customers' tiers in ``company``
        (their tier stays), with a history row each."""
        partners = self.sudo().with_company(company)
        self._tier_apply_changes(
            company,
            [
                {
                    "partner_id": partner.id,
                    "old_tier_id": partner.tier_id.exists().id,
                    "new_tier_id": partner.tier_id.exists().id,
                    "movement": "unchanged",
                    "score": partner.tier_score,
                    "reason": reason,
                    "note": note or None,
                }
                for partner in partners
            ],
            {
                "tier_locked": dict.fromkeys(partners.ids),
                "tier_lock_reason": dict.fromkeys(partners.ids),
                "tier_lock_until": dict.fromkeys(partners.ids),
            },
        )

    def _tier_override(self, tier, reason, lock_until=False):
        """Set the tier of these commercial partners by hand and lock it
        (until ``lock_until`` when given); log and notify as for evaluations."""
        company = tier.company_id
        partners = self.commercial_partner_id.sudo().with_company(company)

        def movement(old):
            if not old:
                return "new"
            if old == tier:
                return "unchanged"
            return "up" if tier.rank < old.rank else "down"

        ids = partners.ids
        return self._tier_apply_changes(
            company,
            [
                {
                    "partner_id": partner.id,
                    "old_tier_id": partner.tier_id.exists().id,
                    "new_tier_id": tier.id,
                    "movement": movement(partner.tier_id.exists()),
                    "score": partner.tier_score,
                    "reason": "manual",
                    "note": reason,
                }
                for partner in partners
            ],
            {
                "tier_locked": dict.fromkeys(ids, True),
                "tier_lock_reason": dict.fromkeys(ids, reason),
                "tier_lock_until": dict.fromkeys(ids, lock_until or None),
                "tier_below_count": dict.fromkeys(ids),
            },
        )

    # --- account team -----------------------------------------------------------

    @api.depends_context("company")
    @api.depends("user_id", "account_team_ids", "commercial_partner_id")
    def _compute_account_team_short(self):
        company = self.env.company
        rank = company.account_team_min_rank
        for partner in self:
            commercial = partner.commercial_partner_id
            tier = commercial.with_company(company).tier_id
            people = commercial.user_id | commercial.account_team_ids
            partner.account_team_short = bool(
                rank and tier and tier.rank <= rank and len(people) < 2
            )

    def _search_account_team_short(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the account team."))
        company = self.env.company
        rank = company.account_team_min_rank
        ids = []
        if rank:
            self.env.flush_all()
            ids = [
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        """
                        SELECT p.id
                          FROM res_partner p
                          JOIN customer_tier t ON t.id = %(tier)s
                         WHERE p.id = p.commercial_partner_id AND t.rank <= %(rank)s
                           AND (p.user_id IS NOT NULL)::int
                               + (SELECT COUNT(*) FROM res_partner_account_team_rel r
                                   WHERE r.partner_id = p.id
                                     AND r.user_id IS DISTINCT FROM p.user_id) < 2
                        """,
                        tier=self._tier_id_sql(company),
                        rank=rank,
                    )
                )
            ]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    # --- lifecycle -------------------------------------------------------------

    @api.model
    def _lifecycle_values(self, changes):
        """The company-dependent values that record these stage changes, to
        write with the evaluation's other values in one statement:
        ``{field name: {partner id: value}}`` (the date a stage was entered is
        its history row's)."""
        return {"lifecycle_stage": {c["partner_id"]: c["new_stage"] for c in changes}}

    @api.model
    def _lifecycle_record_changes(self, company, changes, date, evaluation=None):
        """Record customers' lifecycle stage changes of ``company`` whose new
        stages were written (``_lifecycle_values``): a history row per change,
        then the stage hooks. With ``_lifecycle_values``, the one way stages
        change (the evaluations).

        :param changes: dicts with ``partner_id``, ``old_stage``, ``new_stage``
        :return: the history rows
        """
        History = self.env["customer.lifecycle.history"].sudo()
        if not changes:
            return History
        facts = History._record(company, changes, date, evaluation)
        History._on_stage_changes(facts)
        return History.browse(fact.id for fact in facts)

    @api.model
    def _lifecycle_apply_changes(self, company, changes, date, evaluation=None):
        """Move customers of ``company`` into new lifecycle stages entered on
        ``date``: write the stages and their dates, record a history row per
        change and run the stage hooks. The evaluation writes the same values
        within its own statement (``_lifecycle_values``) and then records them
        (``_lifecycle_record_changes``); this is the same path for a single
        move outside an evaluation (imports, data fixes, tests).

        :param changes: dicts with ``partner_id``, ``old_stage``, ``new_stage``
        :return: the history rows
        """
        if not changes:
            return self.env["customer.lifecycle.history"]
        bulk.set_company_values(self.sudo(), company, self._lifecycle_values(changes))
        return self._lifecycle_record_changes(company, changes, date, evaluation)

    # --- selecting customers by tier (the API of the other addons) ------------

    @api.model
    def _tier_id_sql(self, company, alias="p"):
        """SQL expression: the id of the tier that the ``res_partner`` row
        ``alias`` holds in ``company`` (NULL for none). Other addons select
        and read tiers in SQL through this and ``_tier_sql_condition``, never
        through the storage of ``tier_id``; in a domain, search ``tier_id``
        with the company in the environment (``with_company``)."""
        return SQL("(%s.tier_id ->> %s)::int", SQL.identifier(alias), str(company.id))

    @api.model
    def _tier_sql_condition(self, company, tiers=None, alias="p"):
        """SQL condition on the ``res_partner`` row ``alias``: it holds a tier
        of ``company``, one of ``tiers`` when given (an empty recordset
        matches nobody)."""
        if tiers is None:
            return SQL("%s.tier_id ? %s", SQL.identifier(alias), str(company.id))
        return SQL("%s = ANY(%s)", self._tier_id_sql(company, alias), tiers.ids)

    @api.model
    def _tier_apply_changes(self, company, changes, values=None):
        """The one way customers' tiers change (evaluations, approved
        proposals, managers' overrides and locks): write the new tiers of
        ``company`` and the other values given in one statement, record a
        history row per change and tell about the moves.

        :param changes: dicts with ``partner_id``, ``old_tier_id``,
            ``new_tier_id``, ``movement``, ``score``, ``reason`` and
            optionally ``note``, ``breakdown``, ``evaluation_id``
        :param values: other company-dependent values written with them,
            ``{field name: {partner id: value}}`` (``None`` clears a value)
        :return: the history rows
        """
        values = {
            fname: dict(by_partner) for fname, by_partner in (values or {}).items()
        }
        values.setdefault("tier_id", {}).update(
            {
                change["partner_id"]: change["new_tier_id"] or None
                for change in changes
                if change["movement"] != "unchanged"
            }
        )
        bulk.set_company_values(self.sudo(), company, values)
        history = self.env["customer.tier.history"]._create_rows(
            [{**change, "company_id": company.id} for change in changes]
        )
        history.filtered(lambda h: h.movement != "unchanged")._notify_tier_changes()
        return history
