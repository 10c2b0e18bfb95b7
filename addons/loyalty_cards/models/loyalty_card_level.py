import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


class LoyaltyCardLevel(models.Model):
    """A level of member card (standard, silver, gold, VIP...): what it earns,
    the discount it gives, the customer tiers that lead to it and how its
    cards look."""

    _name = "loyalty.card.level"
    _description = "Member Card Level"
    _order = "program_id, rank, id"

    name = fields.Char(required=True, translate=True)
    program_id = fields.Many2one(
        "loyalty.program",
        string="Programme",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_member_program', '=', True)]",
    )
    company_id = fields.Many2one(
        related="program_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="program_id.currency_id")
    rank = fields.Integer(
        required=True,
        default=10,
        help="1 is the highest level. New cards get the level of their holder's "
        "tier, else the lowest level (the largest rank).",
    )
    earn_multiplier = fields.Float(
        string="Points Multiplier",
        digits=(6, 2),
        default=1.0,
        required=True,
        help="Points earned by the programme's rules are multiplied by this.",
    )
    discount_percent = fields.Float(
        string="Discount (%)",
        digits=(5, 2),
        help="Discount on every purchase at the counter.",
    )
    tier_ids = fields.Many2many(
        "customer.tier",
        string="Customer Tiers",
        domain="[('company_id', '=', company_id)]",
        help="Customers of these tiers hold cards of this level. When a "
        "customer's tier changes, its card moves to the level of its new tier.",
    )
    color = fields.Char(
        string="Card Colour",
        default="#8C6D46",
        help="Background colour of the card (#RRGGBB).",
    )
    text_color = fields.Char(
        string="Text Colour",
        default="#FFFFFF",
        help="Colour of the text printed on the card (#RRGGBB).",
    )
    logo = fields.Image(max_width=256, max_height=256)
    background_image = fields.Image(max_width=1024, max_height=1024)
    card_text = fields.Char(
        translate=True,
        help="A line printed on the card, such as its benefits.",
    )
    benefits = fields.Html(translate=True)
    active = fields.Boolean(default=True)
    card_count = fields.Integer(compute="_compute_card_count")

    _sql_constraints = [
        (
            "rank_unique",
            "UNIQUE (program_id, rank)",
            "Two levels of a programme cannot have the same rank.",
        ),
        (
            "rank_positive",
            "CHECK (rank > 0)",
            "The rank of a level is a positive number.",
        ),
        (
            "earn_multiplier_range",
            "CHECK (earn_multiplier >= 0 AND earn_multiplier <= 100)",
            "The points multiplier lies between 0 and 100.",
        ),
        (
            "discount_percent_range",
            "CHECK (discount_percent >= 0 AND discount_percent <= 100)",
            "The discount of a level lies between 0 and 100%.",
        ),
    ]

    def _compute_card_count(self):
        counts = dict(
            self.env["loyalty.card"]._read_group(
                [("level_id", "in", self.ids)], ["level_id"], ["__count"]
            )
        )
        for level in self:
            level.card_count = counts.get(level, 0)

    @api.constrains("color", "text_color")
    def _check_colors(self):
        for level in self:
            for color in (level.color, level.text_color):
                if color and not COLOR_RE.match(color):
                    raise ValidationError(
                        self.env._(
                            "Colour %(color)s of level %(level)s is not of the form "
                            "#RRGGBB.",
                            color=color,
                            level=level.name,
                        )
                    )

    @api.constrains("tier_ids", "program_id")
    def _check_tiers(self):
        for program in self.program_id:
            seen = {}
            for level in program.member_level_ids:
                for tier in level.tier_ids:
                    if tier.company_id != program.company_id:
                        raise ValidationError(
                            self.env._(
                                "Tier %(tier)s belongs to another company than "
                                "programme %(program)s.",
                                tier=tier.name,
                                program=program.name,
                            )
                        )
                    if tier.id in seen:
                        raise ValidationError(
                            self.env._(
                                "Tier %(tier)s leads to two levels of programme "
                                "%(program)s: %(level1)s and %(level2)s.",
                                tier=tier.name,
                                program=program.name,
                                level1=seen[tier.id].name,
                                level2=level.name,
                            )
                        )
                    seen[tier.id] = level

    def action_view_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_card_member_action"
        )
        action["domain"] = [("level_id", "=", self.id)]
        action["context"] = {
            "default_program_id": self.program_id.id,
            "default_level_id": self.id,
        }
        return action
