from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CustomerTier(models.Model):
    _name = "customer.tier"
    _description = "Customer Tier"
    _order = "company_id, rank, id"

    name = fields.Char(required=True, translate=True)
    rank = fields.Integer(
        required=True,
        default=1,
        help="Position of the tier: 1 is the best tier, 2 the next one, and so on.",
    )
    min_score = fields.Float(
        string="Minimum Score",
        digits=(5, 2),
        help="Weighted score (0 to 100) a customer needs to reach this tier.",
    )
    requirement_ids = fields.One2many(
        "customer.tier.requirement",
        "tier_id",
        string="Hard Requirements",
        copy=True,
        help="Conditions on raw indicator values that must all hold, whatever "
        "the score, e.g. invoiced revenue of at least 500,000 and at least 10 "
        "invoices in the period.",
    )
    color = fields.Integer()
    description = fields.Html(
        string="Benefits",
        translate=True,
        help="What customers of this tier get: service levels, discounts, "
        "dedicated contacts.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")

    _sql_constraints = [
        (
            "rank_company_uniq",
            "unique(company_id, rank)",
            "Each tier of a company needs its own rank.",
        ),
    ]

    def _compute_partner_count(self):
        counts = {}
        for company in self.company_id:
            partners = self.env["res.partner"].with_company(company)
            for tier, count in partners._read_group(
                [
                    (
                        "tier_id",
                        "in",
                        self.filtered(lambda t, c=company: t.company_id == c).ids,
                    )
                ],
                ["tier_id"],
                ["__count"],
            ):
                counts[tier.id] = count
        for tier in self:
            tier.partner_count = counts.get(tier.id, 0)

    @api.constrains("rank", "min_score", "company_id", "active")
    def _check_ranks_and_scores(self):
        for tier in self:
            if tier.rank < 1:
                raise ValidationError(
                    self.env._(
                        "The rank of tier %(tier)s must be 1 or more.", tier=tier.name
                    )
                )
            if not 0 <= tier.min_score <= 100:
                raise ValidationError(
                    self.env._(
                        "The minimum score of tier %(tier)s must lie between 0 "
                        "and 100.",
                        tier=tier.name,
                    )
                )
        self._check_ladder(self.company_id)

    @api.model
    def _check_ladder(self, companies):
        """Each company's active tiers form a ladder: a better tier (smaller
        rank) asks for a higher minimum score than the next one, and for at
        least what the next one asks of each hard requirement, so that a
        customer who qualifies for a tier also qualifies for every tier below
        it. Checked on every tier of the company, whatever the user sees."""
        Tier = self.sudo().with_context(active_test=True)
        for company in companies:
            tiers = Tier.search([("company_id", "=", company.id)], order="rank, id")
            for better, worse in zip(tiers, tiers[1:], strict=False):
                if better.min_score <= worse.min_score:
                    raise ValidationError(
                        self.env._(
                            "Tier %(better)s (rank %(better_rank)s) needs a higher "
                            "minimum score than tier %(worse)s (rank %(worse_rank)s); "
                            "both ask for %(better_score)s and %(worse_score)s.",
                            better=better.name,
                            better_rank=better.rank,
                            worse=worse.name,
                            worse_rank=worse.rank,
                            better_score=better.min_score,
                            worse_score=worse.min_score,
                        )
                    )
                for requirement in worse.requirement_ids:
                    if not better.requirement_ids._covers(requirement):
                        raise ValidationError(
                            self.env._(
                                "Tier %(better)s (rank %(better_rank)s) must ask at "
                                "least as much as tier %(worse)s (rank "
                                "%(worse_rank)s): %(worse)s requires %(requirement)s.",
                                better=better.name,
                                better_rank=better.rank,
                                worse=worse.name,
                                worse_rank=worse.rank,
                                requirement=requirement.display_name,
                            )
                        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.filtered("partner_count")
        if used:
            raise UserError(
                self.env._(
                    "Tier %(tier)s is held by customers; archive it instead of "
                    "deleting it.",
                    tier=used[0].name,
                )
            )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contacts.action_contacts"
        )
        action.update(
            domain=[("tier_id", "=", self.id)],
            name=self.env._("Customers of %(tier)s", tier=self.name),
        )
        return action
