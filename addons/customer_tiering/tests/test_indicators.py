from datetime import date, timedelta

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestInvoiceIndicators(AccountTestInvoicingCommon):
    """Raw values from posted customer invoices, each with one query per batch."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "customer_tiering.group_customer_tier_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        Indicator = cls.env["customer.tier.indicator"].with_context(
            skip_tier_weight_check=True
        )
        cls.revenue, cls.count, cls.recency, cls.referrals = Indicator.create(
            [
                {"name": "Revenue", "indicator_type": "revenue", "weight": 40},
                {"name": "Count", "indicator_type": "invoice_count", "weight": 30},
                {
                    "name": "Recency",
                    "indicator_type": "recency",
                    "weight": 20,
                    "period_months": 3,
                },
                {"name": "Referrals", "indicator_type": "referrals", "weight": 10},
            ]
        )
        cls.today = date.today()
        cls.buyer = cls.env["res.partner"].create({"name": "Buyer", "is_company": True})
        cls.buyer_contact = cls.env["res.partner"].create(
            {"name": "Buyer Contact", "parent_id": cls.buyer.id}
        )
        cls.idle = cls.env["res.partner"].create({"name": "Idle", "is_company": True})

        def days(n):
            return cls.today - timedelta(days=n)

        cls.init_invoice(
            "out_invoice",
            cls.buyer,
            days(10),
            post=True,
            amounts=[1000],
            taxes=cls.tax_sale_a,
        )
        cls.init_invoice(
            "out_invoice", cls.buyer_contact, days(40), post=True, amounts=[500]
        )
        cls.init_invoice("out_refund", cls.buyer, days(5), post=True, amounts=[200])
        cls.init_invoice("out_invoice", cls.buyer, days(120), post=True, amounts=[300])
        cls.init_invoice(
            "out_invoice", cls.buyer, days(400), post=True, amounts=[9999]
        )  # out of period
        cls.init_invoice("out_invoice", cls.buyer, days(2), amounts=[7777])  # draft
        cls.init_invoice(
            "in_invoice", cls.buyer, days(3), post=True, amounts=[5555]
        )  # vendor bill
        cls.init_invoice("out_invoice", cls.idle, days(200), post=True, amounts=[100])

    def raw(self, indicator, partners):
        return indicator._get_raw_values(partners.ids, self.company, self.today)

    def test_revenue_is_untaxed_net_of_refunds(self):
        partners = self.buyer + self.idle
        self.assertEqual(
            self.raw(self.revenue, partners),
            {self.buyer.id: 1600.0, self.idle.id: 100.0},
        )

    def test_invoice_count(self):
        self.assertEqual(
            self.raw(self.count, self.buyer + self.idle),
            {self.buyer.id: 3, self.idle.id: 1},
        )

    def test_recency_within_its_period(self):
        self.assertEqual(
            self.raw(self.recency, self.buyer + self.idle), {self.buyer.id: 10}
        )

    def test_referrals(self):
        self.env["res.partner"].create(
            [
                {
                    "name": "Referred 1",
                    "is_company": True,
                    "referred_by_id": self.buyer.id,
                },
                {"name": "Referred 2", "referred_by_id": self.buyer.id},
                {
                    "name": "Referred contact",
                    "parent_id": self.idle.id,
                    "referred_by_id": self.buyer.id,
                },
            ]
        )
        self.assertEqual(
            self.raw(self.referrals, self.buyer + self.idle), {self.buyer.id: 2}
        )

    def test_one_query_per_indicator(self):
        for indicator in (self.revenue, self.count, self.recency, self.referrals):
            self.raw(indicator, self.buyer)  # reads the indicator itself
            with self.assertQueryCount(1):
                self.raw(indicator, self.buyer + self.idle)

    def test_scope_invoiced_in_period(self):
        self.env["customer.tier"].create({"name": "All", "rank": 1, "min_score": 0})
        evaluation = self.env["customer.tier.evaluation"]._launch_and_run(self.company)
        graded = (
            self.env["customer.tier.history"]
            .search([("evaluation_id", "=", evaluation.id)])
            .partner_id
        )
        self.assertIn(self.buyer, graded)
        self.assertIn(self.idle, graded)
        self.assertNotIn(self.buyer_contact, graded, "contacts count for their company")
        self.company.tier_period_months = 3
        self.env["customer.tier"].search(
            [("company_id", "=", self.company.id)]
        ).active = False
        self.env["customer.tier"].create({"name": "Again", "rank": 2, "min_score": 0})
        evaluation = self.env["customer.tier.evaluation"]._launch_and_run(self.company)
        # Idle holds an archived tier, so it is still graded (and moves).
        graded = (
            self.env["customer.tier.history"]
            .search([("evaluation_id", "=", evaluation.id)])
            .partner_id
        )
        self.assertEqual(graded, self.buyer + self.idle)
