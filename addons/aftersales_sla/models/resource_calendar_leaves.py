from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["resource.calendar"]._aftersales_note_change()
        return super().create(vals_list)

    def write(self, vals):
        self.env["resource.calendar"]._aftersales_note_change()
        return super().write(vals)

    def unlink(self):
        self.env["resource.calendar"]._aftersales_note_change()
        return super().unlink()
