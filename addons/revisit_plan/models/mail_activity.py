from odoo import models


class MailActivity(models.Model):
    """Revisits follow their activity: done (without the outcome form) marks
    the revisit done with the feedback, cancelled cancels it, rescheduled or
    reassigned moves its due date or responsible."""

    _inherit = "mail.activity"

    def _revisits(self):
        ids = [a.res_id for a in self if a.res_model == "revisit.record"]
        return self.env["revisit.record"].sudo().browse(ids).exists()

    def _action_done(self, feedback=False, attachment_ids=None):
        if not self.env.context.get("revisit_outcome_recorded"):
            self._revisits()._done_from_activity(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        result = super().write(vals)
        sync = {}
        if "date_deadline" in vals:
            sync["due_date"] = vals["date_deadline"]
        if vals.get("user_id"):
            sync["user_id"] = vals["user_id"]
        if sync:
            revisits = self._revisits().filtered(lambda r: r.state == "planned")
            revisits.write(sync)
        return result

    def unlink(self):
        revisits = self._revisits().filtered(
            lambda r: r.state == "planned" and r.activity_id in self
        )
        revisits.write({"state": "cancelled"})
        return super().unlink()
