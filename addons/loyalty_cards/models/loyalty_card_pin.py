import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import pin as pin_tools

# The fields of loyalty.card that show the state of its PIN.
CARD_FIELDS = [
    "pin_set",
    "pin_failed_count",
    "date_pin_locked_until",
    "pin_locked",
    "member_status",
]


class LoyaltyCardPin(models.Model):
    """The PIN of a member card: its salted HMAC, the wrong PINs in a row and
    the end of a lockout.

    No access rights are granted on this model: no view, export, RPC call or
    portal page reads it. Only the card's ``_pin_*`` methods reach it, in
    sudo. A wrong PIN is counted in a transaction of its own, so that the
    count survives the rollback of the request that failed.
    """

    _name = "loyalty.card.pin"
    _description = "Member Card PIN"
    _rec_name = "card_id"

    card_id = fields.Many2one(
        "loyalty.card", required=True, ondelete="cascade", readonly=True
    )
    pin_hash = fields.Char(string="Protected PIN", readonly=True)
    failed_count = fields.Integer(string="Wrong PINs in a Row", readonly=True)
    date_locked_until = fields.Datetime(string="Locked Until", readonly=True)

    _sql_constraints = [
        ("card_uniq", "UNIQUE (card_id)", "A card has one PIN."),
        (
            "failed_count_not_negative",
            "CHECK (failed_count >= 0)",
            "The count of wrong PINs cannot be negative.",
        ),
    ]

    @api.model
    def _states(self, cards):
        """{card id: (PIN set, wrong PINs in a row, locked until)}."""
        if not cards.ids:
            return {}
        return {
            pin.card_id.id: (
                bool(pin.pin_hash),
                pin.failed_count,
                pin.date_locked_until,
            )
            for pin in self.search([("card_id", "in", cards.ids)])
        }

    @api.model
    def _was_reset(self, card):
        """Whether a manager reset the PIN of ``card`` (it has none now)."""
        return bool(
            self.search_count(
                [("card_id", "=", card.id), ("pin_hash", "=", False)], limit=1
            )
        )

    @api.model
    def _normalize(self, pin):
        normalized = pin_tools.normalize_pin(pin)
        if normalized is None:
            raise UserError(self.env._("A PIN is exactly 6 digits."))
        return normalized

    @api.model
    def _check_new(self, pin, confirm):
        """The normalized new PIN, or a clear error (different or weak)."""
        normalized = self._normalize(pin)
        if pin_tools.normalize_pin(confirm) != normalized:
            raise UserError(self.env._("The two PINs differ."))
        if pin_tools.is_weak(normalized):
            raise UserError(
                self.env._(
                    "This PIN is too easy to guess (one digit repeated, or digits "
                    "in a row): choose another one."
                )
            )
        return normalized

    @api.model
    def _store(self, card, normalized):
        """Save the hash of the normalized PIN of ``card``; the count of
        wrong PINs and any lockout start afresh."""
        values = {
            "pin_hash": pin_tools.hash_pin(normalized),
            "failed_count": 0,
            "date_locked_until": False,
        }
        pin = self.search([("card_id", "=", card.id)])
        if pin:
            pin.write(values)
        else:
            pin = self.create({"card_id": card.id, **values})
        pin.flush_recordset()
        card.invalidate_recordset(CARD_FIELDS)

    @api.model
    def _attempt(self, card, pin):
        """Check ``pin`` against the PIN of ``card`` and count a wrong one;
        a dict with ``status`` ('ok', 'wrong', 'locked' or 'stale_key'),
        ``remaining`` attempts and ``locked_until``, or None when the card
        has no PIN.

        The check runs in a separate transaction that commits at once (the
        PIN's row locked meanwhile, so concurrent attempts queue), so the
        count survives the rollback of the request and five wrong PINs lock
        the card whatever the concurrency. A PIN set in this very
        transaction is not visible there: it is then checked here.
        """
        normalized = self._normalize(pin)
        lock_minutes = card.company_id.loyalty_pin_lock_minutes or 30
        result = None
        if not self.env.registry.in_test_mode():
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute(
                        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
                        "SET LOCAL lock_timeout = '2s'"
                    )
                    # The transaction on the registry at hand: an environment
                    # would otherwise ask Registry(dbname) for it and wait for
                    # the lock of whoever loads or tests modules meanwhile.
                    cr.transaction = api.Transaction(self.env.registry)
                    result = self.with_env(self.env(cr=cr))._attempt_in(
                        card.id, normalized, lock_minutes, lock_row=True
                    )
            except (
                psycopg2.errors.LockNotAvailable,
                # The module is being installed (demo data): the table is not
                # committed yet.
                psycopg2.errors.UndefinedTable,
            ):
                result = None
        if result is None:
            result = self._attempt_in(card.id, normalized, lock_minutes)
        card.invalidate_recordset(CARD_FIELDS)
        return result

    @api.model
    def _attempt_in(self, card_id, normalized, lock_minutes, lock_row=False):
        """The attempt, in this environment's transaction."""
        # One query, locking the row when asked: the ORM reads without
        # locking, and concurrent attempts must queue on the row, each then
        # reading the count the previous one left.
        self.env.cr.execute(
            SQL(
                """SELECT id, pin_hash, failed_count, date_locked_until
                     FROM %s WHERE card_id = %s %s""",
                SQL.identifier(self._table),
                card_id,
                SQL("FOR UPDATE") if lock_row else SQL(),
            ),
            # A lock timeout or, while the module installs, the table not yet
            # committed: the caller checks in its own transaction instead.
            log_exceptions=False,
        )
        rows = self.env.cr.fetchall()
        if not rows or not rows[0][1]:
            return None
        pin_id, pin_hash, failed_count, locked_until = rows[0]
        pin = self.browse(pin_id)
        now = fields.Datetime.now()
        if locked_until and locked_until > now:
            return {"status": "locked", "remaining": 0, "locked_until": locked_until}
        verdict = pin_tools.verify_pin(normalized, pin_hash)
        if verdict is None:
            return {"status": "stale_key", "remaining": 0, "locked_until": None}
        if verdict:
            if failed_count or locked_until:
                pin.write({"failed_count": 0, "date_locked_until": False})
                pin.flush_recordset()
            return {"status": "ok", "remaining": pin_tools.MAX_FAILED_ATTEMPTS}
        failed = failed_count + 1
        if failed >= pin_tools.MAX_FAILED_ATTEMPTS:
            locked_until = fields.Datetime.add(now, minutes=lock_minutes)
            pin.write({"failed_count": 0, "date_locked_until": locked_until})
            pin.flush_recordset()
            return {
                "status": "locked",
                "remaining": 0,
                "locked_until": locked_until,
                "just_locked": True,
            }
        pin.write({"failed_count": failed})
        pin.flush_recordset()
        return {
            "status": "wrong",
            "remaining": pin_tools.MAX_FAILED_ATTEMPTS - failed,
            "locked_until": None,
        }

    @api.model
    def _unlock(self, cards, reset=False):
        """Forget the wrong PINs and the lockout of ``cards``; ``reset`` also
        forgets their PINs (the customers then set new ones)."""
        values = {"failed_count": 0, "date_locked_until": False}
        if reset:
            values["pin_hash"] = False
        pins = self.search([("card_id", "in", cards.ids)])
        pins.write(values)
        pins.flush_recordset()
        cards.invalidate_recordset(CARD_FIELDS)
