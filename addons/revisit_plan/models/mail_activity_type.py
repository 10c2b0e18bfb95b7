from odoo import fields, models

from .revisit_record import CHANNELS


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    revisit_channel = fields.Selection(
        CHANNELS,
        help="For revisit activities: the channel proposed when recording the outcome.",
    )
