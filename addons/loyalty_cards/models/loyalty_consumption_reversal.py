from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero, float_round, format_amount

from odoo.addons.customer_tiering.tools.validation import check_text, valid_id

# Figures a reversal gives back, named as the consumption's own figures: the
# part of each one that this reversal returns (see ``_reverse_split``).
BACK_FIELDS = (
    "net_amount",
    "balance_used",
    "points_used",
    "points_value",
    "amount_due",
    "points_earned",
)


class LoyaltyConsumptionReversal(models.Model):
    """The reversal of a counter consumption, in full or in part.

    Made only by ``_reverse``, behind ``loyalty.counter.reverse`` (the
    *Reverse* dialog of a consumption, or any client through RPC): it checks
    who may reverse what, gives the balance and the points used back, takes
    the points earned away, makes a used coupon usable again when the whole
    consumption is reversed, and writes the reversal and its ledger rows
    (kind "reversal") in one transaction, once per idempotency key. The
    reversal belongs to the reverser's open counter session, whose closing
    books its mirror of the sale. Nobody edits it afterwards.

    The reversed amount is a part of the consumption's net amount. Taken
    together, the reversals of a consumption give the money back in this
    order: first the balance used, then what was paid otherwise (by the
    consumption's payment method), then the points used; the points earned
    go away in proportion of the net amount reversed. The reversal that
    reverses the rest gives back exactly what remains of each figure.
    """

    _name = "loyalty.consumption.reversal"
    _inherit = ["loyalty.idempotent.mixin"]
    _description = "Consumption Reversal"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False)
    consumption_id = fields.Many2one(
        "loyalty.consumption",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    card_id = fields.Many2one(
        "loyalty.card", string="Member Card", readonly=True, index="btree_not_null"
    )
    coupon_id = fields.Many2one("loyalty.card", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    program_id = fields.Many2one("loyalty.program", string="Programme", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Reversed by", readonly=True)
    reason = fields.Char(required=True, readonly=True)
    session_id = fields.Many2one(
        "loyalty.counter.session",
        string="Counter Session",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The reverser's open session, which books the reversal when it closes.",
    )
    net_amount = fields.Monetary(
        string="Amount Reversed",
        readonly=True,
        help="The part of the consumption's net amount this reversal reverses.",
    )
    balance_used = fields.Monetary(string="Balance Returned", readonly=True)
    points_used = fields.Float(string="Points Returned", digits=(16, 2), readonly=True)
    points_value = fields.Monetary(string="Value of the Points Returned", readonly=True)
    amount_due = fields.Monetary(
        string="Refunded Otherwise",
        readonly=True,
        help="Given back by the consumption's payment method (cash, bank card...).",
    )
    payment_method_id = fields.Many2one(
        "loyalty.payment.method", readonly=True, ondelete="restrict"
    )
    points_earned = fields.Float(
        string="Points Earned Taken Back",
        digits=(16, 2),
        readonly=True,
        help="The points this part of the purchase had earned, shortfall included.",
    )
    shortfall = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="Points earned the customer had already spent, so that they could "
        "not be taken back; a manager accepted them as a loss.",
    )
    shortfall_value = fields.Monetary(
        readonly=True, help="What the shortfall's points are worth."
    )
    is_final = fields.Boolean(
        string="Reverses the Rest",
        readonly=True,
        help="After this reversal, nothing of the consumption remains.",
    )
    coupon_restored = fields.Boolean(
        readonly=True, help="The coupon the consumption used can be used again."
    )
    points_after = fields.Float(digits=(16, 2), readonly=True)
    balance_after = fields.Monetary(readonly=True)
    ledger_ids = fields.One2many("loyalty.history", compute="_compute_ledger_ids")

    _sql_constraints = [
        ("amount_positive", "CHECK (net_amount > 0)", "A reversal reverses an amount."),
        (
            "figures_not_negative",
            "CHECK (balance_used >= 0 AND points_used >= 0 AND points_value >= 0 "
            "AND amount_due >= 0 AND points_earned >= 0 AND shortfall >= 0 "
            "AND shortfall <= points_earned)",
            "The figures of a reversal cannot be negative.",
        ),
        (
            "amounts_consistent",
            "CHECK (abs(net_amount - balance_used - points_value - amount_due) "
            "< 0.005)",
            "The amounts of a reversal do not add up.",
        ),
    ]

    def _compute_ledger_ids(self):
        rows = (
            self.env["loyalty.history"]
            .sudo()
            .search(
                [("order_model", "=", self._name), ("order_id", "in", self.ids)],
                order="id",
            )
        )
        by_reversal = rows.grouped("order_id")
        History = self.env["loyalty.history"]
        for reversal in self:
            reversal.ledger_ids = by_reversal.get(reversal.id, History).with_env(
                self.env
            )

    def write(self, vals):
        if vals:
            raise UserError(self.env._("A reversal cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A reversal cannot be deleted."))

    # --- the operation --------------------------------------------------------

    @api.model
    def _reverse(self, values):
        """Reverse a consumption (for ``loyalty.counter.reverse``), once per
        ``idempotency_key``: a replay returns the first result and changes
        nothing.

        :param dict values: ``idempotency_key``, ``consumption_id``,
            ``reason``, and ``amount`` (a part of the net amount) or
            ``full`` (True: all that remains), optionally
            ``accept_shortfall`` (managers only)
        :return: the receipt (figures given back, the card's new values)
        """
        self.env["loyalty.card"]._check_cashier()
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to reverse."))
        key = self._idempotency_check_key(values.get("idempotency_key"))
        full, amount = self._reverse_check_amount(values)
        reason = check_text(
            self.env, values.get("reason"), self.env._("The reason"), 200, True
        )
        accept = values.get("accept_shortfall", False)
        if not isinstance(accept, bool):
            raise UserError(self.env._("Accepting a shortfall is yes or no."))
        consumption = self._reverse_consumption(values.get("consumption_id"))
        existing = self._idempotency_find(key)
        if existing:
            return existing._reverse_replay(consumption, full, amount)
        self._reverse_check_allowed(consumption, accept)
        # Claim the key: a concurrent twin waits, then fails and is retried
        # into the replay above.
        if not self._idempotency_claim(key):
            raise self._idempotency_used_elsewhere()
        # One reversal of a consumption at a time: a concurrent one waits,
        # then fails and is retried, reading what this one reversed.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM loyalty_consumption WHERE id = %s FOR UPDATE",
                consumption.id,
            )
        )
        consumption = consumption.sudo()
        split = self._reverse_split(consumption, full, amount)
        card = consumption.card_id
        shortfall = 0.0
        if card:
            # The card as this transaction holds it: a concurrent spend
            # waits, or makes this request fail and retry.
            points = self.env.execute_query(
                SQL(
                    "SELECT COALESCE(points, 0) FROM loyalty_card "
                    "WHERE id = %s FOR UPDATE",
                    card.id,
                )
            )[0][0]
            available = float_round(float(points) + split["points_used"], 2)
            shortfall = max(float_round(split["points_earned"] - available, 2), 0.0)
            if shortfall and not accept:
                raise UserError(
                    self.env._(
                        "The customer already spent %(points)s of the points this "
                        "purchase earned: the card cannot give them back. A "
                        "manager may reverse it and accept the shortfall as a "
                        "loss.",
                        points=shortfall,
                    )
                )
        currency = consumption.currency_id
        session = self.env["loyalty.counter.session"]._for_operation(
            self.env.user, consumption.company_id, currency
        )
        count = self.sudo().search_count([("consumption_id", "=", consumption.id)])
        reversal = self.sudo().create(
            {
                **split,
                "name": f"{consumption.name}-R{count + 1}",
                "idempotency_key": key,
                "consumption_id": consumption.id,
                "card_id": card.id,
                "coupon_id": consumption.coupon_id.id,
                "partner_id": consumption.partner_id.id,
                "program_id": consumption.program_id.id,
                "company_id": consumption.company_id.id,
                "currency_id": currency.id,
                "date": fields.Datetime.now(),
                "user_id": self.env.uid,
                "reason": reason,
                "session_id": session.id,
                "payment_method_id": consumption.payment_method_id.id
                if split["amount_due"]
                else False,
                "shortfall": shortfall,
                "shortfall_value": currency.round(
                    shortfall * (consumption.program_id.member_point_value or 0.0)
                ),
            }
        )
        reversal._reverse_post(key)
        return reversal._reverse_receipt()

    @api.model
    def _reverse_check_amount(self, values):
        """(full, amount): ``full`` True reverses all that remains."""
        full = values.get("full", False)
        if not isinstance(full, bool):
            raise UserError(self.env._("A full reversal is yes or no."))
        amount = values.get("amount")
        if full:
            if amount not in (None, False):
                raise UserError(
                    self.env._("Reverse either in full or an amount, not both.")
                )
            return True, None
        if amount in (None, False, ""):
            raise UserError(self.env._("Enter the amount to reverse."))
        return False, self.env["loyalty.card"]._loyalty_amount(amount, "amount")

    @api.model
    def _reverse_consumption(self, consumption_id):
        """The consumption of a reversal request, as the user may see it, of
        the company the user works in."""
        consumption_id = valid_id(consumption_id)
        consumption = consumption_id and self.env["loyalty.consumption"].search(
            [("id", "=", consumption_id)], limit=1
        )
        if not consumption:
            raise UserError(self.env._("No consumption has this reference."))
        if consumption.company_id != self.env.company:
            raise UserError(
                self.env._(
                    "Consumption %(ref)s belongs to %(company)s: switch to that "
                    "company to reverse it.",
                    ref=consumption.name,
                    company=consumption.company_id.name,
                )
            )
        return consumption

    @api.model
    def _reverse_check_allowed(self, consumption, accept_shortfall=False):
        """Managers reverse any consumption; a cashier only their own, within
        the minutes set in the settings."""
        if self.env.su or self.env.user.has_group(
            "loyalty_cards.group_loyalty_manager"
        ):
            return
        if accept_shortfall:
            raise AccessError(self.env._("Only a manager may accept a shortfall."))
        minutes = consumption.company_id.loyalty_reversal_minutes
        if minutes <= 0:
            raise AccessError(self.env._("Only a manager may reverse a consumption."))
        if consumption.cashier_id != self.env.user:
            raise AccessError(
                self.env._(
                    "Only a manager may reverse a consumption another cashier recorded."
                )
            )
        if fields.Datetime.now() > consumption.date + timedelta(minutes=minutes):
            raise AccessError(
                self.env._(
                    "A cashier may reverse a consumption within %(minutes)s "
                    "minutes: ask a manager.",
                    minutes=minutes,
                )
            )

    @api.model
    def _reverse_split(self, consumption, full, amount):
        """What a reversal of ``amount`` (or of all that remains) gives back
        of each figure of ``consumption``: cumulated over its reversals, the
        amount reversed goes first to the balance, then to the payment
        method, then to the points; the points earned in proportion."""
        currency = consumption.currency_id
        [row] = self.sudo()._read_group(
            [("consumption_id", "=", consumption.id)],
            aggregates=[f"{name}:sum" for name in BACK_FIELDS],
        )
        done = dict(zip(BACK_FIELDS, (value or 0.0 for value in row), strict=True))
        net = consumption.net_amount
        remaining = currency.round(net - done["net_amount"])
        if remaining <= 0:
            raise UserError(
                self.env._(
                    "Consumption %(ref)s is already fully reversed.",
                    ref=consumption.name,
                )
            )
        if full:
            amount = remaining
        elif currency.compare_amounts(amount, remaining) > 0:
            raise UserError(
                self.env._(
                    "Only %(remaining)s of consumption %(ref)s can still be reversed.",
                    remaining=format_amount(self.env, remaining, currency),
                    ref=consumption.name,
                )
            )
        amount = currency.round(amount)
        final = currency.compare_amounts(amount, remaining) == 0
        target = net if final else currency.round(done["net_amount"] + amount)
        to_balance = min(consumption.balance_used, target)
        to_due = min(consumption.amount_due, currency.round(target - to_balance))
        to_points = currency.round(target - to_balance - to_due)
        balance_back = currency.round(to_balance - done["balance_used"])
        due_back = currency.round(to_due - done["amount_due"])
        if final:
            points_back = consumption.points_used - done["points_used"]
            earned_back = consumption.points_earned - done["points_earned"]
        else:
            points_back = (
                consumption.points_used * to_points / consumption.points_value
                if consumption.points_value
                else 0.0
            ) - done["points_used"]
            earned_back = (
                consumption.points_earned * target / net if net else 0.0
            ) - done["points_earned"]
        return {
            "net_amount": amount,
            "balance_used": balance_back,
            "amount_due": due_back,
            "points_value": currency.round(amount - balance_back - due_back),
            "points_used": max(float_round(points_back, 2), 0.0),
            "points_earned": max(float_round(earned_back, 2), 0.0),
            "is_final": final,
        }

    def _reverse_post(self, key):
        """The movements of this new reversal, in one statement per account:
        the balance and the points used come back, the points earned (less
        the shortfall) go away; the coupon comes back when nothing of the
        consumption remains and it is still valid."""
        self.ensure_one()
        consumption = self.consumption_id
        common = {
            "source": self,
            "consumption_id": consumption.id,
            "kind": "reversal",
        }
        description = self.env._("Reversal: %(ref)s", ref=self.name)
        entries = []
        card = self.card_id
        for account, delta, suffix in (
            ("balance", self.balance_used, "balance"),
            ("points", self.points_used, "points"),
            ("points", -float_round(self.points_earned - self.shortfall, 2), "earn"),
        ):
            if card and not float_is_zero(delta, precision_digits=2):
                entries.append(
                    {
                        "card": card.id,
                        "account": account,
                        "delta": delta,
                        "description": description,
                        "key": f"{key}:{suffix}",
                        **common,
                    }
                )
        coupon = consumption.coupon_id
        restore = (
            self.is_final
            and coupon
            and not consumption.coupon_returned
            and self._reverse_coupon_valid(coupon)
        )
        if restore:
            entries.append(
                {
                    "card": coupon.id,
                    "account": "points",
                    "delta": 1.0,
                    "description": description,
                    "key": f"{key}:coupon",
                    **common,
                }
            )
        values = self.env["loyalty.history"]._ledger_post(entries)
        after = {}
        if card:
            after = {
                "points_after": values.get((card.id, "points"), card.points),
                "balance_after": values.get((card.id, "balance"), card.balance),
            }
        if restore:
            coupon.sudo().write({"date_used": False})
            # A consumption is never written; this flag only lets the coupon
            # pay for another one (see the consumption's coupon index).
            self.env.execute_query(
                SQL(
                    "UPDATE loyalty_consumption SET coupon_returned = TRUE "
                    "WHERE id = %s",
                    consumption.id,
                )
            )
            consumption.invalidate_recordset(["coupon_returned"])
            after["coupon_restored"] = True
        if after:
            # Figures of the record as created, completed in the same
            # transaction (the public write refuses any change).
            self.env.execute_query(
                SQL(
                    "UPDATE loyalty_consumption_reversal SET %s WHERE id = %s",
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(name), value)
                        for name, value in after.items()
                    ),
                    self.id,
                )
            )
            self.invalidate_recordset(list(after))

    @api.model
    def _reverse_coupon_valid(self, coupon):
        """Whether ``coupon`` could be used today, used or not."""
        today = fields.Date.context_today(self)
        program = coupon.program_id
        return bool(
            coupon.active
            and program.active
            and (not coupon.expiration_date or coupon.expiration_date >= today)
            and (not program.date_from or program.date_from <= today)
            and (not program.date_to or program.date_to >= today)
            and (not program.is_flash or program._flash_is_live(fields.Datetime.now()))
        )

    def _reverse_replay(self, consumption, full, amount):
        """The receipt of an earlier request with the same key; an error when
        the key comes with another consumption or amount."""
        self.ensure_one()
        same = self.consumption_id == consumption and (
            full or float_compare(amount, self.net_amount, precision_digits=2) == 0
        )
        if not same:
            raise self._idempotency_used_elsewhere()
        receipt = self.sudo()._reverse_receipt()
        receipt["replayed"] = True
        return receipt

    def _reverse_receipt(self):
        self.ensure_one()
        receipt = {
            "id": self.id,
            "name": self.name,
            "replayed": False,
            "consumption_id": self.consumption_id.id,
            "currency_id": self.currency_id.id,
            "card": {
                "id": self.card_id.id,
                "points": self.points_after,
                "balance": self.balance_after,
            }
            if self.card_id
            else False,
            "remaining": self.consumption_id.reversible_amount,
        }
        for name in (*BACK_FIELDS, "shortfall", "is_final", "coupon_restored"):
            receipt[name] = self[name]
        return receipt
