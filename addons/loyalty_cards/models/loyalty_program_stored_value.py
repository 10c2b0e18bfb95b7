from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_round, format_amount

from odoo.addons.customer_tiering.tools.validation import check_number, check_values

LIMIT_FIELDS = ("max_card_balance", "max_topup_amount")
# Highest limit a programme may set (as the largest movement of the ledger).
MAX_LIMIT = 10**9
REFUND_BONUS_RULES = [
    ("paid_first", "Purchases use the money paid first"),
    ("bonus_first", "Purchases use the bonus first"),
]


class LoyaltyProgram(models.Model):
    """The stored-value rules of a member programme: the limits on the
    balance of a card and on one top-up (off by default), and which part of
    the balance a purchase uses first, which decides the bonus still unused
    that a refund takes back (``loyalty.card.refund``)."""

    # One concept per file: this concept extends the model here.
    # pylint: disable-next=consider-merging-classes-inherited
    _inherit = "loyalty.program"

    max_card_balance = fields.Monetary(
        string="Maximum Card Balance",
        currency_field="currency_id",
        help="The balance a card may hold after a top-up (bonus included) or a "
        "manager's adjustment; 0: no limit. China's rules on single-purpose "
        "commercial prepaid cards (单用途商业预付卡) cap a registered card at "
        "5,000 yuan and an anonymous card at 1,000 yuan.",
    )
    max_topup_amount = fields.Monetary(
        string="Maximum Top-up",
        currency_field="currency_id",
        help="The most a customer may pay in one top-up; 0: no limit. China's "
        "rules on single-purpose commercial prepaid cards cap a registered card "
        "at 5,000 yuan and an anonymous card at 1,000 yuan.",
    )
    refund_bonus_rule = fields.Selection(
        REFUND_BONUS_RULES,
        string="Refunds: Purchases Use",
        required=True,
        default="paid_first",
        help="A refund pays back only money the customer paid and did not "
        "spend: the bonus still unused is taken back first, without payment. "
        "Paid money first: purchases use the money paid, the bonus last (the "
        "bonus stays on the card until the paid money is spent). Bonus first: "
        "purchases use the bonus before the money paid.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._stored_value_check_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._stored_value_check_vals(vals)
        return super().write(vals)

    @api.model
    def _stored_value_check_vals(self, vals):
        """Junk in the stored-value settings gets a clear error before the
        ORM rounds it (NaN, infinity, text, out of range)."""
        if not isinstance(vals, dict):
            return
        for name in LIMIT_FIELDS:
            if vals.get(name) not in (None, False):
                label = self._fields[name]._description_string(self.env)
                vals[name] = check_number(self.env, vals[name], label, 0, MAX_LIMIT)
        if "refund_bonus_rule" in vals:
            check_values(self, {"refund_bonus_rule": vals["refund_bonus_rule"]})

    @api.constrains("max_card_balance", "max_topup_amount")
    def _check_stored_value_limits(self):
        # (Formatted outside the translated call: the extraction of the
        # terms cannot read f-strings there.)
        ceiling = f"{MAX_LIMIT:,}"
        for program in self:
            for value in (program.max_card_balance, program.max_topup_amount):
                if value and not 0 <= value <= MAX_LIMIT:
                    raise ValidationError(
                        self.env._(
                            "A limit on stored value lies between 0 (no limit) and "
                            "%(max)s.",
                            max=ceiling,
                        )
                    )

    def _stored_value_room(self, balance):
        """The balance a card holding ``balance`` may still receive (None:
        no limit)."""
        self.ensure_one()
        if not self.max_card_balance:
            return None
        return max(float_round(self.max_card_balance - balance, 2), 0.0)

    def _stored_value_max_topup(self, balance):
        """The largest amount a card holding ``balance`` may be topped up
        with, bonus included in the card's limit (None: no limit)."""
        self.ensure_one()
        limits = []
        if self.max_topup_amount:
            limits.append(self.max_topup_amount)
        room = self._stored_value_room(balance)
        if room is not None:
            # The bonus table is a staircase: the best amount of each step.
            steps = sorted(self.topup_bonus_ids, key=lambda b: b.min_amount)
            bounds = [(0.0, 0.0)] + [(b.min_amount, b.bonus_amount) for b in steps]
            best = 0.0
            for index, (start, bonus) in enumerate(bounds):
                end = bounds[index + 1][0] - 0.01 if index + 1 < len(bounds) else None
                amount = room - bonus
                if end is not None:
                    amount = min(amount, end)
                if amount >= start:
                    best = max(best, amount)
            limits.append(float_round(best, 2))
        return min(limits) if limits else None

    def _stored_value_check_topup(self, card, amount, bonus):
        """Raise unless ``card`` may be topped up with ``amount`` (giving
        ``bonus``): the error names the limit and the most still allowed."""
        self.ensure_one()
        currency = card.currency_id or self.currency_id
        allowed = self._stored_value_max_topup(card.balance)
        if self.max_topup_amount and (
            float_compare(amount, self.max_topup_amount, precision_digits=2) > 0
        ):
            raise UserError(
                self.env._(
                    "A top-up of programme %(program)s is at most %(limit)s; this "
                    "card may receive at most %(allowed)s now.",
                    program=self.name,
                    limit=format_amount(self.env, self.max_topup_amount, currency),
                    allowed=format_amount(self.env, allowed, currency),
                )
            )
        room = self._stored_value_room(card.balance)
        if (
            room is not None
            and float_compare(amount + bonus, room, precision_digits=2) > 0
        ):
            raise UserError(
                self.env._(
                    "A card of programme %(program)s holds at most %(limit)s: this "
                    "top-up (bonus included) would bring it to %(after)s. The most "
                    "it may receive now is %(allowed)s.",
                    program=self.name,
                    limit=format_amount(self.env, self.max_card_balance, currency),
                    after=format_amount(
                        self.env, card.balance + amount + bonus, currency
                    ),
                    allowed=format_amount(self.env, allowed, currency),
                )
            )

    def _stored_value_check_balance(self, card, added):
        """Raise when adding ``added`` to the balance of ``card`` (a
        manager's adjustment) would pass the card limit."""
        self.ensure_one()
        room = self._stored_value_room(card.balance)
        if (
            added > 0
            and room is not None
            and float_compare(added, room, precision_digits=2) > 0
        ):
            currency = card.currency_id or self.currency_id
            raise UserError(
                self.env._(
                    "A card of programme %(program)s holds at most %(limit)s: at "
                    "most %(allowed)s may be added to this card now.",
                    program=self.name,
                    limit=format_amount(self.env, self.max_card_balance, currency),
                    allowed=format_amount(self.env, room, currency),
                )
            )
