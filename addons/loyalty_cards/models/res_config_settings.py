from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_pin_lock_minutes = fields.Integer(
        related="company_id.loyalty_pin_lock_minutes", readonly=False
    )
    loyalty_reversal_minutes = fields.Integer(
        related="company_id.loyalty_reversal_minutes", readonly=False
    )
    loyalty_flash_batch_size = fields.Integer(
        string="Flash Offer Emails per Batch",
        config_parameter="loyalty_cards.flash_batch_size",
        default=500,
        help="Coupons issued and emails queued per run of the scheduled action.",
    )
