import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.customer_tiering.tools import jobs

_logger = logging.getLogger(__name__)

# Cards handled per call of the scheduled action (the scheduler commits
# after each call and calls again while cards remain).
EXPIRY_BATCH = 500
# Cards read, and their schedule computed, per query while looking for due
# cards.
EXPIRY_SCAN = 5000
# Where the nightly run is: "<day>:<last card id handled>".
EXPIRY_CURSOR = "loyalty_cards.points_expiry_cursor"
# Longest validity and reminder accepted (days).
MAX_VALIDITY_DAYS = 36500


class LoyaltyProgram(models.Model):
    """Points that expire, per member programme: the validity of points,
    the reminder before, and the nightly job that expires them and sends
    the reminders (see ``loyalty.card._points_expiry_schedule``)."""

    _inherit = "loyalty.program"

    points_validity_days = fields.Integer(
        string="Points Valid For (days)",
        default=0,
        help="Points expire this many days after they were earned, the oldest "
        "used first. 0: points never expire.",
    )
    points_expiry_reminder_days = fields.Integer(
        string="Expiry Reminder (days before)",
        default=14,
        help="Customers get one email this many days before some of their "
        "points expire. 0: no reminder.",
    )
    points_expiry_since = fields.Date(
        string="Points Expire Since",
        readonly=True,
        copy=False,
        help="The day the validity of points was turned on: points earned "
        "before count as earned that day, so that turning expiry on never "
        "expires the points of the past at once.",
    )

    @api.constrains("points_validity_days", "points_expiry_reminder_days")
    def _check_points_expiry(self):
        for program in self:
            for days in (
                program.points_validity_days,
                program.points_expiry_reminder_days,
            ):
                if not 0 <= days <= MAX_VALIDITY_DAYS:
                    raise ValidationError(
                        self.env._(
                            "The validity of points and the reminder are between "
                            "0 and %(max)s days.",
                            max=MAX_VALIDITY_DAYS,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            isinstance(vals, dict) and "points_expiry_since" in vals
            for vals in vals_list
        ):
            raise AccessError(
                self.env._("These fields are written by the loyalty flows only.")
            )
        programs = super().create(vals_list)
        programs._points_expiry_follow_validity(self.env["loyalty.program"])
        return programs

    def write(self, vals):
        if not self.env.su and "points_expiry_since" in vals:
            raise AccessError(
                self.env._("These fields are written by the loyalty flows only.")
            )
        if "points_validity_days" not in vals:
            return super().write(vals)
        had_validity = self.filtered("points_validity_days")
        res = super().write(vals)
        self._points_expiry_follow_validity(had_validity)
        return res

    def _points_expiry_follow_validity(self, had_validity):
        """Date from today the expiry of the programmes whose validity was
        just turned on (not in ``had_validity``); forget it for those turned
        off."""
        today = fields.Date.context_today(self)
        turned_on = self.filtered(
            lambda p: p.points_validity_days and p not in had_validity
        )
        turned_off = self.filtered(
            lambda p: not p.points_validity_days and p.points_expiry_since
        )
        if turned_on:
            turned_on.sudo().write({"points_expiry_since": today})
        if turned_off:
            turned_off.sudo().write({"points_expiry_since": False})

    @api.model
    def _cron_points_expiry(self, today=None, batch_size=EXPIRY_BATCH):
        """Scheduled action, nightly: expire the points whose validity ended
        by ``today`` (one "expired" ledger row per card and day) and email
        one reminder per card and expiry date, for one batch of cards; it
        reports its progress, and the scheduler commits and calls again
        while cards remain. A card that fails is logged and skipped (it is
        retried at the next run); the other cards go on.

        :return: (cards handled in this call, cards remaining)
        """
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        self = self.sudo().with_context(loyalty_expiry_today=today)
        Param = self.env["ir.config_parameter"]
        day, _sep, last = (Param.get_param(EXPIRY_CURSOR) or "").partition(":")
        last_id = int(last) if day == str(today) and last.isdigit() else 0
        batch, remaining = self._points_expiry_due(today, last_id, batch_size)
        Card = self.env["loyalty.card"]
        jobs.run_isolated(
            self.env,
            batch,
            lambda ids: Card.browse(ids)._points_expiry_apply(today),
            lambda card_id: f"Points expiry of card {card_id}",
            _logger,
        )
        # The cursor moves past the cards handled, failed ones included
        # (retried at the next run): each call moves on.
        Param.set_param(EXPIRY_CURSOR, f"{today}:{batch[-1]}" if remaining else False)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return len(batch), remaining

    @api.model
    def _points_expiry_due(self, today, last_id=0, limit=EXPIRY_BATCH):
        """The next member cards, after ``last_id`` in id order, with points
        to expire on ``today`` or a reminder to send: (at most ``limit`` card
        ids, the number of cards after them that may have work). The second
        figure counts the cards holding points of a programme with a
        validity: it is never zero while work remains. The candidates are
        read ``EXPIRY_SCAN`` at a time, one schedule query each, until
        ``limit`` are due."""
        Card = self.env["loyalty.card"].sudo().with_context(active_test=False)
        domain = [
            ("is_member_card", "=", True),
            ("program_id.points_validity_days", ">", 0),
            ("points", ">", 0),
        ]
        due = []
        while True:
            cards = Card.search(
                [("id", ">", last_id), *domain], order="id", limit=EXPIRY_SCAN
            )
            if not cards:
                return due, 0
            schedule = cards._points_expiry_schedule()
            for card in cards:
                expire, reminder = card._points_expiry_work(
                    today, schedule.get(card.id, [])
                )
                if expire or reminder:
                    due.append(card.id)
                    if len(due) >= limit:
                        return due, Card.search_count([("id", ">", card.id), *domain])
            last_id = cards[-1].id
