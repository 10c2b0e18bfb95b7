from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

MEMBER_CARD_JOURNAL_NAME = _lt("Member Card")
MEMBER_CARD_JOURNAL_CODE = "CARD"
# The code of the counter journal, or of the first free one after it.
COUNTER_JOURNAL_CODES = ("CNTR", *(f"CNT{i}" for i in range(1, 100)))


class AccountJournal(models.Model):
    """The two journals of member cards in each company:

    - "Member Card": invoices paid from a card's balance are registered on
      it (Register Payment). Its payments receive nothing on a bank account:
      their outstanding account is the stored value liability of the card's
      programme, so that a payment debits the stored value and credits the
      customer's receivable;
    - "Member Card Counter": the entries of the counter sessions.
    """

    _inherit = "account.journal"

    loyalty_member_card = fields.Boolean(
        string="Member Card Journal",
        readonly=True,
        copy=False,
        help="Payments on this journal are paid from a member card's balance, "
        "with the customer's PIN or a loyalty manager's approval.",
    )

    @api.model
    def _loyalty_setup_member_card_journal(self, company):
        """Create the member card journal of ``company`` once, when it has
        a chart of accounts; it receives customer payments only."""
        Journal = self.sudo().with_company(company)
        if Journal.with_context(active_test=False).search_count(
            [("company_id", "=", company.id), ("loyalty_member_card", "=", True)],
            limit=1,
        ):
            return
        if not Journal.search_count(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        ):
            # No chart of accounts yet: the journal comes with it.
            return
        code = MEMBER_CARD_JOURNAL_CODE
        taken = set(
            Journal.with_context(active_test=False)
            .search([("company_id", "=", company.id)])
            .mapped("code")
        )
        suffix = 1
        while code in taken:
            code = f"{MEMBER_CARD_JOURNAL_CODE[:3]}{suffix}"
            suffix += 1
        journal = Journal.create(
            {
                "name": MEMBER_CARD_JOURNAL_NAME._translate("en_US"),
                "code": code,
                "type": "bank",
                "company_id": company.id,
                "loyalty_member_card": True,
            }
        )
        # Paying back to a card is not a payment of this journal.
        journal.outbound_payment_method_line_ids = [fields.Command.clear()]
        journal.update_field_translations(
            "name",
            {
                lang: MEMBER_CARD_JOURNAL_NAME._translate(lang)
                for lang, _label in self.env["res.lang"].get_installed()
            },
        )
        return journal

    @api.model
    def _loyalty_counter_journal_setup(self, company):
        """The journal of ``company``'s counter sessions ("Member Card
        Counter", type general, code CNTR): their entries take its numbers,
        not the customer invoices' ones. Created once, when the company has
        a chart of accounts (empty otherwise); kept on the company."""
        self = self.sudo()
        journal = company.sudo().loyalty_counter_journal_id
        if journal:
            return journal
        Account = self.env["account.account"].with_company(company)
        if not Account.search_count(Account._check_company_domain(company), limit=1):
            return journal
        used = set(
            self.with_context(active_test=False)
            .search([("company_id", "=", company.id)])
            .mapped("code")
        )
        code = next(code for code in COUNTER_JOURNAL_CODES if code not in used)
        journal = self.create(
            {
                "name": "Member Card Counter",
                "code": code,
                "type": "general",
                "company_id": company.id,
            }
        )
        journal.update_field_translations(
            "name",
            {
                lang: self.with_context(lang=lang).env._("Member Card Counter")
                for lang, _label in self.env["res.lang"].get_installed()
            },
        )
        company.sudo().loyalty_counter_journal_id = journal
        return journal
