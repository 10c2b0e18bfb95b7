import logging
from collections import defaultdict

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero

from odoo.addons.customer_tiering.tools import jobs

_logger = logging.getLogger(__name__)

# Sessions closed per batch (and commit) of the nightly closing.
CLOSE_BATCH = 50
# The nightly closing's progress: "<day>:<last session id tried>".
CLOSE_CURSOR = "loyalty_cards.session_close_cursor"


class LoyaltyCounterSession(models.Model):
    """A cashier's counter operations at a company, from the first one to
    the closing: the consumptions and top-ups it gathers become ONE journal
    entry when it is closed, as a Point of Sale session does.

    A session opens by itself with the cashier's first operation (one open
    session per cashier and company); it is closed by its cashier or a
    manager (``action_close``), or at night by the scheduled action, and is
    never reopened. Nothing else writes a session."""

    _name = "loyalty.counter.session"
    _inherit = ["mail.thread"]
    _description = "Counter Session"
    _order = "date_open desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, default="/")
    user_id = fields.Many2one(
        "res.users", string="Cashier", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed and Posted")],
        string="Status",
        required=True,
        readonly=True,
        default="open",
        tracking=True,
    )
    date_open = fields.Datetime(
        string="Opened", required=True, readonly=True, default=fields.Datetime.now
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    consumption_ids = fields.One2many(
        "loyalty.consumption", "session_id", string="Consumptions", readonly=True
    )
    topup_ids = fields.One2many(
        "loyalty.topup", "session_id", string="Top-ups", readonly=True
    )
    refund_ids = fields.One2many(
        "loyalty.card.refund", "session_id", string="Refunds", readonly=True
    )
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False
    )
    consumption_count = fields.Integer(compute="_compute_totals")
    topup_count = fields.Integer(string="Top-up Count", compute="_compute_totals")
    topup_total = fields.Monetary(string="Top-ups Paid", compute="_compute_totals")
    bonus_total = fields.Monetary(string="Top-up Bonuses", compute="_compute_totals")
    sales_total = fields.Monetary(
        string="Sales",
        compute="_compute_totals",
        help="Consumptions after discounts, taxes included.",
    )
    balance_used_total = fields.Monetary(
        string="Paid with Balance", compute="_compute_totals"
    )
    points_value_total = fields.Monetary(
        string="Paid with Points", compute="_compute_totals"
    )
    cash_expected = fields.Monetary(
        compute="_compute_totals",
        help="Cash received by this session: top-ups and consumptions paid in cash, "
        "less refunds paid back in cash.",
    )
    refund_count = fields.Integer(compute="_compute_totals")
    refund_total = fields.Monetary(
        string="Refunds Paid Back",
        compute="_compute_totals",
        help="Unused balance paid back to members.",
    )
    refund_bonus_total = fields.Monetary(
        string="Bonus Taken Back",
        compute="_compute_totals",
        help="Unused bonus taken off the cards by refunds (not paid back).",
    )
    cash_counted = fields.Monetary(readonly=True)
    cash_difference = fields.Monetary(
        readonly=True,
        help="Cash counted at the closing less cash expected; booked to the "
        "cash journal's profit or loss account.",
    )

    def init(self):
        res = super().init()
        # One open session per cashier and company, whatever the concurrency.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_counter_session_open_uniq
                ON loyalty_counter_session (user_id, company_id)
             WHERE state = 'open'
            """
        )
        return res

    @api.depends(
        "consumption_ids.net_amount",
        "consumption_ids.amount_due",
        "consumption_ids.payment_method_id",
        "topup_ids.amount",
        "topup_ids.bonus",
        "topup_ids.payment_method_id",
        "refund_ids.amount_paid",
        "refund_ids.bonus_taken",
        "refund_ids.payment_method_id",
    )
    def _compute_totals(self):
        for session in self:
            consumptions, topups = session.consumption_ids, session.topup_ids
            session.consumption_count = len(consumptions)
            session.topup_count = len(topups)
            session.topup_total = sum(topups.mapped("amount"))
            session.bonus_total = sum(topups.mapped("bonus"))
            session.sales_total = sum(consumptions.mapped("net_amount"))
            session.balance_used_total = sum(consumptions.mapped("balance_used"))
            session.points_value_total = sum(consumptions.mapped("points_value"))
            session.cash_expected = sum(
                topups.filtered("payment_method_id.is_cash").mapped("amount")
            ) + sum(
                consumptions.filtered("payment_method_id.is_cash").mapped("amount_due")
            )
            # Refunds: money paid back, and the cash among it leaves the till.
            refunds = session.refund_ids
            session.refund_count = len(refunds)
            session.refund_total = sum(refunds.mapped("amount_paid"))
            session.refund_bonus_total = sum(refunds.mapped("bonus_taken"))
            session.cash_expected -= sum(
                refunds.filtered("payment_method_id.is_cash").mapped("amount_paid")
            )

    def write(self, vals):
        # Only the closing, as superuser, writes a session (whatever the
        # context an RPC client sends).
        if not (self.env.su and self.env.context.get("loyalty_session_closing")):
            raise UserError(self.env._("A counter session changes only by closing it."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A counter session cannot be deleted."))

    # --- actions --------------------------------------------------------------

    def action_close(self, cash_counted=None):
        """Close these open sessions: post each one's journal entry (with the
        cash difference when ``cash_counted`` is given) and never reopen them.
        Their cashier or a manager may close them; two closings at once post
        once, the other one gets an error."""
        cash_counted = self._close_check_cash(cash_counted)
        self._close_check_access()
        self._close_lock()
        for session in self:
            session.sudo()._close(cash_counted)
        return True

    def action_open_close_wizard(self):
        """The closing dialog, where the cash counted may be entered."""
        self.ensure_one()
        self._close_check_access()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close %(session)s", session=self.name),
            "res_model": "loyalty.counter.session.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    # --- opening --------------------------------------------------------------

    @api.model
    def _for_operation(self, user, company, currency):
        """The open session of ``user`` at ``company`` that a new operation
        joins, opened now when there is none. The session is locked shared
        until the operation commits: a closing cannot start meanwhile, and an
        operation that meets a closing fails and is retried (in a new
        session)."""
        # One query, at every counter operation: the company's currency, and
        # its open session of the cashier, locked shared until the operation
        # commits. Odoo's transactions are REPEATABLE READ, so a session that
        # a concurrent transaction closed since this one began makes the lock
        # fail with a serialization error, and the request is retried (and
        # opens a new session).
        self.flush_model(["user_id", "company_id", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT c.currency_id,
                       (SELECT s.id FROM loyalty_counter_session s
                         WHERE s.user_id = %(user)s AND s.company_id = c.id
                           AND s.state = 'open'
                           FOR SHARE)
                  FROM res_company c
                 WHERE c.id = %(company)s
                """,
                user=user.id,
                company=company.id,
            )
        )
        if not rows:
            raise UserError(self.env._("This company does not exist."))
        company_currency_id, session_id = rows[0]
        if currency and currency.id != company_currency_id:
            raise UserError(
                self.env._(
                    "This card counts in %(currency)s but %(company)s keeps its "
                    "books in %(company_currency)s: counter operations in another "
                    "currency cannot be booked.",
                    currency=currency.name,
                    company=company.name,
                    company_currency=company.currency_id.name,
                )
            )
        if session_id:
            return self.sudo().browse(session_id)
        # A new session is invisible to others until this transaction commits:
        # nothing can close it meanwhile.
        return self.sudo()._open(user, company)

    @api.model
    def _open(self, user, company):
        # The ORM's INSERT cannot say ON CONFLICT: with it, the second of two
        # first operations at once fails with a serialization error (and its
        # request is retried, finding the session) instead of a second one.
        now = fields.Datetime.now()
        name = (
            self.env["ir.sequence"]
            .sudo()
            .with_company(company)
            .next_by_code("loyalty.counter.session")
            or "/"
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO loyalty_counter_session
                       (name, user_id, company_id, state, date_open,
                        create_uid, create_date, write_uid, write_date)
                VALUES (%(name)s, %(user)s, %(company)s, 'open', %(now)s,
                        %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT (user_id, company_id) WHERE state = 'open' DO NOTHING
                RETURNING id
                """,
                name=name,
                user=user.id,
                company=company.id,
                now=now,
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            raise UserError(
                self.env._("A counter session was opened meanwhile: try again.")
            )
        return self.browse(row[0])

    # --- closing --------------------------------------------------------------

    @api.model
    def _close_check_cash(self, cash_counted):
        if cash_counted is None or cash_counted is False:
            return None
        return self.env["loyalty.card"]._loyalty_amount(
            cash_counted, self.env._("The cash counted"), allow_zero=True
        )

    def _close_check_access(self):
        """Only the sessions' cashier or a loyalty manager closes them."""
        if not self:
            raise UserError(self.env._("Choose the session to close."))
        self.check_access("read")
        if not self.env.su and not self.env.user.has_group(
            "loyalty_cards.group_loyalty_manager"
        ):
            if self.filtered(lambda s: s.user_id != self.env.user):
                raise AccessError(
                    self.env._("Only its cashier or a manager closes a session.")
                )

    def _close_lock(self):
        """Lock the sessions for their closing; a closing or an operation in
        progress makes this one fail at once with a clear error."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM loyalty_counter_session "
                        "WHERE id IN %s FOR UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "This session is being closed, or an operation is being "
                    "recorded in it: try again in a moment."
                )
            ) from None
        self.invalidate_recordset(["state"])
        for session in self:
            if session.state != "open":
                raise UserError(
                    self.env._(
                        "Session %(session)s is already closed.", session=session.name
                    )
                )

    def _close(self, cash_counted=None):
        """Post the entry of this locked open session and close it."""
        self.ensure_one()
        lines = self._close_move_lines(cash_counted)
        move = self.env["account.move"]
        if lines:
            move = (
                self.env["account.move"]
                .with_company(self.company_id)
                .with_context(skip_invoice_sync=True)
                .create(
                    {
                        "move_type": "entry",
                        "journal_id": self._close_journal().id,
                        "date": fields.Date.context_today(self),
                        "ref": self.name,
                        "line_ids": [fields.Command.create(line) for line in lines],
                    }
                )
            )
            move._post()
        self.with_context(loyalty_session_closing=True).write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "move_id": move.id,
                "cash_counted": cash_counted or 0.0,
                "cash_difference": self._close_cash_difference(cash_counted),
            }
        )

    def _close_journal(self):
        """The company's counter journal (Member Card Counter), made by the
        accounting setup with its chart of accounts."""
        company = self.company_id
        journal = company.loyalty_counter_journal_id or self.env[
            "account.journal"
        ]._loyalty_counter_journal_setup(company)
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no chart of accounts: install it before "
                    "closing counter sessions.",
                    company=company.name,
                )
            )
        return journal

    def _close_cash_difference(self, cash_counted):
        if cash_counted is None:
            return 0.0
        return self.currency_id.round(cash_counted - self.cash_expected)

    def _close_account(self, program, field):
        """The account ``field`` of ``program`` for this session's company,
        or a clear error naming what to configure."""
        account = program.with_company(self.company_id)[field]
        if not account:
            raise UserError(
                self.env._(
                    "Set the %(account)s of programme %(program)s (tab Accounting) "
                    "to close session %(session)s.",
                    account=program._fields[field].get_description(self.env)["string"],
                    program=program.name,
                    session=self.name,
                )
            )
        return account

    def _close_method_account(self, method):
        account = method.journal_id.default_account_id
        if not account:
            raise UserError(
                self.env._(
                    "Give payment method %(method)s a cash or bank journal with an "
                    "account to close session %(session)s.",
                    method=method.name,
                    session=self.name,
                )
            )
        return account

    def _close_move_lines(self, cash_counted):
        """The lines of the session's entry, one per account, tax and payment
        method (see readme/USAGE.md for the bookings)."""
        currency = self.currency_id
        # key -> [balance (debit positive), tax base, values of the line]
        totals = defaultdict(lambda: [0.0, 0.0, {}])

        def book(key, amount, base=0.0, **values):
            if not float_is_zero(amount, precision_rounding=currency.rounding):
                total = totals[key]
                total[0] += amount
                total[1] += base
                total[2].update(values)

        for method, methods_topups in self.topup_ids.grouped(
            "payment_method_id"
        ).items():
            book(
                ("method", method.id),
                sum(methods_topups.mapped("amount")),
                name=self.env._("%(method)s payments", method=method.name),
                account_id=self._close_method_account(method).id,
            )
        for program, topups in self.topup_ids.grouped("program_id").items():
            stored_value = self._close_account(program, "stored_value_account_id")
            paid, bonus = sum(topups.mapped("amount")), sum(topups.mapped("bonus"))
            book(
                ("stored_value", stored_value.id, program.id),
                -(paid + bonus),
                name=self.env._("Member card stored value"),
                account_id=stored_value.id,
                loyalty_program_id=program.id,
            )
            if not float_is_zero(bonus, precision_rounding=currency.rounding):
                account = self._close_account(program, "bonus_expense_account_id")
                book(
                    ("bonus", account.id),
                    bonus,
                    name=self.env._("Top-up bonuses"),
                    account_id=account.id,
                )
        self._close_consumptions_lines(self.consumption_ids, book)
        self._close_refund_lines(book)
        for reversal in self.reversal_ids:
            self._close_reversal_lines(reversal, book)
        difference = self._close_cash_difference(cash_counted)
        if not float_is_zero(difference, precision_rounding=currency.rounding):
            journal = self._close_cash_journal()
            cash_account = self._close_method_account_of_journal(journal)
            other = (
                journal.profit_account_id if difference > 0 else journal.loss_account_id
            )
            if not other:
                raise UserError(
                    self.env._(
                        "Give the cash journal %(journal)s its profit and loss "
                        "accounts to book the cash difference.",
                        journal=journal.name,
                    )
                )
            label = self.env._("Cash difference at closing")
            book(
                ("cash_difference", cash_account.id),
                difference,
                name=label,
                account_id=cash_account.id,
            )
            book(
                ("cash_difference", other.id),
                -difference,
                name=label,
                account_id=other.id,
            )
        lines = []
        for balance, base, values in totals.values():
            balance = currency.round(balance)
            if currency.is_zero(balance):
                continue
            if values.get("display_type") == "tax":
                values["tax_base_amount"] = currency.round(abs(base))
            lines.append(
                {
                    **values,
                    "debit": balance if balance > 0 else 0.0,
                    "credit": -balance if balance < 0 else 0.0,
                }
            )
        total = sum(line["debit"] - line["credit"] for line in lines)
        if float_compare(total, 0.0, precision_rounding=currency.rounding):
            raise UserError(
                self.env._(
                    "The entry of session %(session)s does not balance (%(total)s).",
                    session=self.name,
                    total=total,
                )
            )
        return lines

    def _close_consumptions_lines(self, consumptions, book):
        """Book these consumptions as ``_close_consumption_lines`` books each
        of them, set-based: the payments summed by programme and payment
        method, the sale and its taxes computed once per programme and net
        amount (each consumption's taxes rounded as its own), so that the
        entry's figures are those of one booking per consumption."""
        if not consumptions:
            return
        Consumption = self.env["loyalty.consumption"].sudo()
        domain = [("id", "in", consumptions.ids)]
        for program, net, count in Consumption._read_group(
            domain, ["program_id", "net_amount"], ["__count"]
        ):
            self._close_sale_lines(program, net, book, count)
        for program, balance_used, points_value in Consumption._read_group(
            domain, ["program_id"], ["balance_used:sum", "points_value:sum"]
        ):
            self._close_paid_lines(program, balance_used, points_value, book)
        for method, amount_due in Consumption._read_group(
            [*domain, ("amount_due", ">", 0)],
            ["payment_method_id"],
            ["amount_due:sum"],
        ):
            if not method:
                consumption = Consumption.search(
                    [
                        *domain,
                        ("amount_due", ">", 0),
                        ("payment_method_id", "=", False),
                    ],
                    limit=1,
                )
                self._close_check_method(consumption)
            self._close_method_lines(method, amount_due, book)

    def _close_consumption_lines(self, consumption, book):
        """Book one consumption: the sale (income and taxes, taxes included
        in the price paid) against what paid it (balance, points, a payment
        method)."""
        program = consumption.program_id
        self._close_sale_lines(program, consumption.net_amount, book)
        self._close_paid_lines(
            program, consumption.balance_used, consumption.points_value, book
        )
        if consumption.amount_due:
            self._close_check_method(consumption)
            self._close_method_lines(
                consumption.payment_method_id, consumption.amount_due, book
            )

    def _close_sale_lines(self, program, net, book, count=1):
        """Book ``count`` sales of ``net`` (taxes included) in ``program``:
        the income and the taxes of one, ``count`` times."""
        company = self.company_id
        income = self._close_account(program, "counter_income_account_id")
        taxes = program.counter_tax_ids.filtered(lambda t: t.company_id == company)
        if taxes:
            result = taxes.with_context(force_price_include=True).compute_all(
                net, currency=self.currency_id
            )
            untaxed, tax_values, base_tags = (
                result["total_excluded"],
                result["taxes"],
                result["base_tags"],
            )
        else:
            untaxed, tax_values, base_tags = net, [], []
        book(
            ("income", income.id, tuple(taxes.ids), tuple(base_tags)),
            -untaxed * count,
            name=self.env._("Counter sales"),
            account_id=income.id,
            tax_ids=[fields.Command.set(taxes.ids)],
            tax_tag_ids=[fields.Command.set(base_tags)],
        )
        for tax in tax_values:
            account_id = tax["account_id"] or income.id
            key = (
                "tax",
                account_id,
                tax["tax_repartition_line_id"],
                tuple(tax["tag_ids"]),
            )
            book(
                key,
                -tax["amount"] * count,
                base=tax["base"] * count,
                name=tax["name"],
                account_id=account_id,
                tax_repartition_line_id=tax["tax_repartition_line_id"],
                tax_tag_ids=[fields.Command.set(tax["tag_ids"])],
                display_type="tax",
            )

    def _close_paid_lines(self, program, balance_used, points_value, book):
        """Book what the balance and the points of ``program`` paid."""
        if balance_used:
            account = self._close_account(program, "stored_value_account_id")
            book(
                ("stored_value", account.id, program.id),
                balance_used,
                name=self.env._("Member card stored value"),
                account_id=account.id,
                loyalty_program_id=program.id,
            )
        if points_value:
            account = self._close_account(program, "points_expense_account_id")
            book(
                ("points", account.id),
                points_value,
                name=self.env._("Points redeemed"),
                account_id=account.id,
            )

    def _close_check_method(self, consumption):
        if not consumption.payment_method_id:
            raise UserError(
                self.env._(
                    "Consumption %(ref)s has no payment method.",
                    ref=consumption.name,
                )
            )

    def _close_method_lines(self, method, amount, book):
        """Book ``amount`` received by payment ``method``."""
        book(
            ("method", method.id),
            amount,
            name=self.env._("%(method)s payments", method=method.name),
            account_id=self._close_method_account(method).id,
        )

    def _close_refund_lines(self, book):
        """Book the session's refunds: the stored value owed falls by the
        balance removed; the money paid back leaves by its payment method and
        the bonus taken back reverses the bonus expense."""
        currency = self.currency_id
        for method, refunds in self.refund_ids.grouped("payment_method_id").items():
            book(
                ("method", method.id),
                -sum(refunds.mapped("amount_paid")),
                name=self.env._("%(method)s payments", method=method.name),
                account_id=self._close_method_account(method).id,
            )
        for program, refunds in self.refund_ids.grouped("program_id").items():
            stored_value = self._close_account(program, "stored_value_account_id")
            paid = sum(refunds.mapped("amount_paid"))
            bonus = sum(refunds.mapped("bonus_taken"))
            book(
                ("stored_value", stored_value.id, program.id),
                paid + bonus,
                name=self.env._("Member card stored value"),
                account_id=stored_value.id,
                loyalty_program_id=program.id,
            )
            if not float_is_zero(bonus, precision_rounding=currency.rounding):
                account = self._close_account(program, "bonus_expense_account_id")
                book(
                    ("bonus", account.id),
                    -bonus,
                    name=self.env._("Top-up bonuses"),
                    account_id=account.id,
                )

    def _close_cash_journal(self):
        """The cash journal that counts the cash of this session: the one of
        the cash payment methods it used (or the company's first)."""
        methods = (
            self.topup_ids.payment_method_id
            | self.consumption_ids.payment_method_id
            | self.refund_ids.payment_method_id
        ).filtered("is_cash") or self.env["loyalty.payment.method"].search(
            [("company_id", "=", self.company_id.id)]
        ).filtered("is_cash")
        journals = methods.journal_id
        if len(journals) != 1:
            raise UserError(
                self.env._(
                    "The cash counted must belong to exactly one cash journal; "
                    "session %(session)s has %(count)s.",
                    session=self.name,
                    count=len(journals),
                )
            )
        return journals

    def _close_method_account_of_journal(self, journal):
        if not journal.default_account_id:
            raise UserError(
                self.env._(
                    "The cash journal %(journal)s has no account.", journal=journal.name
                )
            )
        return journal.default_account_id

    # --- scheduled action -----------------------------------------------------

    @api.model
    def _cron_close(self, batch_size=None):
        """Nightly: close one batch of the sessions left open (without cash
        counted), in id order after the night's cursor; the scheduler commits
        it and calls again while sessions remain after the cursor. A session
        that cannot be closed is logged (by name, once a night) and stays
        open until the next night, the others are closed: the cursor moves
        past the sessions tried, failed ones included, so that failing
        sessions never hold back those behind them.

        :return: (sessions tried in this call, open sessions after them)
        """
        batch_size = batch_size or CLOSE_BATCH
        Session = self.sudo()
        Param = self.env["ir.config_parameter"].sudo()
        today = str(fields.Date.context_today(self))
        day, _sep, last = (Param.get_param(CLOSE_CURSOR) or "").partition(":")
        last_id = int(last) if day == today and last.isdigit() else 0
        domain = [("state", "=", "open")]
        batch = Session.search(
            [*domain, ("id", ">", last_id)], order="id", limit=batch_size
        )
        if not batch:
            Param.set_param(CLOSE_CURSOR, False)
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return 0, 0
        jobs.run_isolated(
            self.env,
            list(batch),
            lambda items: self._cron_close_batch(items),
            lambda session: f"Closing counter session {session.name}",
            _logger,
        )
        remaining = Session.search_count([*domain, ("id", ">", batch[-1].id)])
        # Past the end, the cursor is forgotten: the next night starts over.
        Param.set_param(CLOSE_CURSOR, f"{today}:{batch[-1].id}" if remaining else False)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return len(batch), remaining

    @api.model
    def _cron_close_batch(self, sessions):
        sessions = self.browse().union(*sessions)
        sessions._close_lock()
        for session in sessions:
            session._close()
        return sessions.ids
