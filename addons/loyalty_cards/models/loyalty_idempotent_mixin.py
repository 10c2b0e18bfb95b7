import re
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,128}$")
CLAIMS_TABLE = "loyalty_request_key"


class LoyaltyIdempotentMixin(models.AbstractModel):
    """Operations that move money or points and must have exactly one effect
    however often a request is sent (double clicks, retries, a lost answer).

    The client sends an idempotency key with the request. The operation
    first claims it in the table ``loyalty_request_key`` with ``INSERT ... ON
    CONFLICT DO NOTHING`` in its own transaction; a concurrent request with
    the same key waits for the first one and then fails with a
    serialization error, which Odoo's request handler retries: the retry
    finds the committed record and returns it. The record's own key column
    is unique too.
    """

    _name = "loyalty.idempotent.mixin"
    _description = "Idempotent Loyalty Operation"

    idempotency_key = fields.Char(
        string="Request Key",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex,
        help="Sent by the client with the request: a replayed request with the "
        "same key returns the first result and changes nothing.",
    )

    _sql_constraints = [
        (
            "idempotency_key_unique",
            "UNIQUE (idempotency_key)",
            "This request was already recorded.",
        ),
    ]

    @api.model
    def _idempotency_check_key(self, key):
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise UserError(
                self.env._(
                    "The request key must be 8 to 128 letters, digits or - _ . : "
                    "characters."
                )
            )
        return key

    @api.model
    def _idempotency_find(self, key):
        """The record made by an earlier request with ``key``, if any."""
        return self.sudo().search([("idempotency_key", "=", key)], limit=1)

    @api.model
    def _idempotency_lookup(self, vals):
        """The checked key of a create request (a fresh one when the request
        has none) and the record an earlier request with it made, if any."""
        if not isinstance(vals, dict):
            raise UserError(self.env._("Nothing to record."))
        key = self._idempotency_check_key(
            vals.get("idempotency_key") or self._fields["idempotency_key"].default(self)
        )
        return key, self._idempotency_find(key)

    @api.model
    def _idempotency_claim(self, key):
        """Claim ``key`` for this model in the current transaction. False when
        it was claimed before (by this or another kind of operation)."""
        # Raw SQL on purpose: two workers may claim one key at once, and only
        # the database can settle it (the second INSERT waits for the first
        # transaction, then inserts nothing), without an error to retry.
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO loyalty_request_key (key, model, create_date)
                VALUES (%s, %s, %s)
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """,
                key,
                self._name,
                fields.Datetime.now(),
            )
        )
        return bool(rows)

    @api.model
    def _idempotency_used_elsewhere(self):
        return UserError(
            self.env._(
                "This request key was already used for another operation; send a "
                "new key."
            )
        )
