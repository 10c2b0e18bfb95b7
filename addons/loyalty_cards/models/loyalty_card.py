import base64
import logging
import math
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round, format_datetime

from odoo.addons.customer_tiering.tools.validation import valid_id

from ..tools import codes
from ..tools import qr_code as qr_tools

_logger = logging.getLogger(__name__)

MEMBER_STATUSES = [
    ("active", "Active"),
    ("locked", "Locked (PIN)"),
    ("expired", "Expired"),
    ("closed", "Closed"),
]
# An amount sent as text: digits, with a dot for decimals.
DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Largest amount of money or points one operation may move.
MAX_AMOUNT = 10_000_000
# Written by the flows (issue, redemption) only.
INTERNAL_FIELDS = {
    "date_used",
    "coupon_batch_id",
    "issue_tier_id",
    "issue_level_id",
}
# On member cards and issued coupons, for managers only.
MANAGER_FIELDS = {"level_id", "partner_id", "program_id", "code"}


class LoyaltyCard(models.Model):
    """Member cards and coupons, on Odoo's loyalty cards.

    Member cards (cards of a member programme) add a level, a stored-value
    balance kept apart from the points, a PIN and a status. Their points and
    balance, like those of the coupons issued in batches, move only through
    the ledger (``loyalty.history._ledger_post``): a conditional update in
    SQL guarded by CHECK constraints, and a ledger row in the same
    transaction. Writing ``points`` through the ORM (as Odoo's own flows do)
    turns into such a movement.

    The PIN is not a field of the card: its salted HMAC lives in
    ``loyalty.card.pin``, on which nobody has access rights, reached only
    by the ``_pin_*`` methods below.
    """

    _inherit = "loyalty.card"

    level_id = fields.Many2one(
        "loyalty.card.level",
        index="btree_not_null",
        tracking=True,
        domain="[('program_id', '=', program_id)]",
    )
    is_member_card = fields.Boolean(
        related="program_id.is_member_program", store=True, string="Member Card"
    )
    ledger_guarded = fields.Boolean(
        string="Protected Value",
        compute="_compute_ledger_guarded",
        store=True,
        help="Points and balance move only through the ledger and never go below zero.",
    )
    balance = fields.Monetary(
        currency_field="currency_id",
        default=0.0,
        readonly=True,
        copy=False,
        help="Stored value (money topped up), kept apart from the points.",
    )
    member_number = fields.Char(
        compute="_compute_member_number",
        help="The card's code, as printed and shown; it is what the QR code holds.",
    )
    member_qr = fields.Binary(string="QR Code", compute="_compute_member_qr")
    member_status = fields.Selection(
        MEMBER_STATUSES, string="Status", compute="_compute_member_status"
    )
    pin_set = fields.Boolean(string="PIN Set", compute="_compute_pin_state")
    pin_failed_count = fields.Integer(
        string="Wrong PINs in a Row", compute="_compute_pin_state"
    )
    date_pin_locked_until = fields.Datetime(
        string="PIN Locked Until", compute="_compute_pin_state"
    )
    pin_locked = fields.Boolean(string="PIN Locked", compute="_compute_pin_state")
    consumption_ids = fields.One2many("loyalty.consumption", "card_id")
    consumption_count = fields.Integer(compute="_compute_consumption_count")
    ledger_ids = fields.One2many(
        "loyalty.history",
        "card_id",
        domain=[("account", "!=", False)],
        readonly=True,
    )

    coupon_batch_id = fields.Many2one(
        "loyalty.coupon.batch",
        string="Issuing Batch",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
    )
    issue_tier_id = fields.Many2one(
        "customer.tier",
        string="Tier at Issue",
        readonly=True,
        help="The customer's tier when the coupon was issued.",
    )
    issue_level_id = fields.Many2one(
        "loyalty.card.level",
        string="Card Level at Issue",
        readonly=True,
        help="The level of the customer's member card when the coupon was issued.",
    )
    date_used = fields.Datetime(string="Used On", readonly=True, copy=False)

    _sql_constraints = [
        (
            "balance_not_negative",
            "CHECK (balance >= 0)",
            "The balance of a card cannot go below zero.",
        ),
        (
            "guarded_points_not_negative",
            "CHECK (points >= 0 OR ledger_guarded IS NOT TRUE)",
            "The points of a member card or coupon cannot go below zero.",
        ),
    ]

    def init(self):
        res = super().init()
        cr = self.env.cr
        # One active member card per customer and programme.
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_card_member_partner_uniq
                ON loyalty_card (program_id, partner_id)
             WHERE is_member_card AND active AND partner_id IS NOT NULL
            """
        )
        return res

    # --- computes -------------------------------------------------------------

    @api.model
    def _generate_code(self):
        """80 random bits in an unambiguous alphabet (Odoo's own codes carry
        32 random bits)."""
        return codes.generate_code()

    @api.depends("is_member_card", "coupon_batch_id")
    def _compute_ledger_guarded(self):
        for card in self:
            card.ledger_guarded = card.is_member_card or bool(card.coupon_batch_id)

    @api.depends("code")
    def _compute_member_number(self):
        for card in self:
            card.member_number = codes.format_code(card.code)

    @api.depends("code")
    def _compute_member_qr(self):
        for card in self:
            png = card.code and qr_tools.qr_png(self.env, card.code)
            card.member_qr = base64.b64encode(png) if png else False

    @api.depends("program_id", "code", "partner_id")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        for card in self.filtered("is_member_card"):
            name = card.partner_id.name or card.program_id.name
            card.display_name = f"{name} ({card.member_number})"
        return res

    @api.depends("active", "program_id.active", "expiration_date")
    def _compute_member_status(self):
        today = fields.Date.context_today(self)
        for card in self:
            if not card.active or not card.program_id.active:
                card.member_status = "closed"
            elif card.expiration_date and card.expiration_date < today:
                card.member_status = "expired"
            elif card.pin_locked:
                card.member_status = "locked"
            else:
                card.member_status = "active"

    def _compute_pin_state(self):
        states = self.env["loyalty.card.pin"].sudo()._states(self)
        now = fields.Datetime.now()
        for card in self:
            has_pin, failed, locked_until = states.get(card.id, (False, 0, None))
            card.pin_set = has_pin
            card.pin_failed_count = failed
            card.date_pin_locked_until = locked_until
            card.pin_locked = bool(locked_until and locked_until > now)

    def _compute_consumption_count(self):
        counts = dict(
            self.env["loyalty.consumption"]._read_group(
                [("card_id", "in", self.ids)], ["card_id"], ["__count"]
            )
        )
        for card in self:
            card.consumption_count = counts.get(card, 0)

    # --- CRUD -----------------------------------------------------------------

    @api.onchange("expiration_date")
    def _restrict_expiration_on_loyalty(self):
        # Member cards may expire (Odoo forbids it for loyalty cards).
        return super(
            LoyaltyCard, self.filtered(lambda c: not c.program_id.is_member_program)
        )._restrict_expiration_on_loyalty()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_create_rights(vals_list)
        Program = self.env["loyalty.program"]
        openings = []
        for vals in vals_list:
            program = Program.browse(
                vals.get("program_id") or self.env.context.get("default_program_id")
            )
            if not program.is_member_program:
                continue
            if not vals.get("level_id"):
                partner = self.env["res.partner"].browse(vals.get("partner_id"))
                vals["level_id"] = self._member_level_for(program, partner).id
            # Opening values (Odoo's own flows, data files) go through the
            # ledger like any movement.
            openings.append((vals, vals.pop("points", 0.0), vals.pop("balance", 0.0)))
            vals.update(points=0.0, balance=0.0)
        if any(vals.get("balance") for vals in vals_list):
            raise UserError(self.env._("The balance of a card is set by top-ups only."))
        cards = super().create(vals_list)
        entries = []
        by_vals = {id(vals): card for vals, card in zip(vals_list, cards, strict=True)}
        for vals, points, balance in openings:
            card = by_vals[id(vals)]
            for account, value in (("points", points), ("balance", balance)):
                if value:
                    entries.append(
                        {
                            "card": card.id,
                            "account": account,
                            "delta": self._loyalty_amount(value, account),
                            "kind": "opening",
                            "description": self.env._("Opening value"),
                            "source": card,
                        }
                    )
        if entries:
            self.env["loyalty.history"]._ledger_post(entries)
        return cards

    @api.model
    def _check_create_rights(self, vals_list):
        """Who may create which card, checked before anything is written.

        Cashiers enrol members: a new member card, empty, at the level of
        the holder's tier. Coupons and cards of other programmes are issued
        by managers (coupon batches, flash offers, Odoo's generator). A new
        member card starts empty for everyone: its balance comes from paid
        top-ups, and an opening value is a manager's adjustment, with its
        reason."""
        is_manager = self.env.user.has_group("loyalty_cards.group_loyalty_manager")
        Program = self.env["loyalty.program"]
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise UserError(self.env._("Nothing to create."))
            if set(vals) & INTERNAL_FIELDS:
                raise AccessError(
                    self.env._("These fields are written by the loyalty flows only.")
                )
            program_id = vals.get("program_id") or self.env.context.get(
                "default_program_id"
            )
            program = Program.browse(valid_id(program_id)).exists()
            if not program:
                raise UserError(self.env._("Choose the programme of the card."))
            if program.is_member_program:
                for account in ("points", "balance"):
                    if self._loyalty_amount(vals.get(account) or 0, account, True):
                        raise UserError(
                            self.env._(
                                "A new member card starts empty: its balance comes "
                                "from top-ups, and an opening value is given by a "
                                "manager's adjustment, with its reason."
                            )
                        )
            if is_manager:
                continue
            if not program.is_member_program:
                raise AccessError(
                    self.env._(
                        "Only loyalty managers issue coupons and cards of programmes "
                        "other than member cards."
                    )
                )
            if vals.get("level_id"):
                # The level follows the holder's tier.
                self._check_manager()
            if (
                "code" in vals
                or vals.get("expiration_date")
                or ("active" in vals and not vals["active"])
            ):
                # The number is generated (80 random bits), the validity and
                # the closing of a card are the managers'. A closed card
                # would also escape the rule of one active member card per
                # customer.
                raise AccessError(
                    self.env._(
                        "Only loyalty managers choose the number, the validity "
                        "or the closing of a card."
                    )
                )

    def write(self, vals):
        if "balance" in vals:
            raise UserError(
                self.env._(
                    "The balance of a card changes only by top-ups, purchases and "
                    "managers' adjustments."
                )
            )
        if not self.env.su:
            if set(vals) & INTERNAL_FIELDS:
                raise AccessError(
                    self.env._("These fields are written by the loyalty flows only.")
                )
            if set(vals) & MANAGER_FIELDS and (
                "level_id" in vals or any(card.ledger_guarded for card in self)
            ):
                # Changing the holder, the programme or the number of a card
                # moves its balance and points: managers only.
                self._check_manager()
            # Points are moved by the ledger in SQL, not by the ORM's write:
            # the user's right to write the cards is checked here first.
            self.check_access("write")
            if "program_id" in vals and any(
                card.program_id.id != vals["program_id"]
                and (card.ledger_guarded or card.points or card.history_ids)
                for card in self
            ):
                raise UserError(
                    self.env._(
                        "A card with value or history stays in its programme: "
                        "issue a new card instead."
                    )
                )
            if "program_id" in vals and (
                self.env["loyalty.program"]
                .browse(valid_id(vals["program_id"]))
                .is_member_program
            ):
                raise UserError(
                    self.env._(
                        "Member cards are enrolled, not moved from another programme."
                    )
                )
        if "points" in vals:
            guarded = self.filtered("ledger_guarded")
            if guarded:
                return self._write_guarded_points(guarded, vals)
        return super().write(vals)

    def _write_guarded_points(self, guarded, vals):
        """Turn a write of ``points`` on guarded cards into ledger movements:
        the difference with the value read in this transaction (a concurrent
        change makes the update fail and the request retry, never lost)."""
        target = vals["points"]
        entries = [
            {
                "card": card.id,
                "account": "points",
                "delta": self._loyalty_amount(target, "points", allow_zero=True)
                - card.points,
                "kind": "external",
                "description": self.env._("Points changed by another application"),
            }
            for card in guarded
            if float_round(target - card.points, 2)
        ]
        self.env["loyalty.history"]._ledger_post(entries)
        others = {key: value for key, value in vals.items() if key != "points"}
        if others:
            super(LoyaltyCard, guarded).write(others)
        rest = self - guarded
        if rest:
            super(LoyaltyCard, rest).write(vals)
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger(self):
        if any(card.ledger_guarded and card.history_ids for card in self):
            raise UserError(
                self.env._(
                    "A member card or coupon with ledger lines cannot be deleted; "
                    "archive it instead."
                )
            )

    # --- levels ---------------------------------------------------------------

    @api.model
    def _member_level_for(self, program, partner):
        """The level a new card of ``program`` gets: the one mapped to the
        holder's tier in the programme's company, else the entry level."""
        commercial = partner.commercial_partner_id.with_company(program.company_id)
        level = commercial.tier_id and program._member_levels_by_tier().get(
            commercial.tier_id.id
        )
        return level or program._member_default_level()

    def _member_follow_tiers(self):
        """Move these member cards to the level of their holder's tier (when a
        level is mapped to it). Returns the cards that changed, written in one
        statement per target level."""
        moves = {}
        for program in self.program_id.filtered("is_member_program"):
            by_tier = program._member_levels_by_tier()
            if not by_tier:
                continue
            cards = self.filtered(
                lambda c, p=program: c.program_id == p and c.partner_id and c.active
            )
            partners = cards.partner_id.commercial_partner_id.with_company(
                program.company_id
            )
            tiers = {partner.id: partner.tier_id.id for partner in partners}
            for card in cards:
                level = by_tier.get(tiers.get(card.partner_id.commercial_partner_id.id))
                if level and level != card.level_id:
                    moves.setdefault(level, self.browse())
                    moves[level] |= card
        changed = self.browse()
        for level, cards in moves.items():
            cards.sudo().write({"level_id": level.id})
            changed |= cards
        return changed

    # --- checks and amounts ---------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group("loyalty_cards.group_loyalty_manager"):
            raise AccessError(self.env._("Only loyalty managers may do this."))

    def _check_cashier(self):
        if not self.env.user.has_group("loyalty_cards.group_loyalty_cashier"):
            raise AccessError(
                self.env._("Only loyalty cashiers and managers may do this.")
            )

    @api.model
    def _loyalty_amount(self, value, what="amount", allow_zero=False, currency=None):
        """A positive (or zero) finite number below the ceiling, rounded to
        ``currency`` (to cents without one), or a clear error naming
        ``what``. It is rounded before it is compared with zero: an amount
        that rounds to zero is not a positive one."""
        labels = {
            "amount": self.env._("The amount"),
            "points": self.env._("The points"),
            "balance": self.env._("The balance"),
        }
        label = labels.get(what, what)
        if isinstance(value, str):
            # Digits and a dot only: "12,5" or "10,000" mean different things
            # in different languages, and are refused rather than guessed.
            text = value.strip(" \t")
            if not DECIMAL_RE.fullmatch(text):
                raise UserError(
                    self.env._(
                        "%(what)s must be a number written with digits and a dot "
                        "for decimals, such as 12.5, without thousands separators.",
                        what=label,
                    )
                )
            value = float(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(self.env._("%(what)s must be a number.", what=label))
        if not math.isfinite(value):
            raise UserError(self.env._("%(what)s must be a number.", what=label))
        if value < 0:
            raise UserError(self.env._("%(what)s cannot be negative.", what=label))
        if value > MAX_AMOUNT:
            ceiling = f"{MAX_AMOUNT:,}"
            raise UserError(
                self.env._("%(what)s cannot exceed %(max)s.", what=label, max=ceiling)
            )
        step = currency.rounding if currency else 0.01
        rounded = float_round(value, precision_rounding=step)
        if not rounded and not allow_zero:
            if value:
                smallest = f"{step:g}"
                raise UserError(
                    self.env._(
                        "%(what)s rounds to zero: give at least %(step)s.",
                        what=label,
                        step=smallest,
                    )
                )
            raise UserError(self.env._("%(what)s must be more than zero.", what=label))
        return rounded

    def _member_check_usable(self, company=None):
        """Raise unless this member card can be used now, by this company."""
        self.ensure_one()
        company = company or self.env.company
        if not self.is_member_card:
            raise UserError(self.env._("This is not a member card."))
        if self.company_id and self.company_id != company:
            raise UserError(
                self.env._(
                    "Card %(card)s belongs to %(company)s: switch to that company "
                    "to use it.",
                    card=self.member_number,
                    company=self.company_id.name,
                )
            )
        self.program_id._member_check_usable()
        if not self.active:
            raise UserError(
                self.env._("Card %(card)s is closed.", card=self.member_number)
            )
        if self.expiration_date and self.expiration_date < fields.Date.context_today(
            self
        ):
            raise UserError(
                self.env._(
                    "Card %(card)s expired on %(date)s.",
                    card=self.member_number,
                    date=self.expiration_date,
                )
            )

    @api.model
    def _member_lookup(self, code):
        """The member card whose number was typed or scanned (spaces, dashes
        and case forgiven), among the cards the user may see."""
        normalized = codes.normalize_code(code)
        raw = codes.clean_input(code)
        candidates = [c for c in {normalized, raw} if c]
        card = self.browse()
        if candidates:
            card = self.with_context(active_test=False).search(
                [("code", "in", candidates), ("is_member_card", "=", True)], limit=1
            )
        if not card:
            raise UserError(self.env._("No member card has this number."))
        return card.with_context(active_test=True)

    # --- PIN ------------------------------------------------------------------

    def _pin_set_new(self, pin, confirm):
        """Set the PIN of a card that has none (the customer chooses it)."""
        self.ensure_one()
        if not self.is_member_card:
            raise UserError(self.env._("Only member cards have a PIN."))
        if self.pin_set:
            raise UserError(
                self.env._(
                    "This card already has a PIN: change it with the current PIN, "
                    "or ask a manager to reset it."
                )
            )
        Pin = self.env["loyalty.card.pin"].sudo()
        Pin._store(self, Pin._check_new(pin, confirm))
        self.sudo().message_post(body=self.env._("PIN set."))

    def _pin_counter_may_set(self):
        """Whether a cashier may set this card's first PIN at the counter:
        only while it holds no value (no balance, no points that can pay)
        and its PIN was never reset."""
        self.ensure_one()
        if float_round(self.balance, precision_digits=2) > 0:
            return False
        if self.program_id.member_point_value and float_round(self.points, 2) > 0:
            return False
        return not self.env["loyalty.card.pin"].sudo()._was_reset(self)

    def _pin_change(self, current, pin, confirm):
        """Change the PIN; the current one is checked (and counted) first."""
        self.ensure_one()
        Pin = self.env["loyalty.card.pin"].sudo()
        normalized = Pin._check_new(pin, confirm)
        self._pin_verify(current)
        Pin._store(self, normalized)
        self.sudo().message_post(body=self.env._("PIN changed."))

    def _pin_attempt(self, pin):
        """Check ``pin`` and count a wrong one (see ``loyalty.card.pin``);
        return a dict with ``status`` ('ok', 'wrong', 'locked' or
        'stale_key'), ``remaining`` attempts and ``locked_until``."""
        self.ensure_one()
        result = self.env["loyalty.card.pin"].sudo()._attempt(self, pin)
        if result is None:
            raise UserError(
                self.env._("This card has no PIN yet: the customer sets one first.")
            )
        return result

    def _pin_verify(self, pin):
        """Raise a clear error unless ``pin`` is this card's PIN."""
        result = self._pin_attempt(pin)
        status = result["status"]
        if status == "ok":
            return True
        if status == "wrong":
            raise UserError(
                self.env._(
                    "Wrong PIN. %(remaining)s attempts left before the card locks.",
                    remaining=result["remaining"],
                )
            )
        if status == "stale_key":
            raise UserError(
                self.env._(
                    "This card's PIN can no longer be checked (the server's PIN key "
                    "changed): a manager must reset it."
                )
            )
        until = format_datetime(self.env, result["locked_until"], dt_format="short")
        if result.get("just_locked"):
            raise UserError(
                self.env._(
                    "Wrong PIN. Too many wrong PINs: the card is locked until "
                    "%(until)s.",
                    until=until,
                )
            )
        raise UserError(
            self.env._(
                "This card is locked until %(until)s after too many wrong PINs.",
                until=until,
            )
        )

    def _pin_admin(self, action, reason):
        """Managers unlock a card, or reset its PIN (the customer then sets a
        new one); the reason goes to the card's chatter."""
        self._check_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason."))
        if action not in ("unlock", "reset"):
            raise ValidationError(self.env._("Unknown PIN action."))
        for card in self:
            if not card.is_member_card:
                raise UserError(self.env._("Only member cards have a PIN."))
        self.env["loyalty.card.pin"].sudo()._unlock(self, reset=action == "reset")
        body = (
            self.env._("Card unlocked by %(user)s: %(reason)s")
            if action == "unlock"
            else self.env._("PIN reset by %(user)s: %(reason)s")
        )
        for card in self:
            card.sudo().message_post(
                body=body % {"user": self.env.user.name, "reason": reason}
            )

    # --- actions --------------------------------------------------------------

    def action_view_consumptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_cards.loyalty_consumption_action"
        )
        action["domain"] = [("card_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_topup(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Top Up"),
            "res_model": "loyalty.topup",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    def action_adjust(self):
        self.ensure_one()
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust"),
            "res_model": "loyalty.card.adjustment",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    def action_refund(self):
        """The refund dialog of this card (managers)."""
        self.ensure_one()
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund Balance"),
            "res_model": "loyalty.card.refund",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_id": self.id},
        }

    def action_pin_admin(self):
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Unlock or Reset the PIN"),
            "res_model": "loyalty.pin.admin",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_ids": self.ids},
        }

    def action_print_member_card(self):
        return self.env.ref("loyalty_cards.report_member_card").report_action(self)
