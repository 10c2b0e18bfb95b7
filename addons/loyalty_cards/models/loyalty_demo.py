from odoo import api, fields, models


class LoyaltyDemo(models.AbstractModel):
    """Demo data made through the real flows, called by the demo data only."""

    _name = "loyalty.demo"
    _description = "Loyalty Demo Data"

    @api.model
    def _demo_activity(self):
        """Demo data through the real flows (called by the demo data):
        PIN 246810 on every demo card, two rounds of counter work by two
        cashiers (Marc Demo and Mei Lin: top-ups, consumptions, a reversal, a
        coupon batch for customer tiers 1 and 2 with one coupon used), a
        refund by a manager, each session closed with the cash counted (one
        short by 2) and posted (with a chart of accounts), the flash offer
        pushed, and a ledger check."""
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
        # Two cashiers at the counter: Marc Demo and Mei Lin.
        marc = self.with_user(ref("base.user_demo")).env["loyalty.counter"]
        mei = self.with_user(ref("loyalty_cards.user_demo_cashier_mei")).env[
            "loyalty.counter"
        ]

        def topup(counter, card, amount, method):
            counter.topup(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "payment_method_id": methods[method].id,
                    "idempotency_key": f"demo-topup-{card.id}",
                }
            )

        def purchase(counter, index, card, amount, balance, points, method, **extra):
            return counter.confirm(
                {
                    "card_id": card.id,
                    "amount": amount,
                    "balance_used": balance,
                    "points_used": points,
                    "pin": "246810" if balance or points else False,
                    "payment_method_id": methods[method].id,
                    "idempotency_key": f"demo-consumption-{index}",
                    **extra,
                }
            )

        # First round: Marc tops cards up and sells; Mei sells and takes a
        # cup of tea back. Each closes the session and counts the cash.
        topup(marc, great_wall, 2000, "transfer")
        topup(marc, pearl_river, 1000, "bank_card")
        topup(marc, jade_garden, 500, "wechat")
        topup(marc, portal, 500, "cash")
        purchase(marc, 0, great_wall, 1280, 600, 0, "bank_card")
        purchase(marc, 1, great_wall, 860, 0, 1000, "alipay")
        purchase(marc, 2, pearl_river, 430, 200, 0, "wechat")
        purchase(marc, 3, jade_garden, 268, 100, 0, "cash")
        self._demo_close(marc, 0)
        tea = purchase(mei, 4, lotus_tea, 88, 0, 0, "cash")
        purchase(mei, 5, silk_road, 156, 0, 0, "wechat")
        purchase(mei, 6, portal, 66, 30, 0, "cash")
        # A cup of tea sent back: part of the purchase reversed, in cash.
        mei.reverse(
            {
                "consumption_id": tea["id"],
                "amount": 18,
                "reason": self.env._("A cup of tea sent back"),
                "idempotency_key": "demo-reversal-0",
            }
        )
        # Two coins short in Mei's drawer: a cash loss in the entry.
        self._demo_close(mei, -2)
        # Second round: Mei sells, Marc takes a coupon, a manager refunds.
        purchase(mei, 7, portal, 128, 0, 0, "alipay")
        self._demo_close(mei, 0)
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
        purchase(
            marc,
            "coupon",
            pearl_river,
            680,
            0,
            0,
            "bank_card",
            coupon_code=coupon[:1].code,
        )
        purchase(marc, 8, great_wall, 320, 200, 0, "cash")
        self._demo_close(marc, 0)
        # A partial refund of unused balance, by a manager: the unused bonus
        # goes first.
        self.env["loyalty.card.refund"].create(
            {
                "card_id": jade_garden.id,
                "amount": 100,
                "payment_method_id": methods["cash"].id,
                "reason": self.env._("The customer moves to another city."),
                "idempotency_key": "demo-refund-jade-garden",
            }
        )
        # Its session holds only money paid back: closed without counting.
        self._demo_close(self.env["loyalty.counter"], None)
        flash = ref("loyalty_cards.loyalty_program_demo_flash")
        flash.action_flash_schedule()
        self.env["loyalty.program"]._cron_flash_offers()
        self.env["loyalty.ledger.check"]._run(self.env.company)

    @api.model
    def _demo_close(self, counter, difference):
        """Close the open session of ``counter``'s user (the cashier closes
        their own), with the cash counted off by ``difference`` from the cash
        expected (``None``: not counted). Without a chart of accounts, the
        session stays open.

        Sessions are dated today, as every session is: the demo runs its
        rounds of counter work one after the other on the day it is
        installed (there is no way to date a session in the past)."""
        if not self.env.company.chart_template:
            return
        env = counter.env
        session = env["loyalty.counter.session"].search(
            [
                ("user_id", "=", env.uid),
                ("company_id", "=", env.company.id),
                ("state", "=", "open"),
            ]
        )
        if session:
            session.action_close(
                None if difference is None else session.cash_expected + difference
            )
