from odoo import fields, models
from odoo.exceptions import UserError

from .customer_tier_history import MOVEMENTS


class CustomerTierProposal(models.Model):
    """A tier change an evaluation in review mode proposes; nothing is
    written on the customer until a manager approves it."""

    _name = "customer.tier.proposal"
    _description = "Customer Tier Proposal"
    _order = "evaluation_id desc, id"
    _rec_name = "partner_id"

    evaluation_id = fields.Many2one(
        "customer.tier.evaluation", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    old_tier_id = fields.Many2one("customer.tier", string="Current Tier")
    new_tier_id = fields.Many2one("customer.tier", string="Proposed Tier")
    movement = fields.Selection(MOVEMENTS, required=True)
    score = fields.Float(digits=(5, 2))
    breakdown = fields.Json()
    breakdown_html = fields.Html(
        string="Score Breakdown", compute="_compute_breakdown_html", sanitize=False
    )
    state = fields.Selection(
        [
            ("pending", "To Review"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("outdated", "Outdated"),
        ],
        required=True,
        default="pending",
        help="Outdated: the customer's tier changed after the evaluation "
        "(e.g. a manual override), so the proposal no longer applies.",
    )
    reviewed_by_id = fields.Many2one("res.users", readonly=True)
    reviewed_on = fields.Datetime(readonly=True)

    def _compute_breakdown_html(self):
        tables = self.env["customer.tier.history"]._breakdown_tables(
            self.mapped("breakdown")
        )
        for proposal, table in zip(self, tables, strict=True):
            proposal.breakdown_html = table

    def action_approve(self):
        """Write the approved tiers, with history and notifications; proposals
        whose customer moved meanwhile become outdated."""
        self.env["customer.tier.evaluation"]._check_manager()
        pending = self.filtered(lambda p: p.state == "pending")
        for company in pending.company_id:
            proposals = pending.filtered(lambda p, c=company: p.company_id == c)
            current = self.env["customer.tier.evaluation"]._current_states(
                company, proposals.partner_id.ids
            )
            valid = proposals.filtered(
                lambda p, cur=current: (
                    cur[p.partner_id.id][0] == (p.old_tier_id.id or None)
                )
            )
            (proposals - valid).write({"state": "outdated"})
            if not valid:
                continue
            valid.write(
                {
                    "state": "approved",
                    "reviewed_by_id": self.env.uid,
                    "reviewed_on": fields.Datetime.now(),
                }
            )
            self.env["res.partner"]._tier_apply_changes(
                company,
                [
                    {
                        "partner_id": p.partner_id.id,
                        "old_tier_id": p.old_tier_id.id,
                        "new_tier_id": p.new_tier_id.id,
                        "movement": p.movement,
                        "score": p.score,
                        "breakdown": p.breakdown,
                        "reason": "evaluation",
                        "evaluation_id": p.evaluation_id.id,
                    }
                    for p in valid
                ],
                {"tier_score": {p.partner_id.id: p.score for p in valid}},
            )
        self.evaluation_id._check_review_done()

    def action_reject(self):
        self.env["customer.tier.evaluation"]._check_manager()
        pending = self.filtered(lambda p: p.state == "pending")
        if not pending and self:
            raise UserError(self.env._("These proposals were already reviewed."))
        pending.write(
            {
                "state": "rejected",
                "reviewed_by_id": self.env.uid,
                "reviewed_on": fields.Datetime.now(),
            }
        )
        self.evaluation_id._check_review_done()
