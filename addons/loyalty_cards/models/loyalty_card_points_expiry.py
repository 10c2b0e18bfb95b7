from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, float_round

# Written by the expiry job only.
EXPIRY_INTERNAL_FIELDS = {"points_expiry_reminded_date"}


class LoyaltyCard(models.Model):
    """Points that expire: the lots of points of a member card, derived from
    its ledger, and when they expire.

    Every gain of points on the ledger (earned, opening value, positive
    adjustment, ...) is a *lot* dated from its ledger row (or from the day
    the programme turned expiry on, when later); it expires
    ``points_validity_days`` after that date when the programme sets a
    validity. Every loss of points (points used, negative adjustment,
    expired points) consumes the oldest lots first. Nothing about lots is
    stored: the ledger alone says, in one query for any number of cards,
    what remains of each lot and when it expires.
    """

    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "loyalty.card"

    points_expiry_reminded_date = fields.Date(
        string="Expiry Reminder Sent For",
        readonly=True,
        copy=False,
        help="Expiry date of the points the customer was last reminded of.",
    )
    points_expiry_date = fields.Date(
        string="Next Points Expiry",
        compute="_compute_points_expiry",
        help="When the next points of this card expire (programmes with a "
        "points validity only).",
    )
    points_expiring = fields.Float(
        digits=(16, 2),
        compute="_compute_points_expiry",
        help="How many points expire on the next expiry date.",
    )

    @api.depends_context("loyalty_expiry_today")
    def _compute_points_expiry(self):
        today = self._points_expiry_today()
        schedule = self._points_expiry_schedule()
        for card in self:
            upcoming = [
                (date, points)
                for date, points in schedule.get(card.id, [])
                if date > today
            ]
            card.points_expiry_date = upcoming[0][0] if upcoming else False
            card.points_expiring = upcoming[0][1] if upcoming else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            isinstance(vals, dict) and EXPIRY_INTERNAL_FIELDS & set(vals)
            for vals in vals_list
        ):
            raise AccessError(
                self.env._("These fields are written by the loyalty flows only.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and EXPIRY_INTERNAL_FIELDS & set(vals):
            raise AccessError(
                self.env._("These fields are written by the loyalty flows only.")
            )
        return super().write(vals)

    @api.model
    def _points_expiry_today(self):
        """The day the expiry is computed for: ``loyalty_expiry_today`` in the
        context (the job's day), else the user's today."""
        today = self.env.context.get("loyalty_expiry_today")
        try:
            return fields.Date.to_date(today) or fields.Date.context_today(self)
        except (TypeError, ValueError):
            return fields.Date.context_today(self)

    def _points_expiry_schedule(self):
        """{card id: [(expiry date, points), ...]} of these cards, in date
        order: what remains of their lots of points, by the date they expire
        (the date of the ledger row plus the programme's validity). Cards of
        programmes without a validity have none. One query.

        The points used so far consumed the oldest lots first: of the lots
        in date order, the first ``used`` points are gone, whatever the
        order the movements came in (a card never goes below zero)."""
        ids = [card_id for card_id in self.ids if isinstance(card_id, int)]
        if not ids:
            return {}
        self.env["loyalty.history"].flush_model(
            ["card_id", "account", "delta", "create_date"]
        )
        self.env["loyalty.program"].flush_model(
            ["points_validity_days", "points_expiry_since"]
        )
        self.flush_model(["program_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH cards AS (
                    SELECT c.id, p.points_validity_days AS days,
                           p.points_expiry_since AS since
                      FROM loyalty_card c
                      JOIN loyalty_program p ON p.id = c.program_id
                     WHERE c.id = ANY(%(ids)s) AND p.points_validity_days > 0
                ), lots AS (
                    SELECT h.card_id, h.delta,
                           GREATEST(h.create_date::date, cards.since)
                               + cards.days AS expiry,
                           SUM(h.delta) OVER (
                               PARTITION BY h.card_id ORDER BY h.create_date, h.id
                           ) AS cumulated
                      FROM loyalty_history h
                      JOIN cards ON cards.id = h.card_id
                     WHERE h.account = 'points' AND h.delta > 0
                ), used AS (
                    SELECT h.card_id, -SUM(h.delta) AS used
                      FROM loyalty_history h
                      JOIN cards ON cards.id = h.card_id
                     WHERE h.account = 'points' AND h.delta < 0
                     GROUP BY h.card_id
                ), remaining AS (
                    SELECT l.card_id, l.expiry,
                           SUM(GREATEST(0, LEAST(
                               l.delta, l.cumulated - COALESCE(u.used, 0)
                           ))) AS points
                      FROM lots l
                      LEFT JOIN used u ON u.card_id = l.card_id
                     GROUP BY l.card_id, l.expiry
                )
                SELECT card_id, expiry, points
                  FROM remaining
                 WHERE points >= 0.005
                 ORDER BY card_id, expiry
                """,
                ids=ids,
            )
        )
        schedule = defaultdict(list)
        for card_id, expiry, points in rows:
            schedule[card_id].append((expiry, float_round(float(points), 2)))
        return dict(schedule)

    def _points_expiry_upcoming(self, limit=3):
        """The next ``limit`` (date, points) that expire on this card after
        today, for the customer's eyes."""
        self.ensure_one()
        today = self._points_expiry_today()
        schedule = self._points_expiry_schedule().get(self.id, [])
        return [(date, points) for date, points in schedule if date > today][:limit]

    def _points_expiry_work(self, today, schedule):
        """What the job does for this card on ``today``, from its
        ``schedule``: (points to expire, expiry date to remind of or None)."""
        self.ensure_one()
        expire = sum(points for date, points in schedule if date <= today)
        upcoming = [date for date, points in schedule if date > today]
        days = self.program_id.points_expiry_reminder_days
        reminder = None
        if (
            upcoming
            and days
            and upcoming[0] - today <= timedelta(days=days)
            and upcoming[0] != self.points_expiry_reminded_date
        ):
            reminder = upcoming[0]
        return round(expire, 2), reminder

    def _points_expiry_apply(self, today):
        """Expire the points of these cards due on ``today`` (bulk ledger
        posting, keyed per card and day: a rerun posts nothing twice) and
        queue the reminders due (one per card and expiry date)."""
        schedule = self._points_expiry_schedule()
        Ledger = self.env["loyalty.history"].sudo()
        entries, reminders = [], {}
        for card in self:
            expire, reminder = card._points_expiry_work(
                today, schedule.get(card.id, [])
            )
            if expire > 0:
                entries.append(
                    {
                        "card": card.id,
                        "account": "points",
                        "delta": -expire,
                        "kind": "expired",
                        "description": self.env._("Points expired"),
                        "key": f"points-expiry:{card.id}:{today}",
                        "source": card,
                    }
                )
            if reminder:
                reminders.setdefault(reminder, self.browse())
                reminders[reminder] |= card
        if entries:
            posted = set(
                Ledger.search(
                    [("idempotency_key", "in", [e["key"] for e in entries])]
                ).mapped("idempotency_key")
            )
            entries = [e for e in entries if e["key"] not in posted]
            Ledger._ledger_post(entries)
        template = self.env.ref(
            "loyalty_cards.mail_template_points_expiry", raise_if_not_found=False
        )
        for date, cards in reminders.items():
            cards.sudo().write({"points_expiry_reminded_date": date})
            with_email = cards.filtered(lambda c: c.partner_id.email)
            if template and with_email:
                template.sudo().with_context(
                    loyalty_expiry_today=today
                ).send_mail_batch(with_email.ids, force_send=False)
        return self.ids
