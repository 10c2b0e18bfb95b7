"""Reversals of consumptions seen from the consumption, the counter session
(which books them) and the counter (the entry point); the reversal itself is
``loyalty.consumption.reversal``."""

from datetime import timedelta

from odoo import api, fields, models


class LoyaltyConsumption(models.Model):
    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "loyalty.consumption"

    reversal_ids = fields.One2many(
        "loyalty.consumption.reversal", "consumption_id", readonly=True
    )
    reversal_count = fields.Integer(compute="_compute_reversed")
    reversed_amount = fields.Monetary(
        compute="_compute_reversed", help="Net amount reversed so far."
    )
    reversible_amount = fields.Monetary(
        string="Still Reversible",
        compute="_compute_reversed",
        help="Net amount less what its reversals reversed.",
    )
    coupon_returned = fields.Boolean(
        readonly=True,
        help="Set by the reversal that gave the coupon back: the coupon may pay "
        "for another consumption.",
    )
    can_reverse = fields.Boolean(compute="_compute_can_reverse")

    @api.depends("net_amount", "reversal_ids.net_amount")
    def _compute_reversed(self):
        sums = {
            consumption: (count, amount)
            for consumption, count, amount in self.env["loyalty.consumption.reversal"]
            .sudo()
            ._read_group(
                [("consumption_id", "in", self.ids)],
                ["consumption_id"],
                ["__count", "net_amount:sum"],
            )
        }
        for consumption in self:
            count, amount = sums.get(consumption._origin, (0, 0.0))
            consumption.reversal_count = count
            consumption.reversed_amount = amount
            consumption.reversible_amount = max(
                consumption.currency_id.round(consumption.net_amount - amount), 0.0
            )

    @api.depends("reversible_amount", "cashier_id", "date")
    @api.depends_context("uid")
    def _compute_can_reverse(self):
        """Whether the user may reverse the consumption now (the button)."""
        manager = self.env.user.has_group("loyalty_cards.group_loyalty_manager")
        now = fields.Datetime.now()
        for consumption in self:
            minutes = consumption.company_id.loyalty_reversal_minutes
            consumption.can_reverse = consumption.reversible_amount > 0 and (
                manager
                or (
                    minutes > 0
                    and consumption.cashier_id == self.env.user
                    and now <= consumption.date + timedelta(minutes=minutes)
                )
            )

    def action_open_reverse_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reverse %(ref)s", ref=self.name),
            "res_model": "loyalty.consumption.reverse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_consumption_id": self.id},
        }

    def action_view_reversals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_consumption_reversal_action"
        )
        action["domain"] = [("consumption_id", "=", self.id)]
        return action


class LoyaltyCounterSession(models.Model):
    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "loyalty.counter.session"

    reversal_ids = fields.One2many(
        "loyalty.consumption.reversal",
        "session_id",
        string="Reversals",
        readonly=True,
    )
    reversal_count = fields.Integer(compute="_compute_totals")
    reversal_total = fields.Monetary(
        string="Sales Reversed",
        compute="_compute_totals",
        help="Net amount of the consumptions reversed in this session.",
    )

    @api.depends(
        "consumption_ids.net_amount",
        "consumption_ids.amount_due",
        "consumption_ids.payment_method_id",
        "topup_ids.amount",
        "topup_ids.bonus",
        "topup_ids.payment_method_id",
        "reversal_ids.net_amount",
        "reversal_ids.amount_due",
        "reversal_ids.payment_method_id",
    )
    def _compute_totals(self):
        res = super()._compute_totals()
        for session in self:
            reversals = session.reversal_ids
            session.reversal_count = len(reversals)
            session.reversal_total = sum(reversals.mapped("net_amount"))
            # Cash given back leaves the drawer.
            session.cash_expected -= sum(
                reversals.filtered("payment_method_id.is_cash").mapped("amount_due")
            )
        return res

    def _close_reversal_lines(self, reversal, book):
        """Book one reversal: the mirror of its part of the consumption (the
        sale and its taxes debited back, the balance, the points and the
        payment method credited back)."""

        def book_back(key, amount, base=0.0, **values):
            book(key, -amount, -base, **values)

        # A reversal names its figures as the consumption does.
        self._close_consumption_lines(reversal, book_back)


class LoyaltyCounter(models.AbstractModel):
    _inherit = "loyalty.counter"

    @api.model
    def reverse(self, values):
        """Reverse a consumption, in full or in part, once per
        ``idempotency_key`` (see ``loyalty.consumption.reversal._reverse``).

        :param dict values: ``idempotency_key``, ``consumption_id``,
            ``reason``, and ``amount`` (a part of its net amount) or ``full``
            (True), optionally ``accept_shortfall`` (managers)
        :return: the receipt (figures given back, the card's new values)
        """
        return self.env["loyalty.consumption.reversal"]._reverse(values)
