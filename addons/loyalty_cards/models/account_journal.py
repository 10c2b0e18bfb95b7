from odoo import api, models

# The code of the counter journal, or of the first free one after it.
COUNTER_JOURNAL_CODES = ("CNTR", *(f"CNT{i}" for i in range(1, 100)))


class AccountJournal(models.Model):
    _inherit = "account.journal"

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
