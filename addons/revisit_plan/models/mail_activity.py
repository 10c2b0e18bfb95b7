from odoo import models
from odoo.exceptions import AccessError, UserError

from odoo.addons.customer_tiering.tools.validation import valid_id

from .revisit_record import SYNC_KEY


class MailActivity(models.Model):
    """Revisits follow their activity: done (without the outcome form) marks
    the revisit done with the feedback, cancelled cancels it, rescheduled or
    reassigned moves its due date or responsible.

    Only a revisit's own activity (``revisit.activity_id``) acts on it: an
    activity merely pointed at a revisit does nothing, and moving an
    activity onto a revisit takes the right to write that revisit. The
    activity itself is checked with the user's rights (assigned, created, or
    the right to write the revisit), as Odoo does for every activity."""

    _inherit = "mail.activity"

    def _revisits(self):
        """The revisits (sudo) whose own activity is one of these."""
        Record = self.env["revisit.record"].sudo()
        on_revisits = self.sudo().filtered(lambda a: a.res_model == "revisit.record")
        if not on_revisits:
            return Record
        return Record.search([("activity_id", "in", on_revisits.ids)]).filtered(
            lambda r: (
                r.activity_id.res_model == r._name and r.activity_id.res_id == r.id
            )
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        if not self.env.context.get("revisit_outcome_recorded"):
            revisits = self._revisits()
            if revisits:
                revisits.activity_id.with_env(self.env).check_access("write")
                revisits._done_from_activity(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        if self.env.context.get(SYNC_KEY):
            return super().write(vals)
        if not self.env.su and {"res_model_id", "res_model", "res_id"} & vals.keys():
            self._check_revisit_move(vals)
        revisits = self._revisits().filtered(lambda r: r.state == "planned")
        if (
            not self.env.su
            and vals.get("user_id")
            and any(revisit.user_id.id != vals["user_id"] for revisit in revisits)
        ):
            if not self.env.user.has_group("revisit_plan.group_revisit_manager"):
                raise AccessError(
                    self.env._(
                        "Only revisit managers hand a revisit over to someone else."
                    )
                )
        result = super().write(vals)
        sync = {}
        if "date_deadline" in vals:
            sync["date_due"] = vals["date_deadline"]
        if vals.get("user_id"):
            sync["user_id"] = vals["user_id"]
        if sync and revisits:
            revisits.with_context(**{SYNC_KEY: True}).write(sync)
        return result

    def _check_revisit_move(self, vals):
        """Refuse moving a revisit's own activity elsewhere, and moving an
        activity onto a revisit the user may not write (what creating an
        activity there takes)."""
        if self._revisits():
            raise UserError(
                self.env._("The activity of a revisit stays on its revisit.")
            )
        if "res_model" in vals:
            model = vals["res_model"]
        elif "res_model_id" in vals:
            model = (
                self.env["ir.model"].sudo().browse(valid_id(vals["res_model_id"])).model
            )
        else:
            model = None
        targets = set()
        for activity in self.sudo():
            if (model or activity.res_model) == "revisit.record":
                targets.add(valid_id(vals.get("res_id", activity.res_id)))
        revisits = self.env["revisit.record"].sudo().browse(targets - {0}).exists()
        revisits.with_env(self.env).check_access("write")

    def unlink(self):
        revisits = self._revisits().filtered(lambda r: r.state == "planned")
        if revisits and not self.env.su:
            revisits.activity_id.with_env(self.env).check_access("unlink")
        revisits.write({"state": "cancelled"})
        return super().unlink()
