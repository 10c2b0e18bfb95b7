from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# The base's check_number refuses what is not an amount with a UserError.
NOT_AN_AMOUNT = "must be a number|must lie between"


@tagged("post_install", "-at_install")
class TestFees(AccountTestInvoicingCommon):
    """Fees follow the customer's tier: free, discounted or charged; labour
    and parts are invoiced to the customer."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "aftersales_sla.group_aftersales_user"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tier = cls.env["customer.tier"]
        cls.free_tier = Tier.sudo().create(
            {
                "name": "Free",
                "rank": 1,
                "min_score": 60,
                "aftersales_fee_policy": "free",
            }
        )
        cls.discount_tier = Tier.sudo().create(
            {
                "name": "Discount",
                "rank": 2,
                "min_score": 30,
                "aftersales_fee_policy": "discounted",
                "aftersales_fee_discount": 25,
            }
        )
        cls.charged_tier = Tier.sudo().create(
            {
                "name": "Charged",
                "rank": 3,
                "min_score": 0,
                "aftersales_fee_policy": "charged",
            }
        )
        cls.team = (
            cls.env["aftersales.team"]
            .sudo()
            .create({"name": "Fees Team", "member_ids": [(6, 0, cls.env.user.ids)]})
        )

    def ticket_for(self, tier):
        self.partner_a.sudo()._tier_override(tier, "Test")
        return self.env["aftersales.ticket"].create(
            {
                "name": "Broken pump",
                "partner_id": self.partner_a.id,
                "team_id": self.team.id,
            }
        )

    def add_lines(self, ticket):
        self.env["aftersales.ticket.line"].create(
            [
                {
                    "ticket_id": ticket.id,
                    "kind": "labour",
                    "name": "Two hours",
                    "quantity": 2,
                    "price_unit": 100,
                },
                {
                    "ticket_id": ticket.id,
                    "kind": "part",
                    "product_id": self.product_a.id,
                    "name": "Seal",
                    "quantity": 1,
                    "price_unit": 40,
                },
            ]
        )

    def test_discounted_tier(self):
        ticket = self.ticket_for(self.discount_tier)
        self.assertEqual((ticket.fee_policy, ticket.fee_discount), ("discounted", 25))
        self.add_lines(ticket)
        self.assertAlmostEqual(ticket.amount_total, (200 + 40) * 0.75)
        action = ticket.action_create_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(invoice.partner_id, self.partner_a)
        self.assertEqual(invoice.invoice_line_ids.mapped("discount"), [25, 25])
        self.assertAlmostEqual(invoice.amount_untaxed, 180)
        # The discount column shows only with line discounts enabled: the
        # line's description states the discount to the customer.
        self.assertEqual(
            invoice.invoice_line_ids.mapped("name"),
            [
                "Two hours\nDiscount customer discount: 25%",
                "Seal\nDiscount customer discount: 25%",
            ],
        )
        self.assertEqual(invoice.invoice_origin, ticket.number)
        with self.assertRaises(UserError):
            ticket.action_create_invoice()

    def test_discount_explained_in_the_customers_language(self):
        """The printed invoice reads 2.00 x 100.00 = 150.00 where the
        discount column is hidden: the line says why, in the customer's
        language (not the agent's)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.discount_tier.with_context(lang="zh_CN").name = "折扣等级"
        self.partner_a.lang = "zh_CN"
        ticket = self.ticket_for(self.discount_tier)
        self.add_lines(ticket)
        action = ticket.with_context(lang="en_US").action_create_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertIn("折扣等级", invoice.invoice_line_ids[0].name)
        self.assertIn("25%", invoice.invoice_line_ids[0].name)
        self.assertNotIn("Discount", invoice.invoice_line_ids[0].name)
        self.assertTrue(invoice.invoice_line_ids[0].name.startswith("Two hours\n"))

    def test_agent_invoices_the_customer(self):
        """An agent without invoicing rights invoices the customer, as the
        usage promises: a draft invoice that accounting posts (the agent got
        an access error on the journal entry)."""
        agent = new_test_user(
            self.env,
            login="fees_agent",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=self.env.company.id,
        )
        self.team.sudo().member_ids |= agent
        ticket = self.ticket_for(self.charged_tier)
        self.add_lines(ticket)
        as_agent = ticket.with_user(agent)
        action = as_agent.action_create_invoice()
        self.assertEqual(action["tag"], "display_notification", "nothing to open")
        invoice = ticket.invoice_id
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.partner_id, self.partner_a)
        self.assertAlmostEqual(invoice.amount_untaxed, 240)
        self.assertEqual(as_agent.invoice_state, "draft")
        self.assertFalse(invoice.with_user(agent).has_access("read"))
        with self.assertRaises(UserError):
            as_agent.action_create_invoice()
        # Cancelled by accounting: the agent invoices again.
        invoice.button_cancel()
        as_agent.action_create_invoice()
        self.assertNotEqual(ticket.invoice_id, invoice)

    def test_restricted_salesperson_invoices_own_customers(self):
        """A salesperson limited to their own customers (customer_tiering's
        Own Customers Only) who works in after-sales invoices the tickets of
        their customers, and no other customer's."""
        agent = new_test_user(
            self.env,
            login="fees_agent_restricted",
            groups="base.group_user,aftersales_sla.group_aftersales_user,"
            "customer_tiering.group_own_customers",
            company_id=self.env.company.id,
        )
        self.team.sudo().member_ids |= agent
        (self.partner_a | self.partner_b).sudo().customer_rank = 1
        self.partner_a.sudo().user_id = agent
        ticket = self.ticket_for(self.charged_tier)
        self.add_lines(ticket)
        other = ticket.copy({"partner_id": self.partner_b.id})
        self.add_lines(other)
        as_agent = ticket.with_user(agent)
        action = as_agent.action_create_invoice()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(ticket.invoice_id.partner_id, self.partner_a)
        self.assertEqual(as_agent.invoice_state, "draft")
        with self.assertRaises(AccessError):
            other.with_user(agent).action_create_invoice()
        self.assertFalse(other.invoice_id)

    def test_invoiced_lines_are_locked(self):
        """What the invoice bills stays on the ticket: an agent changes no
        line of an invoiced ticket (the ticket's total then differed from its
        invoice), until accounting cancels the invoice."""
        agent = new_test_user(
            self.env,
            login="fees_agent_locked",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=self.env.company.id,
        )
        self.team.sudo().member_ids |= agent
        ticket = self.ticket_for(self.charged_tier)
        self.add_lines(ticket)
        ticket.with_user(agent).action_create_invoice()
        lines = ticket.line_ids.with_user(agent)
        Line = self.env["aftersales.ticket.line"].with_user(agent)
        with self.assertRaisesRegex(UserError, "is invoiced"):
            lines[0].write({"quantity": 20})
        with self.assertRaisesRegex(UserError, "is invoiced"):
            Line.create({"ticket_id": ticket.id, "name": "Extra", "price_unit": 9})
        with self.assertRaisesRegex(UserError, "is invoiced"):
            lines[1].unlink()
        self.assertAlmostEqual(ticket.amount_total, ticket.invoice_id.amount_untaxed)
        ticket.invoice_id.button_cancel()
        lines[0].write({"quantity": 3})
        self.assertAlmostEqual(ticket.amount_total, 340)

    def test_numbers_that_are_not_amounts(self):
        """NaN, infinity and huge numbers in labour, parts and the fee
        discount get a clear error (they failed in the ORM's rounding with
        ValueError or OverflowError)."""
        agent = new_test_user(
            self.env,
            login="fees_agent_numbers",
            groups="base.group_user,aftersales_sla.group_aftersales_user",
            company_id=self.env.company.id,
        )
        self.team.sudo().member_ids |= agent
        ticket = self.ticket_for(self.discount_tier)
        Line = self.env["aftersales.ticket.line"].with_user(agent)
        line = Line.create({"ticket_id": ticket.id, "name": "Seal", "price_unit": 5})
        for fname in ("quantity", "price_unit", "discount"):
            for value in (float("nan"), float("inf"), -float("inf"), 1e300):
                with self.subTest(field=fname, value=value):
                    with self.assertRaisesRegex(UserError, NOT_AN_AMOUNT):
                        Line.create(
                            {"ticket_id": ticket.id, "name": "Odd", fname: value}
                        )
                    with self.assertRaisesRegex(UserError, NOT_AN_AMOUNT):
                        line.write({fname: value})
        self.assertEqual(ticket.line_ids, line)
        manager = new_test_user(
            self.env,
            login="fees_manager_numbers",
            groups="base.group_user,aftersales_sla.group_aftersales_manager",
            company_id=self.env.company.id,
        )
        for value in (float("nan"), float("inf"), 1e300):
            with (
                self.subTest(fee_discount=value),
                self.assertRaisesRegex(UserError, NOT_AN_AMOUNT),
            ):
                ticket.with_user(manager).write({"fee_discount": value})
        self.assertEqual(ticket.fee_discount, 25)

    def test_free_tier_cannot_be_invoiced(self):
        ticket = self.ticket_for(self.free_tier)
        self.add_lines(ticket)
        with self.assertRaises(UserError):
            ticket.action_create_invoice()
        self.assertFalse(ticket.invoice_id)

    def test_charged_and_bad_lines(self):
        ticket = self.ticket_for(self.charged_tier)
        with self.assertRaises(UserError):
            ticket.action_create_invoice()  # nothing to invoice
        with self.assertRaisesRegex(UserError, NOT_AN_AMOUNT):
            self.env["aftersales.ticket.line"].create(
                {
                    "ticket_id": ticket.id,
                    "name": "Refund?",
                    "quantity": -1,
                    "price_unit": 10,
                }
            )
        with self.assertRaisesRegex(UserError, NOT_AN_AMOUNT):
            self.env["aftersales.ticket.line"].create(
                {
                    "ticket_id": ticket.id,
                    "name": "Gift",
                    "price_unit": 10,
                    "discount": 150,
                }
            )
        self.assertFalse(ticket.line_ids)
