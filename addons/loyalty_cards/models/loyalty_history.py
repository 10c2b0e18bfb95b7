import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round

LEDGER_KINDS = [
    ("opening", "Opening balance"),
    ("earn", "Points earned"),
    ("redeem_points", "Points used"),
    ("topup", "Top-up"),
    ("topup_bonus", "Top-up bonus"),
    ("spend_balance", "Balance used"),
    ("adjustment", "Adjustment"),
    ("coupon_issue", "Coupon issued"),
    ("coupon_redeem", "Coupon used"),
    ("external", "Other application"),
    ("expired", "Points expired"),
    ("refund", "Refund"),
    ("refund_bonus", "Bonus taken back"),
    ("invoice_payment", "Invoice paid"),
    ("reversal", "Reversal"),
]
ACCOUNTS = [("points", "Points"), ("balance", "Balance")]
# Largest movement accepted anywhere (money or points): far above any real
# purchase, far below what float rounding would spoil.
MAX_DELTA = 10**9


class LoyaltyHistory(models.Model):
    """Odoo's loyalty history, made the ledger of member cards and coupons.

    Every movement of points or balance is one row: its kind, the signed
    delta, the value after it, its source, the user and an idempotency key.
    Rows are only created by ``_ledger_post``, the one posting method (one
    movement or a batch of thousands alike), in the same transaction as the
    conditional update of the card, and never changed afterwards. Rows
    without an account are the informative lines other applications write.
    """

    _inherit = "loyalty.history"

    kind = fields.Selection(
        LEDGER_KINDS, string="Movement Type", readonly=True, index=True
    )
    account = fields.Selection(ACCOUNTS, readonly=True)
    delta = fields.Float(
        string="Change",
        digits=(16, 2),
        readonly=True,
        help="Signed change of the card's points or balance.",
    )
    value_after = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="The card's points or balance right after this movement.",
    )
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
    idempotency_key = fields.Char(string="Request Key", readonly=True, copy=False)
    consumption_id = fields.Many2one(
        "loyalty.consumption", readonly=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(related="card_id.partner_id", string="Customer")
    program_id = fields.Many2one(related="card_id.program_id")
    # The stored description is in the language of whoever posted the row;
    # readers get it in theirs, from the movement's kind and source.
    ledger_description = fields.Char(
        string="Details", compute="_compute_ledger_description"
    )

    def init(self):
        res = super().init()
        # Idempotency keys of ledger rows are unique; other rows have none.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_history_idempotency_key_uniq
                ON loyalty_history (idempotency_key)
             WHERE idempotency_key IS NOT NULL
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS loyalty_history_card_account_idx
                ON loyalty_history (card_id, account)
             WHERE account IS NOT NULL
            """
        )
        return res

    @api.depends("kind", "order_model", "order_id", "description")
    @api.depends_context("lang")
    def _compute_ledger_description(self):
        _ = self.env._
        templates = {
            "opening": lambda ref: _("Opening value"),
            "earn": lambda ref: _("Points earned: %(ref)s", ref=ref),
            "redeem_points": lambda ref: _("Paid with points: %(ref)s", ref=ref),
            "spend_balance": lambda ref: _("Paid with balance: %(ref)s", ref=ref),
            "topup": lambda ref: _("Top-up %(ref)s", ref=ref),
            "topup_bonus": lambda ref: _("Top-up bonus %(ref)s", ref=ref),
            "adjustment": lambda ref: _("Adjustment: %(reason)s", reason=ref),
            "coupon_issue": lambda ref: ref,
            "coupon_redeem": lambda ref: _("Coupon used"),
            "external": lambda ref: _("Points changed by another application"),
            "expired": lambda ref: _("Points expired"),
            "refund": lambda ref: _("Refund %(ref)s", ref=ref),
            "refund_bonus": lambda ref: _(
                "Bonus taken back by refund %(ref)s", ref=ref
            ),
            "invoice_payment": lambda ref: _("Paid invoice: %(ref)s", ref=ref),
            "reversal": lambda ref: _("Reversal: %(ref)s", ref=ref),
        }
        # The name (or an adjustment's reason) of each source, one read per model.
        ids_by_model = defaultdict(set)
        for history in self:
            if history.kind and history.order_model in self.env:
                ids_by_model[history.order_model].add(history.order_id)
        references = {}
        for model, ids in ids_by_model.items():
            field = "reason" if model == "loyalty.card.adjustment" else "name"
            if field not in self.env[model]._fields:
                field = "display_name"
            for source in self.env[model].sudo().browse(ids).exists():
                references[(model, source.id)] = source[field] or ""
        for history in self:
            reference = references.get((history.order_model, history.order_id))
            template = templates.get(history.kind)
            history.ledger_description = (
                template(reference)
                if template and reference is not None
                else history.description
            )

    def write(self, vals):
        if any(history.account for history in self):
            raise UserError(self.env._("Ledger lines cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        if any(history.account for history in self):
            raise UserError(self.env._("Ledger lines cannot be deleted."))

    @api.model
    def _ledger_check_delta(self, delta):
        """``delta`` as a float rounded to cents, or a clear error."""
        if isinstance(delta, bool) or not isinstance(delta, int | float):
            raise UserError(self.env._("A movement is a number."))
        if not math.isfinite(delta) or abs(delta) > MAX_DELTA:
            raise UserError(
                self.env._(
                    "A movement lies between -%(max)s and %(max)s.", max=MAX_DELTA
                )
            )
        return float_round(delta, precision_digits=2)

    @api.model
    def _ledger_post(self, entries, error=None):
        """Apply movements to cards and write their ledger rows, in the caller's
        transaction: one conditional UPDATE per account, one ``create`` for
        the rows (batched into one INSERT by the ORM), whatever the number of
        entries: counter purchases, top-ups, adjustments and coupon batches
        all post here. Cards that gain points get the programme's "points
        reached" communications, as Odoo's own flows do.

        The UPDATE stays in SQL: it adds the delta to the value the database
        holds and refuses, in the same statement, a result below zero, so
        that concurrent spends of one card can never overdraw it (a read,
        then a write by the ORM, would let two requests spend the same
        value).

        :param entries: dicts with ``card`` (id), ``account`` ('points' or
            'balance'), ``delta``, ``kind``, ``description`` and optionally
            ``key`` (idempotency key of the row), ``source`` (a record) and
            ``consumption_id``. Several entries may move the same card.
        :param error: the message when a card lacks points or balance
            (default: a message naming the cards)
        :return: {(card id, account): value after all the movements}
        """
        if not entries:
            return {}
        Card = self.env["loyalty.card"]
        Card.flush_model(["points", "balance"])
        per_account = defaultdict(lambda: defaultdict(float))
        for entry in entries:
            entry["delta"] = self._ledger_check_delta(entry["delta"])
            per_account[entry["account"]][entry["card"]] += entry["delta"]
        now = fields.Datetime.now()
        new_values = {}
        for account, deltas in per_account.items():
            column = {"points": "points", "balance": "balance"}[account]
            ids = list(deltas)
            rows = self.env.execute_query(
                SQL(
                    """
                    UPDATE loyalty_card c
                       SET %(column)s =
                           round((COALESCE(c.%(column)s, 0) + v.delta)::numeric, 2),
                           write_uid = %(uid)s,
                           write_date = %(now)s
                      FROM unnest(%(ids)s::int[], %(deltas)s::numeric[])
                           AS v(id, delta)
                     WHERE c.id = v.id
                       AND round((COALESCE(c.%(column)s, 0) + v.delta)::numeric, 2) >= 0
                 RETURNING c.id, c.%(column)s
                    """,
                    column=SQL.identifier(column),
                    uid=self.env.uid,
                    now=now,
                    ids=ids,
                    deltas=[round(deltas[i], 2) for i in ids],
                )
            )
            Card.browse(ids).invalidate_recordset([column, "write_uid", "write_date"])
            if len(rows) != len(ids):
                short = Card.browse(set(ids) - {row[0] for row in rows}).sudo()
                names = ", ".join(short.mapped("display_name"))
                if error:
                    raise UserError(error)
                if account == "points":
                    raise UserError(
                        self.env._("Not enough points on card %(cards)s.", cards=names)
                    )
                raise UserError(
                    self.env._("Not enough balance on card %(cards)s.", cards=names)
                )
            for card_id, value in rows:
                new_values[(card_id, account)] = float(value)
        # Values after each movement, walking back from the final values.
        running = dict(new_values)
        values_after = [None] * len(entries)
        for index in range(len(entries) - 1, -1, -1):
            entry = entries[index]
            slot = (entry["card"], entry["account"])
            values_after[index] = running[slot]
            running[slot] = float_round(running[slot] - entry["delta"], 2)
        rows = []
        for entry, value_after in zip(entries, values_after, strict=True):
            delta = entry["delta"]
            source = entry.get("source")
            is_points = entry["account"] == "points"
            rows.append(
                {
                    "card_id": entry["card"],
                    "description": entry["description"],
                    "kind": entry["kind"],
                    "account": entry["account"],
                    "delta": delta,
                    "value_after": value_after,
                    "issued": max(delta, 0.0) if is_points else 0.0,
                    "used": max(-delta, 0.0) if is_points else 0.0,
                    "user_id": self.env.uid,
                    "idempotency_key": entry.get("key") or False,
                    "consumption_id": entry.get("consumption_id") or False,
                    "order_model": source._name if source else False,
                    "order_id": source.id if source else False,
                }
            )
        self.sudo().with_context(tracking_disable=True).create(rows)
        self._ledger_send_milestones(new_values, per_account.get("points", {}))
        # The new rows belong to one2many fields that may be cached.
        Card.browse({entry["card"] for entry in entries}).invalidate_recordset(
            ["history_ids", "ledger_ids"]
        )
        self.env["loyalty.consumption"].browse(
            {
                entry["consumption_id"]
                for entry in entries
                if entry.get("consumption_id")
            }
        ).invalidate_recordset(["ledger_ids"])
        return new_values

    @api.model
    def _ledger_send_milestones(self, new_values, points_deltas):
        """Odoo's "points reached" communications of the cards whose points
        grew: ``new_values`` as returned by ``_ledger_post``, ``points_deltas``
        {card id: net change of points}."""
        grown = {
            card_id: delta for card_id, delta in points_deltas.items() if delta > 0
        }
        if not grown:
            return
        cards = self.env["loyalty.card"].sudo().browse(grown)
        programs = cards.program_id.filtered(
            lambda p: any(
                plan.trigger == "points_reach" for plan in p.communication_plan_ids
            )
        )
        cards = cards.filtered(lambda c: c.program_id in programs)
        if not cards:
            return
        cards._send_points_reach_communication(
            {
                card: {
                    "old": float_round(
                        new_values[(card.id, "points")] - grown[card.id], 2
                    ),
                    "new": new_values[(card.id, "points")],
                }
                for card in cards
            }
        )
