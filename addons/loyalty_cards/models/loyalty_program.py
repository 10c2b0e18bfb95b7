import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_round

from odoo.addons.customer_tiering.tools import jobs

_logger = logging.getLogger(__name__)

FLASH_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("running", "Running"),
    ("expired", "Expired"),
]
# A flash offer is short-lived: hours, at most a week.
FLASH_MAX_HOURS = 7 * 24


class LoyaltyProgram(models.Model):
    """Member card programmes and flash offers, on Odoo's loyalty programmes.

    A *member programme* is a loyalty programme whose cards have levels, a
    stored-value balance besides the points, and a PIN; they are used at
    the counter. Its earning rules are Odoo's loyalty rules; the level
    multiplies what they give.

    A *flash offer* is a coupon programme with a start and end time: when it
    starts, a scheduled action issues one coupon to each customer of its
    audience and emails it through the mail queue, batch by batch; when it
    ends, its coupons no longer apply.
    """

    _name = "loyalty.program"
    _inherit = ["loyalty.program", "loyalty.audience.mixin"]

    is_member_program = fields.Boolean(
        string="Member Cards",
        help="Cards of this loyalty programme have levels, a stored-value balance "
        "and a PIN, and are used at the counter.",
    )
    member_level_ids = fields.One2many(
        "loyalty.card.level", "program_id", string="Levels"
    )
    member_point_value = fields.Monetary(
        string="Value of a Point",
        currency_field="currency_id",
        default=0.01,
        help="What one point pays at the counter. Zero: points cannot pay.",
    )
    member_allow_topup = fields.Boolean(
        string="Top-ups",
        default=True,
        help="Members can top up the balance of their card (stored value).",
    )
    topup_bonus_ids = fields.One2many(
        "loyalty.topup.bonus", "program_id", string="Top-up Bonuses"
    )
    member_card_count = fields.Integer(compute="_compute_member_card_count")
    coupon_bearer = fields.Boolean(
        string="Bearer Coupons",
        help="Whoever presents the code may use a coupon of this programme at the "
        "counter. Otherwise a coupon issued to a customer is used only with that "
        "customer's member card; a coupon issued to nobody is always a bearer "
        "coupon.",
    )

    is_flash = fields.Boolean(
        string="Flash Offer",
        help="A short-lived coupon offer: at its start, every customer of the "
        "audience gets a coupon by email; at its end, the coupons expire.",
    )
    date_flash_start = fields.Datetime(string="Starts")
    date_flash_end = fields.Datetime(string="Ends")
    flash_state = fields.Selection(
        FLASH_STATES,
        string="Flash Status",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    flash_batch_id = fields.Many2one(
        "loyalty.coupon.batch", string="Coupons Sent", readonly=True, copy=False
    )
    flash_sent_count = fields.Integer(
        related="flash_batch_id.coupon_count", string="Customers Reached"
    )
    flash_mail_template_id = fields.Many2one(
        "mail.template",
        string="Email",
        domain="[('model', '=', 'loyalty.card')]",
        default=lambda self: self.env.ref(
            "loyalty_cards.mail_template_flash_offer", raise_if_not_found=False
        ),
        help="Sent to each customer with the coupon when the offer starts.",
    )

    # Accounting, per company: where the counter sessions post.
    stored_value_account_id = fields.Many2one(
        "account.account",
        company_dependent=True,
        domain="[('account_type', '=', 'liability_current')]",
        help="Current liability: what the cards' balances owe the customers. "
        "Top-ups credit it, payments with the balance debit it.",
    )
    counter_income_account_id = fields.Many2one(
        "account.account",
        string="Counter Sales Account",
        company_dependent=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income of the consumptions recorded at the counter, without taxes.",
    )
    counter_tax_ids = fields.Many2many(
        "account.tax",
        "loyalty_program_counter_tax_rel",
        string="Counter Sales Taxes",
        domain="[('type_tax_use', '=', 'sale')]",
        help="Taxes included in the amounts paid at the counter; each company "
        "uses its own taxes of this list.",
    )
    bonus_expense_account_id = fields.Many2one(
        "account.account",
        string="Top-up Bonus Account",
        company_dependent=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense of the bonuses given with top-ups: a bonus adds to the "
        "stored value owed like money paid.",
    )
    points_expense_account_id = fields.Many2one(
        "account.account",
        string="Points Redeemed Account",
        company_dependent=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense of the points that pay at the counter: the programme pays "
        "that part of the sale.",
    )

    _sql_constraints = [
        (
            "member_point_value_not_negative",
            "CHECK (member_point_value IS NULL OR member_point_value >= 0)",
            "The value of a point cannot be negative.",
        ),
    ]

    def _compute_member_card_count(self):
        counts = dict(
            self.env["loyalty.card"]._read_group(
                [("program_id", "in", self.ids)], ["program_id"], ["__count"]
            )
        )
        for program in self:
            program.member_card_count = counts.get(program, 0)

    @api.constrains("is_member_program", "program_type", "is_flash", "company_id")
    def _check_member_program(self):
        for program in self:
            if (program.is_member_program or program.is_flash) and not (
                program.company_id
            ):
                # Balances, points and coupons are a company's debt to its
                # customers, checked against the company's ledger.
                raise ValidationError(
                    self.env._(
                        "Programme %(program)s holds customers' value: give it its "
                        "company.",
                        program=program.name,
                    )
                )
            if program.is_member_program and program.program_type != "loyalty":
                raise ValidationError(
                    self.env._(
                        "Member cards need a programme of type Loyalty Cards "
                        "(%(program)s).",
                        program=program.name,
                    )
                )

    @api.constrains("is_flash", "program_type", "date_flash_start", "date_flash_end")
    def _check_flash(self):
        for program in self.filtered("is_flash"):
            if program.program_type != "coupons":
                raise ValidationError(
                    self.env._(
                        "A flash offer is a programme of type Coupons (%(program)s).",
                        program=program.name,
                    )
                )
            if not (program.date_flash_start and program.date_flash_end):
                raise ValidationError(
                    self.env._("A flash offer needs a start and an end time.")
                )
            hours = (
                program.date_flash_end - program.date_flash_start
            ).total_seconds() / 3600
            if not 0 < hours <= FLASH_MAX_HOURS:
                raise ValidationError(
                    self.env._(
                        "A flash offer lasts from a few minutes to at most "
                        "%(hours)s hours; %(program)s lasts %(actual)s hours.",
                        hours=FLASH_MAX_HOURS,
                        program=program.name,
                        actual=round(hours, 1),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        # Accounts by default, for the programmes' company (or the current
        # one): counter sessions post with them.
        for company in programs.company_id or self.env.company:
            programs.sudo()._accounting_set_defaults(company)
        return programs

    def write(self, vals):
        if not self.env.su and {"flash_state", "flash_batch_id"} & set(vals):
            # The schedule moves them (action_flash_*, the scheduled action).
            raise AccessError(
                self.env._("The status of a flash offer follows its schedule.")
            )
        flash_fields = {"is_flash", "date_flash_start", "date_flash_end"}
        # Ending an offer early (action_flash_end) moves its end with its
        # status, which only the schedule writes.
        ending = vals.get("flash_state") == "expired" and set(vals) & flash_fields <= {
            "date_flash_end"
        }
        if (
            flash_fields & set(vals)
            and not ending
            and any(p.flash_state in ("running", "expired") for p in self)
        ):
            raise UserError(
                self.env._(
                    "A flash offer that has started cannot change its times; "
                    "end it and create another one."
                )
            )
        return super().write(vals)

    # --- audience -------------------------------------------------------------

    def _audience_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    # --- member programmes ----------------------------------------------------

    def _member_check_usable(self):
        """Raise unless this member programme can be used today."""
        for program in self:
            if not program.active:
                raise UserError(
                    self.env._(
                        "Programme %(program)s is archived: its cards cannot be used.",
                        program=program.name,
                    )
                )
            today = fields.Date.context_today(self)
            if (program.date_from and program.date_from > today) or (
                program.date_to and program.date_to < today
            ):
                raise UserError(
                    self.env._(
                        "Programme %(program)s is not valid today.",
                        program=program.name,
                    )
                )

    def _member_default_level(self):
        """The entry level: the lowest (largest rank) of the programme."""
        self.ensure_one()
        return self.member_level_ids.sorted(lambda lvl: (-lvl.rank, lvl.id))[:1]

    def _member_levels_by_tier(self):
        """{customer.tier id: level} of this programme."""
        self.ensure_one()
        return {
            tier.id: level for level in self.member_level_ids for tier in level.tier_ids
        }

    def _member_points_for(self, base_amount, level):
        """Points earned for a purchase of ``base_amount`` at the counter: the
        programme's rules (per order, per unit of money) times the level's
        multiplier. Rules limited to products do not apply at the counter.
        One query, whatever the number of rules."""
        self.ensure_one()
        self.env["loyalty.rule"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r.reward_point_mode, r.reward_point_amount,
                       COALESCE(r.minimum_amount, 0)
                  FROM loyalty_rule r
                 WHERE r.program_id = %s AND r.active
                   AND r.product_category_id IS NULL AND r.product_tag_id IS NULL
                   AND COALESCE(r.product_domain, '[]') = '[]'
                   AND NOT EXISTS (SELECT 1 FROM loyalty_rule_product_product_rel p
                                    WHERE p.loyalty_rule_id = r.id)
                """,
                self.id,
            )
        )
        points = 0.0
        for mode, amount, minimum in rows:
            if base_amount < minimum:
                continue
            if mode == "order":
                points += amount
            elif mode == "money":
                points += amount * base_amount
        multiplier = level.earn_multiplier if level else 1.0
        return float_round(points * multiplier, precision_digits=2)

    def action_member_align_levels(self):
        """Give every card of these programmes the level of its holder's tier."""
        self.check_access("write")
        cards = self.env["loyalty.card"].search(
            [("program_id", "in", self.ids), ("partner_id", "!=", False)]
        )
        moved = cards._member_follow_tiers()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s cards changed level.", count=len(moved)
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_open_member_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_card_member_action"
        )
        action["domain"] = [("program_id", "=", self.id)]
        action["context"] = {"default_program_id": self.id}
        return action

    # --- flash offers ---------------------------------------------------------

    def action_flash_schedule(self):
        """Schedule these flash offers: the scheduled action starts them."""
        self.check_access("write")
        for program in self:
            if not program.is_flash or program.flash_state != "draft":
                raise UserError(self.env._("Only draft flash offers can be scheduled."))
            if program.date_flash_end <= fields.Datetime.now():
                raise UserError(
                    self.env._(
                        "Flash offer %(program)s would end in the past.",
                        program=program.name,
                    )
                )
            if not program._audience_has_criteria():
                raise UserError(
                    self.env._(
                        "Choose the audience of flash offer %(program)s first.",
                        program=program.name,
                    )
                )
        self.sudo().write({"flash_state": "scheduled"})
        cron = self.env.ref(
            "loyalty_cards.ir_cron_flash_offers", raise_if_not_found=False
        )
        if cron:
            for program in self:
                cron.sudo()._trigger(
                    max(program.date_flash_start, fields.Datetime.now())
                )

    def action_flash_cancel(self):
        """Back to draft, unless the offer has already gone out."""
        self.check_access("write")
        if any(p.flash_state != "scheduled" for p in self):
            raise UserError(self.env._("Only scheduled flash offers can be cancelled."))
        self.sudo().write({"flash_state": "draft"})

    def action_flash_end(self):
        """End these running flash offers now."""
        self.check_access("write")
        running = self.filtered(lambda p: p.flash_state == "running")
        now = fields.Datetime.now()
        for program in running.sudo():
            program.write(
                {
                    "date_flash_end": max(
                        min(program.date_flash_end, now), program.date_flash_start
                    ),
                    "flash_state": "expired",
                }
            )

    def _flash_is_live(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        return (
            self.flash_state in ("running", "scheduled")
            and self.date_flash_start <= now < self.date_flash_end
        )

    def _flash_expire(self):
        self.sudo().write({"flash_state": "expired"})

    @api.model
    def _flash_batch_size(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("loyalty_cards.flash_batch_size", 500)
        )

    def _flash_push_batch(self):
        """Send the next batch of this running offer's coupons. Returns the
        numbers of partners done in this batch and still to do. Resumable:
        the audience minus the partners that already have their coupon."""
        self.ensure_one()
        batch = self.flash_batch_id
        if not batch:
            batch = (
                self.env["loyalty.coupon.batch"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Flash offer %(name)s", name=self.name),
                        "program_id": self.id,
                        "expiration_date": fields.Datetime.context_timestamp(
                            self, self.date_flash_end
                        ).date(),
                        "send_email": True,
                        "mail_template_id": self.flash_mail_template_id.id,
                        "audience_description": self._audience_description(),
                    }
                )
            )
            self.sudo().flash_batch_id = batch
        audience = self.sudo()._audience_partner_ids()
        reached = set(batch._partner_ids())
        todo = [pid for pid in audience if pid not in reached]
        chunk = todo[: self._flash_batch_size()]
        if chunk:
            batch._issue_coupons(chunk, 1)
        return len(chunk), len(todo) - len(chunk)

    @api.model
    def _cron_flash_offers(self):
        """Scheduled action: expire the flash offers that ended, start those
        whose time has come and send one batch of coupons (the scheduler
        commits each call and calls again while progress says work remains),
        and wake up again for the next start or end."""
        now = fields.Datetime.now()
        offers = self.sudo().search(
            [("is_flash", "=", True), ("flash_state", "in", ("scheduled", "running"))],
            order="date_flash_start, id",
        )
        offers.filtered(lambda p: p.date_flash_end <= now)._flash_expire()
        due = offers.filtered(lambda p: p.date_flash_start <= now < p.date_flash_end)
        due.filtered(lambda p: p.flash_state == "scheduled").write(
            {"flash_state": "running"}
        )
        done = remaining = 0
        for index, program in enumerate(due):
            # One offer that fails (bad data) is logged and skipped: the other
            # offers still start, send and expire.
            pushed = jobs.run_isolated(
                self.env,
                [program],
                lambda programs: [programs[0]._flash_push_batch()],
                lambda program: f"Flash offer {program.name} (id {program.id})",
                _logger,
            )
            done, remaining = pushed[0] if pushed else (0, 0)
            if done:
                # Offers not looked at in this call: the scheduler calls again.
                remaining += len(due) - index - 1
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        cron = self.env.ref(
            "loyalty_cards.ir_cron_flash_offers", raise_if_not_found=False
        )
        if cron:
            for program in offers.filtered(lambda p: p.date_flash_end > now):
                moment = (
                    program.date_flash_start
                    if program.date_flash_start > now
                    else program.date_flash_end
                )
                cron.sudo()._trigger(moment + timedelta(seconds=1))
        return done, remaining

    # --- accounting -----------------------------------------------------------

    @api.model
    def _accounting_setup_all(self):
        """``_accounting_setup`` of every company (at install)."""
        for company in self.env["res.company"].sudo().search([]):
            self._accounting_setup(company)

    @api.model
    def _accounting_setup(self, company):
        """The company's counter payment methods, its counter journal and the
        default accounts of its programmes; run at install, when a chart of
        accounts is loaded and when a programme is created. Without a chart
        it leaves the accounts and the journal empty (the closing of a
        session then says what is missing)."""
        self = self.sudo()
        self.env["loyalty.payment.method"]._setup_company(company)
        self.env["account.journal"]._loyalty_counter_journal_setup(company)
        programs = self.with_context(active_test=False).search(
            [("company_id", "in", (company.id, False))]
        )
        programs._accounting_set_defaults(company)
        self.env["account.journal"]._loyalty_setup_member_card_journal(company)

    def _accounting_set_defaults(self, company):
        """Fill the empty accounts and taxes of these programmes for ``company``
        from its chart of accounts."""
        Account = self.env["account.account"].with_company(company)
        if not Account.search_count([*Account._check_company_domain(company)], limit=1):
            return
        Journal = self.env["account.journal"]
        company_domain = [("company_id", "=", company.id)]
        income = Journal.search(
            [*company_domain, ("type", "=", "sale")], limit=1
        ).default_account_id or Account.search(
            [*Account._check_company_domain(company), ("account_type", "=", "income")],
            limit=1,
        )
        # Chinese charts book bonuses and points as 6601 销售费用 (sales
        # expenses), not as the cost of goods sold of the purchase journal.
        selling = company.chart_template in ("cn", "cn_large_bis") and Account.search(
            [
                *Account._check_company_domain(company),
                ("code", "=like", "6601%"),
                ("account_type", "=", "expense"),
            ],
            order="code",
            limit=1,
        )
        expense = (
            selling
            or Journal.search(
                [*company_domain, ("type", "=", "purchase")], limit=1
            ).default_account_id
            or Account.search(
                [
                    *Account._check_company_domain(company),
                    ("account_type", "=", "expense"),
                ],
                limit=1,
            )
        )
        defaults = {
            "stored_value_account_id": self._accounting_stored_value_account(company),
            "counter_income_account_id": income,
            "bonus_expense_account_id": expense,
            "points_expense_account_id": expense,
        }
        for program in self.with_company(company):
            values = {
                name: account.id
                for name, account in defaults.items()
                if account and not program[name]
            }
            tax = company.account_sale_tax_id
            if tax and not program.counter_tax_ids.filtered(
                lambda t: t.company_id == company
            ):
                values["counter_tax_ids"] = [fields.Command.link(tax.id)]
            if values:
                program.write(values)

    @api.model
    def _accounting_stored_value_account(self, company):
        """The company's "Member card stored value" account (a current
        liability), created beside its other current liabilities at first use."""
        Account = self.env["account.account"].with_company(company)
        domain = [
            *Account._check_company_domain(company),
            ("account_type", "=", "liability_current"),
        ]
        account = Account.with_context(lang="en_US").search(
            [*domain, ("name", "=", "Member card stored value")], limit=1
        )
        if account:
            return account
        # Chinese charts: beside 2203 预收账款 (advances from customers), where
        # bookkeepers keep members' prepaid value; elsewhere after the last
        # current liability.
        beside = company.chart_template in ("cn", "cn_large_bis") and Account.search(
            [*Account._check_company_domain(company), ("code", "=like", "2203%")],
            order="code",
            limit=1,
        )
        beside = beside or Account.search(domain, order="code desc", limit=1)
        if not beside:
            return account
        account = Account.create(
            {
                "name": "Member card stored value",
                "code": Account._search_new_account_code(beside.code),
                "account_type": "liability_current",
                "company_ids": [fields.Command.set(company.ids)],
            }
        )
        account.update_field_translations(
            "name",
            {
                lang: self.with_context(lang=lang).env._("Member card stored value")
                for lang, _label in self.env["res.lang"].get_installed()
            },
        )
        return account
