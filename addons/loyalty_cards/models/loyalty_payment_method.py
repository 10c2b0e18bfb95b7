from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from odoo.addons.customer_tiering.tools.validation import valid_id

_lt = LazyTranslate(__name__)

# The methods every company gets: (code, name, journal type). The code is the
# value the counter sent before payment methods were records; it still finds
# them for older clients.
DEFAULT_METHODS = [
    ("cash", _lt("Cash"), "cash"),
    ("bank_card", _lt("Bank card"), "bank"),
    ("wechat", _lt("WeChat Pay"), "bank"),
    ("alipay", _lt("Alipay"), "bank"),
    ("transfer", _lt("Bank transfer"), "bank"),
]
# Codes of the former fixed list that now name another method.
LEGACY_CODES = {"mobile": "wechat"}


class LoyaltyPaymentMethod(models.Model):
    """How a customer pays at the counter (cash, bank card, WeChat Pay…):
    the journal whose account receives the money when the counter session
    is closed and posted."""

    _name = "loyalty.payment.method"
    _description = "Counter Payment Method"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        readonly=True,
        copy=False,
        help="Technical key for clients that send a method by name "
        "(cash, bank_card, wechat, alipay, transfer).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', 'in', ('cash', 'bank'))]",
        help="Cash or bank journal: its account receives the payments when "
        "a counter session is posted.",
    )
    is_cash = fields.Boolean(
        string="Paid in Cash",
        compute="_compute_is_cash",
        help="Paid in cash: counted at the closing of the session.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "UNIQUE (code, company_id)",
            "A company has one payment method per code.",
        ),
    ]

    @api.depends("journal_id.type")
    def _compute_is_cash(self):
        for method in self:
            method.is_cash = method.journal_id.type == "cash"

    @api.constrains("journal_id")
    def _check_journal(self):
        for method in self:
            if method.journal_id and method.journal_id.type not in ("cash", "bank"):
                raise UserError(
                    self.env._(
                        "The journal of payment method %(method)s must be a cash "
                        "or bank journal.",
                        method=method.name,
                    )
                )

    @api.model
    def _for_counter(self, values, company):
        """The payment method a counter request chose: ``payment_method_id``
        or, from older clients, ``payment_method`` (a code); the company's
        first method when the request names none."""
        methods = self.search([("company_id", "=", company.id)])
        method_id = values.get("payment_method_id")
        code = values.get("payment_method")
        if method_id:
            method = methods.filtered(lambda m: m.id == valid_id(method_id))
        elif code:
            if isinstance(code, str):
                code = LEGACY_CODES.get(code, code)
            method = methods.filtered(lambda m: m.code == code)
        else:
            method = methods[:1]
        if not method:
            raise UserError(self.env._("Choose a payment method from the list."))
        return method[:1]

    @api.model
    def _setup_company(self, company):
        """Create the default payment methods of ``company`` on its cash and
        bank journals, once; complete the journals of methods created before
        the company had a chart of accounts."""
        Journal = self.env["account.journal"]
        journals = {
            kind: Journal.search(
                [("company_id", "=", company.id), ("type", "=", kind)], limit=1
            )
            for kind in ("cash", "bank")
        }
        existing = self.with_context(active_test=False).search(
            [("company_id", "=", company.id)]
        )
        for sequence, (code, name, kind) in enumerate(DEFAULT_METHODS, start=1):
            method = existing.filtered(lambda m, code=code: m.code == code)
            if not method:
                method = self.create(
                    {
                        "name": name._translate("en_US"),
                        "code": code,
                        "sequence": sequence * 10,
                        "company_id": company.id,
                        "journal_id": journals[kind].id,
                    }
                )
                method.update_field_translations(
                    "name",
                    {
                        lang: name._translate(lang)
                        for lang, _label in self.env["res.lang"].get_installed()
                    },
                )
            elif not method.journal_id and journals[kind]:
                method.journal_id = journals[kind]
