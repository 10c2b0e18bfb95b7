import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.customer_tiering.tools.validation import check_text


class AccountPaymentRegister(models.TransientModel):
    """Register Payment on the member card journal: the invoice is paid
    from the balance of a member card of its customer, with the customer's
    PIN (counted like at the counter: wrong PINs lock the card) or a
    loyalty manager's approval; the card's ledger row and the payment's
    entry are posted in one transaction, or nothing is."""

    _inherit = "account.payment.register"

    loyalty_member_card_journal = fields.Boolean(
        related="journal_id.loyalty_member_card"
    )
    loyalty_partner_id = fields.Many2one(
        "res.partner", compute="_compute_loyalty_partner_id"
    )
    loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Member Card",
        compute="_compute_loyalty_card_id",
        store=True,
        readonly=False,
        domain="[('is_member_card', '=', True),"
        " ('partner_id', 'child_of', loyalty_partner_id),"
        " ('company_id', 'in', (company_id, False))]",
    )
    loyalty_card_balance = fields.Monetary(
        string="Card Balance",
        related="loyalty_card_id.balance",
        currency_field="company_currency_id",
    )
    loyalty_pin = fields.Char(string="Customer's PIN", copy=False)
    loyalty_manager_approval = fields.Boolean(
        string="Approved by a Manager",
        help="A loyalty manager approves the payment instead of the customer's PIN.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._loyalty_clean_pin(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._loyalty_clean_pin(vals)
        return super().write(vals)

    @api.model
    def _loyalty_clean_pin(self, vals):
        """Junk typed as a PIN, or as the amount, is refused before it is
        stored."""
        amount = vals.get("amount")
        if amount is not None and amount is not False:
            if isinstance(amount, str) or not isinstance(amount, int | float):
                amount = self.env["loyalty.card"]._loyalty_amount(
                    amount, allow_zero=True
                )
            if isinstance(amount, bool) or not math.isfinite(amount):
                self.env["loyalty.card"]._loyalty_amount(amount)
            vals["amount"] = amount
        if vals.get("loyalty_pin"):
            vals["loyalty_pin"] = check_text(
                self.env, vals["loyalty_pin"], self.env._("The PIN"), 32
            )

    @api.depends("partner_id")
    def _compute_loyalty_partner_id(self):
        for wizard in self:
            wizard.loyalty_partner_id = wizard.partner_id.commercial_partner_id

    @api.depends("journal_id", "partner_id", "company_id")
    def _compute_loyalty_card_id(self):
        Card = self.env["loyalty.card"]
        can_read = Card.has_access("read")
        for wizard in self:
            card = Card
            partner = wizard.partner_id.commercial_partner_id
            if can_read and wizard.journal_id.loyalty_member_card and partner:
                card = Card.search(
                    [
                        ("is_member_card", "=", True),
                        ("partner_id", "child_of", partner.id),
                        ("company_id", "in", (wizard.company_id.id, False)),
                        ("balance", ">", 0),
                    ],
                    order="balance desc, id",
                    limit=1,
                )
            wizard.loyalty_card_id = card

    def _loyalty_check(self):
        """Raise a clear error unless the card may pay these invoices now:
        checked before anything is created, the PIN last (a wrong PIN is
        counted)."""
        self.ensure_one()
        card = self.loyalty_card_id
        if not card:
            raise UserError(self.env._("Choose the member card that pays."))
        if not self.env.user.has_group("loyalty_cards.group_loyalty_cashier"):
            raise AccessError(
                self.env._("Only loyalty cashiers and managers may use member cards.")
            )
        # The card as the user sees it (own-customers rules apply).
        card.check_access("read")
        card = card.sudo()
        company = self.company_id
        card._member_check_usable(company=company)
        partners = {
            line.partner_id.commercial_partner_id
            for batch in self.batches
            for line in batch["lines"]
        } | {self.partner_id.commercial_partner_id}
        if len(partners) != 1 or card.partner_id.commercial_partner_id not in partners:
            raise UserError(
                self.env._(
                    "Member card %(card)s belongs to another customer: a card pays "
                    "its own customer's invoices only.",
                    card=card.member_number,
                )
            )
        if self.payment_type != "inbound" or self.partner_type != "customer":
            raise UserError(self.env._("A member card pays customer invoices only."))
        currency = company.currency_id
        if self.currency_id != currency or card.currency_id != currency:
            raise UserError(
                self.env._(
                    "A member card pays in %(currency)s, the currency of %(company)s.",
                    currency=currency.name,
                    company=company.name,
                )
            )
        if not card.program_id.with_company(company).stored_value_account_id:
            raise UserError(
                self.env._(
                    "Set the stored value account of programme %(program)s (tab "
                    "Accounting) to pay with its cards.",
                    program=card.program_id.name,
                )
            )
        amount = self.env["loyalty.card"]._loyalty_amount(
            self.amount if self.can_edit_wizard else self._loyalty_total()
        )
        if currency.compare_amounts(amount, card.balance) > 0:
            raise UserError(
                self.env._(
                    "The balance of card %(card)s (%(balance)s) is too low to pay "
                    "%(amount)s.",
                    card=card.member_number,
                    balance=card.balance,
                    amount=amount,
                )
            )
        if self.loyalty_manager_approval:
            if not self.env.user.has_group("loyalty_cards.group_loyalty_manager"):
                raise AccessError(
                    self.env._("Only a loyalty manager may approve without the PIN.")
                )
        else:
            pin = self.loyalty_pin
            if not pin or not isinstance(pin, str):
                raise UserError(
                    self.env._("Enter the customer's PIN, or a manager approves.")
                )
            card._pin_verify(pin)

    def _loyalty_total(self):
        return sum(
            abs(line.amount_residual)
            for batch in self.batches
            for line in batch["lines"]
        )

    def _create_payment_vals_from_wizard(self, batch_result):
        vals = super()._create_payment_vals_from_wizard(batch_result)
        if self.journal_id.loyalty_member_card:
            vals["loyalty_card_id"] = self.loyalty_card_id.id
        return vals

    def _create_payment_vals_from_batch(self, batch_result):
        vals = super()._create_payment_vals_from_batch(batch_result)
        if self.journal_id.loyalty_member_card:
            vals["loyalty_card_id"] = self.loyalty_card_id.id
        return vals

    def _create_payments(self):
        if self.journal_id.loyalty_member_card:
            self._loyalty_check()
        payments = super()._create_payments()
        if self.loyalty_pin:
            # The PIN is not kept once used.
            self.loyalty_pin = False
        return payments

    def _post_payments(self, to_process, edit_mode=False):
        payments = self.env["account.payment"].union(
            *(vals["payment"] for vals in to_process)
        )
        payments._loyalty_post_card_payments()
        return super()._post_payments(to_process, edit_mode=edit_mode)
