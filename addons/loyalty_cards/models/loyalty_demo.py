from odoo import api, fields, models


class LoyaltyDemo(models.AbstractModel):
    """Demo data made through the real flows, called by the demo data only."""

    _name = "loyalty.demo"
    _description = "Loyalty Demo Data"

    @api.model
    def _demo_activity(self):
        """Demo data through the real flows (called by the demo data):
        PIN 246810 on every demo card, top-ups, consumptions, a coupon batch
        for customer tiers 1 and 2 with one coupon used, the flash offer
        pushed, the counter session closed and posted (with a chart of
        accounts), and a ledger check."""
        ref = self.env.ref
        methods = {
            method.code: method
            for method in self.env["loyalty.payment.method"].search(
                [("company_id", "=", self.env.company.id)]
            )
        }
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
        Counter = self.env["loyalty.counter"]
        for card, amount, method in (
            (great_wall, 2000, "transfer"),
            (pearl_river, 1000, "bank_card"),
            (jade_garden, 500, "wechat"),
            (portal, 500, "cash"),
        ):
            Counter.topup(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "payment_method_id": methods[method].id,
                    "idempotency_key": f"demo-topup-{card.id}",
                }
            )
        purchases = [
            (great_wall, 1280, 600, 0, "bank_card"),
            (great_wall, 860, 0, 1000, "alipay"),
            (pearl_river, 430, 200, 0, "wechat"),
            (jade_garden, 268, 100, 0, "cash"),
            (lotus_tea, 88, 0, 0, "cash"),
            (silk_road, 156, 0, 0, "wechat"),
            (portal, 66, 30, 0, "cash"),
            (portal, 128, 0, 0, "alipay"),
        ]
        receipts = []
        for index, (card, amount, balance, points, method) in enumerate(purchases):
            receipt = Counter.confirm(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "balance_used": balance,
                    "points_used": points,
                    "pin": "246810" if balance or points else False,
                    "payment_method_id": methods[method].id,
                    "idempotency_key": f"demo-consumption-{index}",
                }
            )
            receipts.append(receipt)
        # A cup of tea sent back: part of the purchase reversed, in cash.
        Counter.reverse(
            {
                "consumption_id": receipts[4]["id"],
                "amount": 18,
                "reason": self.env._("A cup of tea sent back"),
                "idempotency_key": "demo-reversal-0",
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
        Counter.confirm(
            {
                "card_id": pearl_river.id,
                "amount": 680,
                "coupon_code": coupon[:1].code,
                "payment_method_id": methods["bank_card"].id,
                "idempotency_key": "demo-consumption-coupon",
            }
        )
        # A partial refund of unused balance: the unused bonus goes first.
        self.env["loyalty.card.refund"].create(
            {
                "card_id": jade_garden.id,
                "amount": 100,
                "payment_method_id": methods["cash"].id,
                "reason": self.env._("The customer moves to another city."),
                "idempotency_key": "demo-refund-jade-garden",
            }
        )
        # The day's closing: one posted journal entry, the cash counted as
        # expected (without a chart of accounts, the session stays open).
        session = self.env["loyalty.counter.session"].search(
            [
                ("user_id", "=", self.env.uid),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "open"),
            ]
        )
        if session and self.env.company.chart_template:
            session.action_close(session.cash_expected)
        flash = ref("loyalty_cards.loyalty_program_demo_flash")
        flash.action_flash_schedule()
        self.env["loyalty.program"]._cron_flash_offers()
        self.env["loyalty.ledger.check"]._run(self.env.company)
