from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id

CHANNELS = [
    ("counter", "Counter"),
    ("online", "Online"),
    ("phone", "Phone"),
    ("sale", "Sales order"),
]


class LoyaltyConsumption(models.Model):
    """One purchase at the counter with a member card and/or a coupon.

    Made only by ``_counter_confirm``, behind ``loyalty.counter.confirm``
    (the counter screen, or any client through RPC), which checks the card,
    the coupon and the PIN, then writes the consumption and its ledger rows
    in one transaction, once per idempotency key. Nobody edits it
    afterwards.
    """

    _name = "loyalty.consumption"
    _inherit = ["loyalty.idempotent.mixin"]
    _description = "Member Consumption"
    _order = "date desc, id desc"
    _rec_name = "name"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False)
    card_id = fields.Many2one(
        "loyalty.card",
        string="Member Card",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
    )
    coupon_id = fields.Many2one(
        "loyalty.card",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
    )
    coupon_batch_id = fields.Many2one(
        "loyalty.coupon.batch",
        readonly=True,
        index="btree_not_null",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True
    )
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Commercial Entity", readonly=True, index=True
    )
    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True)
    level_id = fields.Many2one("loyalty.card.level", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(
        readonly=True, help="Price of the purchase, before discounts."
    )
    level_discount_percent = fields.Float(
        string="Level Discount (%)", digits=(5, 2), readonly=True
    )
    level_discount = fields.Monetary(readonly=True)
    coupon_discount = fields.Monetary(readonly=True)
    net_amount = fields.Monetary(readonly=True, help="Amount after the discounts.")
    balance_used = fields.Monetary(readonly=True)
    points_used = fields.Float(digits=(16, 2), readonly=True)
    points_value = fields.Monetary(
        readonly=True, help="What the points used paid of the net amount."
    )
    amount_due = fields.Monetary(
        string="Paid Otherwise",
        readonly=True,
        help="Net amount less balance and points: paid in cash, by card, etc.",
    )
    points_earned = fields.Float(digits=(16, 2), readonly=True)
    points_after = fields.Float(digits=(16, 2), readonly=True)
    balance_after = fields.Monetary(readonly=True)
    cashier_id = fields.Many2one("res.users", readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    store_id = fields.Many2one("res.partner", readonly=True)
    note = fields.Char(readonly=True)
    ledger_ids = fields.One2many("loyalty.history", "consumption_id", readonly=True)
    payment_method_id = fields.Many2one(
        "loyalty.payment.method",
        readonly=True,
        ondelete="restrict",
        help="How the amount paid otherwise was paid.",
    )
    session_id = fields.Many2one(
        "loyalty.counter.session",
        string="Counter Session",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )

    _sql_constraints = [
        ("amount_positive", "CHECK (amount > 0)", "The amount must be positive."),
        (
            "amounts_not_negative",
            "CHECK (level_discount >= 0 AND coupon_discount >= 0 "
            "AND balance_used >= 0 AND points_used >= 0 AND points_value >= 0 "
            "AND amount_due >= 0 AND points_earned >= 0)",
            "Discounts, payments and points cannot be negative.",
        ),
        (
            "net_amount_consistent",
            "CHECK (abs(net_amount - (amount - level_discount - coupon_discount)) "
            "< 0.005 AND abs(amount_due - (net_amount - balance_used - points_value)) "
            "< 0.005)",
            "The amounts of a consumption do not add up.",
        ),
        (
            "card_or_coupon",
            "CHECK (card_id IS NOT NULL OR coupon_id IS NOT NULL)",
            "A consumption uses a member card or a coupon.",
        ),
    ]

    def init(self):
        res = super().init()
        # Claimed idempotency keys of every loyalty operation (see the mixin).
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS loyalty_request_key (
                key varchar(128) PRIMARY KEY,
                model varchar NOT NULL,
                create_date timestamp without time zone NOT NULL
            )
            """
        )
        # A coupon pays for one consumption at most, unless a reversal gave
        # it back (see loyalty.consumption.reversal).
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS loyalty_consumption_coupon_uniq;
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_consumption_coupon_once
                ON loyalty_consumption (coupon_id)
             WHERE coupon_id IS NOT NULL AND coupon_returned IS NOT TRUE
            """
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        # The cashier's counter session gathers the consumption for the books.
        for vals in vals_list:
            vals["session_id"] = (
                self.env["loyalty.counter.session"]
                ._for_operation(
                    self.env["res.users"].browse(
                        vals.get("cashier_id") or self.env.uid
                    ),
                    self.env["res.company"].browse(vals.get("company_id"))
                    or self.env.company,
                    self.env["res.currency"].browse(vals.get("currency_id")),
                )
                .id
            )
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("A consumption cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A consumption cannot be deleted."))

    @api.autovacuum
    def _gc_request_keys(self):
        """Claims older than 90 days: the records keep their own unique key."""
        self.env.cr.execute(
            "DELETE FROM loyalty_request_key "
            "WHERE create_date < (now() AT TIME ZONE 'UTC') - interval '90 days'"
        )

    # --- the counter ----------------------------------------------------------

    @api.model
    def _counter_confirm(self, values):
        """Record a consumption (for ``loyalty.counter.confirm``): discounts,
        payment with balance and/or points (PIN checked), points earned,
        coupon used; its ledger rows in the same transaction. A replay with
        the same ``idempotency_key`` returns the first result and changes
        nothing.

        :param dict values: ``idempotency_key``, ``amount``, and optionally
            ``card_id``, ``coupon_code``, ``balance_used``, ``points_used``,
            ``pin``, ``channel``, ``store_id``, ``note``
        :return: the receipt (amounts, new points and balance)
        """
        self.env["loyalty.card"]._check_cashier()
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to confirm."))
        key = self._idempotency_check_key(values.get("idempotency_key"))
        # Claim the key first: a replay (or a concurrent twin, once the first
        # one committed) finds it taken and returns the first result.
        if not self._idempotency_claim(key):
            existing = self._idempotency_find(key)
            if existing:
                return existing._counter_replay(values)
            raise self._idempotency_used_elsewhere()
        computed = self.env["loyalty.counter"]._compute(values)
        card = computed["card"]
        if computed["balance_used"] or computed["points_used"]:
            if not values.get("pin"):
                raise UserError(
                    self.env._(
                        "Enter the customer's PIN to pay with balance or points."
                    )
                )
            card._pin_verify(values["pin"])
        if computed["coupon"]:
            # Take the coupon first: a concurrent use makes this request fail
            # (and retry) here, before anything is written.
            self.env.cr.execute(
                "SELECT 1 FROM loyalty_card WHERE id = %s FOR UPDATE",
                [computed["coupon"].id],
            )
        consumption = self.sudo().create(self._counter_values(computed, values, key))
        consumption._counter_post(computed, key)
        return consumption._counter_receipt()

    @api.model
    def _counter_values(self, computed, values, key):
        channel = values.get("channel") or "counter"
        if not isinstance(channel, str) or channel not in dict(CHANNELS):
            raise UserError(
                self.env._("Unknown channel %(channel)s.", channel=str(channel)[:40])
            )
        store = self.env["res.partner"]
        if values.get("store_id"):
            store_id = valid_id(values["store_id"])
            store = store_id and store.search(
                [("id", "=", store_id), ("is_loyalty_store", "=", True)]
            )
            if not store:
                raise UserError(self.env._("Choose one of your stores."))
        partner = computed["partner"]
        card = computed["card"]
        return {
            "name": self._counter_next_name(),
            "idempotency_key": key,
            "card_id": computed["card"].id,
            "coupon_id": computed["coupon"].id,
            "coupon_batch_id": computed["coupon"].coupon_batch_id.id,
            "partner_id": partner.id,
            # Only this field: a partner's prefetch reads dozens of columns.
            "commercial_partner_id": partner.with_context(
                prefetch_fields=False
            ).commercial_partner_id.id,
            "program_id": computed["program"].id,
            "level_id": computed["level"].id,
            "company_id": self.env.company.id,
            "currency_id": computed["currency"].id,
            "cashier_id": self.env.uid,
            "date": fields.Datetime.now(),
            "channel": channel,
            "store_id": store.id,
            "payment_method_id": self.env["loyalty.payment.method"]
            ._for_counter(values, self.env.company)
            .id
            if computed["amount_due"]
            else False,
            "note": check_text(
                self.env, values.get("note"), self.env._("The note"), 200
            )
            or False,
            "points_after": float_round(
                card.points - computed["points_used"] + computed["points_earned"], 2
            )
            if card
            else 0.0,
            "balance_after": float_round(card.balance - computed["balance_used"], 2)
            if card
            else 0.0,
            **{
                name: computed[name]
                for name in (
                    "amount",
                    "level_discount_percent",
                    "level_discount",
                    "coupon_discount",
                    "net_amount",
                    "balance_used",
                    "points_used",
                    "points_value",
                    "amount_due",
                    "points_earned",
                )
            },
        }

    @api.model
    def _counter_next_name(self):
        # The sequence by its XML id (cached), without looking it up by code.
        sequence_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "loyalty_cards.sequence_loyalty_consumption", raise_if_not_found=False
        )
        if sequence_id:
            return self.env["ir.sequence"].sudo().browse(sequence_id)._next()
        return self.env["ir.sequence"].sudo().next_by_code("loyalty.consumption") or "/"

    def _counter_post(self, computed, key):
        """The consumption's movements, in one statement per account: the
        coupon, the payments and the points earned. Points cannot pay before
        they are held: ``loyalty.counter._compute`` checked the points used against
        the card as this transaction reads it, and any concurrent change of
        the card makes the update fail (and the request retry)."""
        self.ensure_one()
        card = computed["card"]
        if computed["coupon"]:
            self.env["loyalty.coupon"]._redeem(
                computed["coupon"], self, key=f"{key}:coupon"
            )
        common = {"card": card.id, "source": self, "consumption_id": self.id}
        entries = []
        if computed["balance_used"]:
            entries.append(
                {
                    "account": "balance",
                    "delta": -computed["balance_used"],
                    "kind": "spend_balance",
                    "description": self.env._(
                        "Paid with balance: %(ref)s", ref=self.name
                    ),
                    "key": f"{key}:balance",
                    **common,
                }
            )
        if computed["points_used"]:
            entries.append(
                {
                    "account": "points",
                    "delta": -computed["points_used"],
                    "kind": "redeem_points",
                    "description": self.env._(
                        "Paid with points: %(ref)s", ref=self.name
                    ),
                    "key": f"{key}:points",
                    **common,
                }
            )
        if computed["points_earned"]:
            entries.append(
                {
                    "account": "points",
                    "delta": computed["points_earned"],
                    "kind": "earn",
                    "description": self.env._("Points earned: %(ref)s", ref=self.name),
                    "key": f"{key}:earn",
                    **common,
                }
            )
        values = self.env["loyalty.history"]._ledger_post(entries)
        for (_card, account), value in values.items():
            # Written beforehand from the card as read in this transaction.
            if float_compare(value, self[f"{account}_after"], precision_digits=2):
                raise UserError(
                    self.env._("The card changed meanwhile: please try again.")
                )

    def _counter_replay(self, values):
        """The receipt of an earlier request with the same key; an error when
        the key comes with another card or amount, or belongs to a
        consumption of another cashier that the user may not read in this
        company."""
        self.ensure_one()
        if self.cashier_id != self.env.user:
            try:
                self.sudo(False).check_access("read")
                allowed = self.company_id == self.env.company
            except AccessError:
                allowed = False
            if not allowed:
                raise self._idempotency_used_elsewhere()
        try:
            amount = self.env["loyalty.card"]._loyalty_amount(values.get("amount"))
        except UserError:
            amount = None
        same = (
            valid_id(values.get("card_id") or False) == self.card_id.id
            and amount is not None
            and float_compare(amount, self.amount, precision_digits=2) == 0
        )
        if not same:
            raise self._idempotency_used_elsewhere()
        receipt = self._counter_receipt()
        receipt["replayed"] = True
        return receipt

    def _counter_receipt(self):
        self.ensure_one()
        receipt = {
            "id": self.id,
            "name": self.name,
            "replayed": False,
            "card": {
                "id": self.card_id.id,
                "points": self.points_after,
                "balance": self.balance_after,
            }
            if self.card_id
            else False,
            "points_after": self.points_after,
            "balance_after": self.balance_after,
            "currency_id": self.currency_id.id,
        }
        for name in (
            "amount",
            "level_discount",
            "coupon_discount",
            "net_amount",
            "balance_used",
            "points_used",
            "points_value",
            "amount_due",
            "points_earned",
        ):
            receipt[name] = self[name]
        return receipt
