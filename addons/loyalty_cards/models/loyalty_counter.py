from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round, format_amount, format_datetime

from odoo.addons.customer_tiering.tools.validation import valid_id


class LoyaltyCounter(models.AbstractModel):
    """The counter: the one entry point of the counter screen and of RPC
    clients (tills, web shops) for member cards and coupons.

    ``lookup`` finds a scanned or typed code, ``preview`` computes the
    amounts of a purchase without writing anything, ``confirm`` records it
    (``loyalty.consumption``), ``topup`` adds money to a card
    (``loyalty.topup``) and ``set_pin`` lets the customer choose the PIN of
    a card that has none. Each checks that the user is a cashier, and every
    request is checked here before anything is written.
    """

    _name = "loyalty.counter"
    _description = "Loyalty Counter"

    # --- entry points -------------------------------------------------------

    @api.model
    def lookup(self, code):
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
            return {"kind": "card", "card": self._card_summary(card)}
        try:
            coupon = self.env["loyalty.coupon"]._lookup(code)
        except UserError:
            raise UserError(
                self.env._("No member card or usable coupon matches this code.")
            ) from None
        return {"kind": "coupon", "coupon": self._coupon_summary(coupon)}

    @api.model
    def preview(self, values):
        """The amounts a confirmation would record, without writing anything."""
        self.env["loyalty.card"]._check_cashier()
        computed = self._compute(values)
        computed.pop("card")
        coupon = computed.pop("coupon")
        computed["coupon"] = self._coupon_summary(coupon) if coupon else False
        computed["currency_id"] = computed["currency"].id
        for key in ("partner", "program", "level", "currency"):
            computed.pop(key)
        return computed

    @api.model
    def confirm(self, values):
        """Record a purchase at the counter: discounts, payment with balance
        and/or points (PIN checked), points earned, coupon used; once per
        ``idempotency_key`` (see ``loyalty.consumption._counter_confirm``).

        :param dict values: ``idempotency_key``, ``amount``, and optionally
            ``card_id``, ``coupon_code``, ``balance_used``, ``points_used``,
            ``pin``, ``channel``, ``store_id``, ``note``, ``payment_method_id``
            (how the amount not paid with balance or points is paid; older
            clients send its code in ``payment_method``)
        :return: the receipt (amounts, new points and balance)
        """
        return self.env["loyalty.consumption"]._counter_confirm(values)

    @api.model
    def topup_preview(self, values):
        """The bonus and new balance a top-up would give, without writing
        anything; a top-up above the programme's limits is refused here
        already, and ``max_amount`` tells the most the card may receive.

        :param dict values: ``card_id`` and ``amount``
        """
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to top up."))
        card = self._card(values.get("card_id"))
        program = card.program_id
        if not program.member_allow_topup:
            raise UserError(
                self.env._(
                    "Cards of programme %(program)s cannot be topped up.",
                    program=program.name,
                )
            )
        currency = card.currency_id or card.company_id.currency_id
        amount = card._loyalty_amount(values.get("amount"), "amount", currency=currency)
        bonus = currency.round(program.topup_bonus_ids._bonus_for(amount))
        program._stored_value_check_topup(card, amount, bonus)
        max_amount = program._stored_value_max_topup(card.balance)
        return {
            "amount": amount,
            "bonus": bonus,
            "balance_after": currency.round(card.balance + amount + bonus),
            "currency_id": currency.id,
            # The most this card may be topped up with now (False: no limit).
            "max_amount": False if max_amount is None else max_amount,
        }

    @api.model
    def topup(self, values):
        """Top up a member card (``loyalty.topup``, once per
        ``idempotency_key``); returns the card's new summary.

        :param dict values: ``card_id``, ``amount``, ``idempotency_key`` and
            optionally ``payment_method_id`` (a ``loyalty.payment.method``;
            older clients send its code in ``payment_method``; without
            either, the company's first method)
        """
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to top up."))
        topup = self.env["loyalty.topup"].create(
            {
                "card_id": values.get("card_id"),
                "amount": values.get("amount"),
                "payment_method_id": values.get("payment_method_id"),
                "payment_method": values.get("payment_method"),
                "idempotency_key": values.get("idempotency_key"),
            }
        )
        return {
            "name": topup.name,
            "amount": topup.amount,
            "bonus": topup.bonus,
            "card": self._card_summary(topup.card_id),
        }

    @api.model
    def set_pin(self, card_id, pin, confirm):
        """The customer chooses the PIN of a card that has none, at the counter.

        A cashier sets the first PIN of an empty card only (at issue, with
        the customer present, before any money). Once the card holds a
        balance or points that can pay, or after a manager reset its PIN,
        whoever presents the card could choose the PIN and spend them: a
        loyalty manager then sets it, after checking the holder's identity,
        and the card's chatter records who and when (never the PIN). The
        holder may always set it in the portal."""
        card = self._card(card_id)
        needs_manager = not card._pin_counter_may_set()
        if needs_manager and not self.env.user.has_group(
            "loyalty_cards.group_loyalty_manager"
        ):
            raise AccessError(
                self.env._(
                    "Card %(card)s holds a balance or points, or its PIN was reset: "
                    "the holder sets the PIN in their portal, or a loyalty manager "
                    "sets it here after checking the holder's identity.",
                    card=card.member_number,
                )
            )
        card._pin_set_new(pin, confirm)
        if needs_manager:
            card.sudo().message_post(
                body=self.env._(
                    "PIN set at the counter by %(user)s, who checked the holder's "
                    "identity.",
                    user=self.env.user.name,
                )
            )
        return self._card_summary(card)

    @api.model
    def session_close_action(self):
        """The closing dialog of the cashier's own open counter session at the
        current company (``loyalty.counter.session.action_open_close_wizard``),
        for the counter screen's Close Session button."""
        self.env["loyalty.card"]._check_cashier()
        session = self.env["loyalty.counter.session"].search(
            [
                ("user_id", "=", self.env.uid),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        if not session:
            raise UserError(self.env._("You have no open counter session to close."))
        action = session.action_open_close_wizard()
        # Called by RPC, not by a button: the web client needs the views.
        action["views"] = [(False, "form")]
        return action

    # --- helpers --------------------------------------------------------------

    @api.model
    def _card(self, card_id):
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
    def _compute(self, values):
        """Check a counter request and compute its amounts (no writes)."""
        Card = self.env["loyalty.card"]
        if not isinstance(values, dict):
            raise UserError(self.env._("Nothing to confirm."))
        company = self.env.company
        card = coupon = self.env["loyalty.card"]
        partner = self.env["res.partner"]
        if values.get("card_id"):
            card = self._card(values["card_id"])
            partner = card.partner_id
        program = card.program_id
        currency = program.currency_id or company.currency_id
        amount = Card._loyalty_amount(values.get("amount"), "amount", currency=currency)
        level = card.level_id
        level_discount = currency.round(amount * (level.discount_percent or 0.0) / 100)
        after_level = amount - level_discount
        coupon_discount = 0.0
        coupon_code = values.get("coupon_code")
        if coupon_code:
            coupon = self.env["loyalty.coupon"]._lookup(
                coupon_code, partner=partner, company=company
            )
            if not card:
                currency = coupon.program_id.currency_id or currency
            coupon_discount = self.env["loyalty.coupon"]._discount(coupon, after_level)
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
        # Points pay what they are worth, rounded down to the currency: never
        # more (half a point does not pay a whole point's value).
        points_value = float_round(
            points_used * (program.member_point_value or 0.0),
            precision_rounding=currency.rounding,
            rounding_method="DOWN",
        )
        if points_used and not points_value:
            raise UserError(
                self.env._(
                    "%(points)s points are worth less than %(step)s: use more points.",
                    points=points_used,
                    step=format_amount(self.env, currency.rounding, currency),
                )
            )
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
    def _coupon_summary(self, coupon):
        reward = coupon.program_id.reward_ids[:1]
        return {
            "id": coupon.id,
            "code": coupon.member_number,
            "program": coupon.program_id.name,
            "reward": reward.description or "",
            "partner": coupon.partner_id.display_name or "",
            "expires": fields.Date.to_string(coupon.expiration_date) or "",
            "currency_id": (
                coupon.program_id.currency_id or self.env.company.currency_id
            ).id,
        }

    @api.model
    def _card_summary(self, card):
        """What the counter screen shows of a member card."""
        card.ensure_one()
        currency = card.currency_id or card.company_id.currency_id
        partner = card.partner_id.commercial_partner_id.with_company(card.company_id)
        status = dict(card._fields["member_status"]._description_selection(self.env))
        return {
            "id": card.id,
            "number": card.member_number,
            "partner": card.partner_id.display_name or "",
            "tier": partner.tier_id.name or "",
            "program": card.program_id.name,
            "level": card.level_id.name or "",
            "level_color": card.level_id.color or "#8C6D46",
            "level_text_color": card.level_id.text_color or "#FFFFFF",
            "discount_percent": card.level_id.discount_percent,
            "multiplier": card.level_id.earn_multiplier if card.level_id else 1.0,
            "points": card.points,
            "balance": card.balance,
            "point_value": card.program_id.member_point_value,
            "allow_topup": card.program_id.member_allow_topup,
            "currency": {
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "currency_id": currency.id,
            "status": card.member_status,
            "status_label": status[card.member_status],
            "pin_set": card.pin_set,
            # Whether this user may set the card's first PIN at the counter.
            "pin_can_set": not card.pin_set
            and (
                card._pin_counter_may_set()
                or self.env.user.has_group("loyalty_cards.group_loyalty_manager")
            ),
            "pin_locked_until": format_datetime(
                self.env, card.date_pin_locked_until, dt_format="short"
            )
            if card.pin_locked
            else "",
        }
