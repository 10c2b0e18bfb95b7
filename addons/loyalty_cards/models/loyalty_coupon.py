from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, format_amount

from ..tools import codes


class LoyaltyCoupon(models.AbstractModel):
    """Coupons at the counter: the lookup of a code (one error for every
    unusable code), the discount and the single use, through the ledger.
    Coupons themselves are ``loyalty.card`` records, issued by
    ``loyalty.coupon.batch``."""

    _name = "loyalty.coupon"
    _description = "Coupon Redemption"

    @api.model
    def _generic_error(self):
        """The one message for unknown, expired, used and foreign codes."""
        return self.env._("This coupon code cannot be used.")

    @api.model
    def _lookup(self, code, partner=None, company=None):
        """The usable coupon of ``code`` (sudo) for ``partner`` (the holder of
        the member card presented, if any); the same error whatever is wrong
        with it. A coupon issued to a customer is used only with a member
        card of that customer, unless its programme issues bearer coupons;
        a coupon issued to nobody is a bearer coupon."""
        company = company or self.env.company
        generic = UserError(self._generic_error())
        normalized = codes.normalize_code(code)
        if not normalized:
            raise generic
        coupon = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("code", "=", normalized), ("program_type", "=", "coupons")], limit=1
            )
        )
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        program = coupon.program_id
        usable = (
            coupon
            and coupon.active
            and program.active
            and (not program.company_id or program.company_id == company)
            and float_round(coupon.points, 2) >= 1
            and (not coupon.expiration_date or coupon.expiration_date >= today)
            and (not program.date_from or program.date_from <= today)
            and (not program.date_to or program.date_to >= today)
            and (not program.is_flash or program._flash_is_live(now))
            and (
                # A coupon issued to a customer is theirs: it needs their
                # member card, unless the programme makes it a bearer coupon.
                not coupon.partner_id
                or program.coupon_bearer
                or (
                    partner
                    and coupon.partner_id.commercial_partner_id
                    == partner.commercial_partner_id
                )
            )
        )
        if not usable:
            raise generic
        return coupon

    @api.model
    def _discount(self, coupon, base_amount):
        """The discount ``coupon`` gives on ``base_amount`` at the counter."""
        coupon.ensure_one()
        program = coupon.program_id
        reward = program.reward_ids.filtered(lambda r: r.reward_type == "discount")[:1]
        if not reward:
            raise UserError(
                self.env._(
                    "This coupon gives a product, not a discount: use it on a sales "
                    "order."
                )
            )
        minimum = max(program.rule_ids.mapped("minimum_amount") or [0.0])
        currency = program.currency_id
        if base_amount < minimum:
            raise UserError(
                self.env._(
                    "This coupon needs a purchase of at least %(amount)s.",
                    amount=format_amount(self.env, minimum, currency),
                )
            )
        if reward.discount_mode == "percent":
            discount = base_amount * reward.discount / 100.0
        elif reward.discount_mode == "per_point":
            discount = reward.discount * coupon.points
        else:
            discount = reward.discount
        if reward.discount_max_amount:
            discount = min(discount, reward.discount_max_amount)
        return currency.round(min(discount, base_amount))

    @api.model
    def _redeem(self, coupon, consumption=None, key=None):
        """Use ``coupon`` once: a conditional update (atomic single use) and
        its ledger row; the generic error when it was used meanwhile."""
        coupon.ensure_one()
        self.env["loyalty.history"]._ledger_post(
            [
                {
                    "card": coupon.id,
                    "account": "points",
                    "delta": -1.0,
                    "kind": "coupon_redeem",
                    "description": self.env._("Coupon used"),
                    "key": key,
                    "source": consumption,
                    "consumption_id": consumption.id if consumption else None,
                }
            ],
            error=self._generic_error(),
        )
        coupon.sudo().write({"date_used": fields.Datetime.now()})
