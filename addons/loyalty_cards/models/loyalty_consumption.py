from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round, format_amount

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id

CHANNELS = [
    ("counter", "Counter"),
    ("online", "Online"),
    ("phone", "Phone"),
    ("sale", "Sales order"),
]


class LoyaltyConsumption(models.Model):
    """One purchase at the counter with a member card and/or a coupon.

    Made only by ``counter_confirm`` (the counter screen, or any client
    through RPC), which checks the card, the coupon and the PIN, then writes
    the consumption and its ledger rows in one transaction, once per
    idempotency key. Nobody edits it afterwards.
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
        # A coupon pays for one consumption at most.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_consumption_coupon_uniq
                ON loyalty_consumption (coupon_id)
             WHERE coupon_id IS NOT NULL
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
    def counter_lookup(self, code):
        """A scanned or typed code: a member card (number, level, points,
        balance, status) or, failing that, a usable coupon. An unknown code
        and an unknown, expired, used or foreign coupon get the same error."""
        Card = self.env["loyalty.card"]
        Card._check_cashier()
        try:
            card = Card._member_lookup(code)
        except UserError:
            card = None
        if card:
            card._member_check_usable()
            return {"kind": "card", "card": card._counter_summary()}
        try:
            coupon = Card._coupon_lookup(code)
        except UserError:
            raise UserError(
                self.env._("No member card or usable coupon matches this code.")
            ) from None
        return {"kind": "coupon", "coupon": self._counter_coupon_summary(coupon)}

    @api.model
    def _counter_coupon_summary(self, coupon):
        reward = coupon.program_id.reward_ids[:1]
        return {
            "id": coupon.id,
            "code": coupon.member_number,
            "program": coupon.program_id.name,
            "reward": reward.description or "",
            "partner": coupon.partner_id.display_name or "",
            "expires": fields.Date.to_string(coupon.expiration_date) or "",
        }

    @api.model
    def counter_preview(self, values):
        """The amounts a confirmation would record, without writing anything."""
        self.env["loyalty.card"]._check_cashier()
        computed = self._counter_compute(values)
        computed.pop("card")
        coupon = computed.pop("coupon")
        computed["coupon"] = self._counter_coupon_summary(coupon) if coupon else False
        for key in ("partner", "program", "level", "currency"):
            computed.pop(key)
        return computed

    @api.model
    def counter_set_pin(self, card_id, pin, confirm):
        """The customer chooses the PIN of a card that has none, at the counter."""
        card = self._counter_card(card_id)
        card._pin_set_new(pin, confirm)
        return card._counter_summary()

    @api.model
    def counter_confirm(self, values):
        """Record a consumption: discounts, payment with balance and/or points
        (PIN checked), points earned, coupon used; its ledger rows in the same
        transaction. A replay with the same ``idempotency_key`` returns the
        first result and changes nothing.

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
        computed = self._counter_compute(values)
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
    def _counter_card(self, card_id):
        """The member card of a counter request, as the user may see it."""
        Card = self.env["loyalty.card"]
        Card._check_cashier()
        card_id = valid_id(card_id)
        if not card_id:
            raise UserError(self.env._("No member card has this number."))
        # One query, with the user's access rules.
        card = Card.with_context(active_test=False).search(
            [("id", "=", card_id)], limit=1
        )
        if not card:
            raise UserError(self.env._("No member card has this number."))
        card._member_check_usable()
        return card

    @api.model
    def _counter_compute(self, values):
        """Check a counter request and compute its amounts (no writes)."""
        Card = self.env["loyalty.card"]
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to confirm."))
        company = self.env.company
        card = coupon = self.env["loyalty.card"]
        partner = self.env["res.partner"]
        if values.get("card_id"):
            card = self._counter_card(values["card_id"])
            partner = card.partner_id
        program = card.program_id
        currency = program.currency_id or company.currency_id
        amount = currency.round(Card._loyalty_amount(values.get("amount"), "amount"))
        level = card.level_id
        level_discount = currency.round(amount * (level.discount_percent or 0.0) / 100)
        after_level = amount - level_discount
        coupon_discount = 0.0
        coupon_code = values.get("coupon_code")
        if coupon_code:
            coupon = Card._coupon_lookup(coupon_code, partner=partner, company=company)
            if not card:
                currency = coupon.program_id.currency_id or currency
            coupon_discount = coupon._coupon_discount(after_level)
            partner = partner or coupon.partner_id
        elif not card:
            raise UserError(self.env._("Scan a member card or a coupon first."))
        net = currency.round(after_level - coupon_discount)
        balance_used = currency.round(
            Card._loyalty_amount(values.get("balance_used") or 0, "balance", True)
        )
        points_used = Card._loyalty_amount(
            values.get("points_used") or 0, "points", True
        )
        if (balance_used or points_used) and not card:
            raise UserError(
                self.env._("Paying with balance or points needs a member card.")
            )
        if float_compare(balance_used, card.balance, precision_digits=2) > 0:
            raise UserError(
                self.env._(
                    "The card's balance is only %(balance)s.",
                    balance=format_amount(self.env, card.balance, currency),
                )
            )
        if float_compare(points_used, card.points, precision_digits=2) > 0:
            raise UserError(
                self.env._("The card holds only %(points)s points.", points=card.points)
            )
        if points_used and not program.member_point_value:
            raise UserError(
                self.env._(
                    "Points of programme %(program)s cannot pay.", program=program.name
                )
            )
        points_value = currency.round(points_used * (program.member_point_value or 0.0))
        if float_compare(balance_used + points_value, net, precision_digits=2) > 0:
            raise UserError(
                self.env._(
                    "Balance and points would pay %(paid)s, more than the %(net)s due.",
                    paid=format_amount(self.env, balance_used + points_value, currency),
                    net=format_amount(self.env, net, currency),
                )
            )
        amount_due = currency.round(net - balance_used - points_value)
        points_earned = (
            program._member_points_for(net - points_value, level) if card else 0.0
        )
        return {
            "card": card,
            "coupon": coupon,
            "partner": partner,
            "program": program or coupon.program_id,
            "level": level,
            "currency": currency,
            "amount": amount,
            "level_discount_percent": level.discount_percent or 0.0,
            "level_discount": level_discount,
            "coupon_discount": coupon_discount,
            "net_amount": net,
            "balance_used": balance_used,
            "points_used": points_used,
            "points_value": points_value,
            "amount_due": amount_due,
            "points_earned": points_earned,
        }

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
        they are held: ``_counter_compute`` checked the points used against
        the card as this transaction reads it, and any concurrent change of
        the card makes the update fail (and the request retry)."""
        self.ensure_one()
        card = computed["card"]
        if computed["coupon"]:
            computed["coupon"]._coupon_redeem(self, key=f"{key}:coupon")
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
        the key comes with another card or amount."""
        self.ensure_one()
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

    # --- demo -----------------------------------------------------------------

    @api.model
    def _demo_activity(self):
        """Demo data through the real flows (called by the demo data):
        PIN 246810 on every demo card, top-ups, consumptions, a coupon batch
        for customer tiers 1 and 2 with one coupon used, the flash offer
        pushed, and a ledger check."""
        ref = self.env.ref
        cards = self.env["loyalty.card"].browse(
            ref(f"loyalty_cards.loyalty_card_demo_{name}").id
            for name in (
                "great_wall",
                "pearl_river",
                "jade_garden",
                "lotus_tea",
                "silk_road",
                "portal",
            )
        )
        great_wall, pearl_river, jade_garden, lotus_tea, silk_road, portal = cards
        for card in cards:
            card._pin_set_new("246810", "246810")
        Topup = self.env["loyalty.topup"]
        for card, amount, method in (
            (great_wall, 2000, "transfer"),
            (pearl_river, 1000, "bank_card"),
            (jade_garden, 500, "mobile"),
            (portal, 500, "cash"),
        ):
            Topup.create(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "payment_method": method,
                    "idempotency_key": f"demo-topup-{card.id}",
                }
            )
        purchases = [
            (great_wall, 1280, 600, 0),
            (great_wall, 860, 0, 1000),
            (pearl_river, 430, 200, 0),
            (jade_garden, 268, 100, 0),
            (lotus_tea, 88, 0, 0),
            (silk_road, 156, 0, 0),
            (portal, 66, 30, 0),
            (portal, 128, 0, 0),
        ]
        for index, (card, amount, balance, points) in enumerate(purchases):
            self.counter_confirm(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "balance_used": balance,
                    "points_used": points,
                    "pin": "246810" if balance or points else False,
                    "idempotency_key": f"demo-consumption-{index}",
                }
            )
        wizard = self.env["loyalty.coupon.issue"].create(
            {
                "program_id": ref("loyalty_cards.loyalty_program_demo_coupon").id,
                "name": self.env._("Thank-you coupons for tiers 1 and 2"),
                "audience_tier_ids": [
                    fields.Command.set(
                        [
                            ref("customer_tiering.customer_tier_demo_vip").id,
                            ref("customer_tiering.customer_tier_demo_important").id,
                        ]
                    )
                ],
                "count_per_customer": 2,
                "expiration_date": fields.Date.add(fields.Date.today(), days=60),
            }
        )
        batch = self.env["loyalty.coupon.batch"].browse(wizard.action_issue()["res_id"])
        coupon = batch.coupon_ids.filtered(
            lambda c: c.partner_id == pearl_river.partner_id
        )
        self.counter_confirm(
            {
                "card_id": pearl_river.id,
                "amount": 680,
                "coupon_code": coupon[:1].code,
                "idempotency_key": "demo-consumption-coupon",
            }
        )
        flash = ref("loyalty_cards.loyalty_program_demo_flash")
        flash.action_flash_schedule()
        self.env["loyalty.program"]._cron_flash_offers()
        self.env["loyalty.ledger.check"]._run(self.env.company)
