from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerTierRequirement(models.Model):
    _name = "customer.tier.requirement"
    _description = "Customer Tier Hard Requirement"
    _order = "tier_id, id"

    tier_id = fields.Many2one(
        "customer.tier", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="tier_id.company_id", store=True)
    indicator_id = fields.Many2one(
        "customer.tier.indicator",
        required=True,
        ondelete="restrict",
        domain="[('company_id', '=', company_id)]",
        help="The indicator whose raw value is checked, e.g. invoiced revenue.",
    )
    operator = fields.Selection(
        [(">=", "at least"), ("<=", "at most")], required=True, default=">="
    )
    value = fields.Float(required=True)

    @api.constrains("indicator_id", "value", "tier_id")
    def _check_requirement(self):
        for requirement in self:
            if requirement.value < 0:
                raise ValidationError(
                    self.env._(
                        "The requirement on %(indicator)s of tier %(tier)s cannot ask "
                        "for a negative value.",
                        indicator=requirement.indicator_id.name,
                        tier=requirement.tier_id.name,
                    )
                )
            if requirement.indicator_id.company_id != requirement.tier_id.company_id:
                raise ValidationError(
                    self.env._(
                        "Tier %(tier)s can only require indicators of its own company.",
                        tier=requirement.tier_id.name,
                    )
                )

    @api.constrains("indicator_id", "operator", "value", "tier_id")
    def _check_ladder(self):
        self.env["customer.tier"]._check_ladder(self.tier_id.company_id)

    def unlink(self):
        companies = self.tier_id.company_id
        result = super().unlink()
        self.env["customer.tier"]._check_ladder(companies)
        return result

    def _covers(self, requirement):
        """Whether these requirements ask at least what ``requirement`` asks."""
        for mine in self:
            if (mine.indicator_id, mine.operator) != (
                requirement.indicator_id,
                requirement.operator,
            ):
                continue
            if (mine.operator == ">=" and mine.value >= requirement.value) or (
                mine.operator == "<=" and mine.value <= requirement.value
            ):
                return True
        return False

    @api.depends("indicator_id", "operator", "value")
    def _compute_display_name(self):
        labels = dict(self._fields["operator"]._description_selection(self.env))
        for requirement in self:
            requirement.display_name = (
                f"{requirement.indicator_id.name} {labels[requirement.operator]} "
                f"{requirement.value:g}"
            )
