from odoo import api, fields, models


class LoyaltyLedgerCheckLine(models.Model):
    _name = "loyalty.ledger.check.line"
    _description = "Ledger Check Difference"
    _order = "check_id, card_id"

    check_id = fields.Many2one(
        "loyalty.ledger.check", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="check_id.company_id", store=True)
    card_id = fields.Many2one("loyalty.card", required=True, ondelete="cascade")
    account = fields.Selection([("points", "Points"), ("balance", "Balance")])
    card_value = fields.Float(string="On the Card", digits=(16, 2))
    ledger_value = fields.Float(string="Sum of the Ledger", digits=(16, 2))
    difference = fields.Float(digits=(16, 2), compute="_compute_difference")

    @api.depends("card_value", "ledger_value")
    def _compute_difference(self):
        for line in self:
            line.difference = line.card_value - line.ledger_value
