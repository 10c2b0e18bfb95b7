from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.exceptions import UserError
from odoo.http import request, route

from odoo.addons.customer_tiering.tools.validation import valid_id
from odoo.addons.loyalty.controllers.portal import CustomerPortalLoyalty
from odoo.addons.portal.controllers.portal import pager as portal_pager

LEDGER_PAGE_SIZE = 20


class LoyaltyCardsPortal(CustomerPortalLoyalty):
    """/my pages of member cards, coupons and flash offers.

    Portal users have no access to the loyalty models: these pages read, as
    superuser, only the records of the logged-in customer (cards of their
    own partner; coupons of their partner or its company). Any other id
    gives the same 404 as an id that does not exist.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Card = request.env["loyalty.card"].sudo()
        if "member_card_count" in counters:
            values["member_card_count"] = Card.search_count(self._member_card_domain())
        if "loyalty_coupon_count" in counters:
            values["loyalty_coupon_count"] = Card.search_count(
                self._coupon_domain() + [("points", ">=", 1)]
            )
        if values.get("cards_per_programs"):
            # Member cards have their own pages; Odoo's points box keeps the rest.
            values["cards_per_programs"] = {
                program: cards
                for program, cards in values["cards_per_programs"].items()
                if not program.is_member_program
            }
        return values

    def _member_card_domain(self):
        return [
            ("partner_id", "=", request.env.user.partner_id.id),
            ("is_member_card", "=", True),
            ("program_id.active", "=", True),
        ]

    def _coupon_domain(self):
        partner = request.env.user.partner_id
        return [
            ("partner_id", "in", (partner | partner.commercial_partner_id).ids),
            ("coupon_batch_id", "!=", False),
            ("program_id.active", "=", True),
        ]

    def _member_card_or_404(self, card_id):
        card_id = valid_id(card_id)
        card = card_id and (
            request.env["loyalty.card"]
            .sudo()
            .search(self._member_card_domain() + [("id", "=", card_id)], limit=1)
        )
        if not card:
            raise NotFound()
        return card

    @route("/my/member_cards", type="http", auth="user", website=True)
    def portal_my_member_cards(self, **kw):
        cards = request.env["loyalty.card"].sudo().search(self._member_card_domain())
        values = self._prepare_portal_layout_values()
        values.update({"cards": cards, "page_name": "member_cards"})
        return request.render("loyalty_cards.portal_my_member_cards", values)

    @route(
        [
            "/my/member_cards/<int:card_id>",
            "/my/member_cards/<int:card_id>/page/<int:page>",
        ],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_member_card(self, card_id, page=1, pin=None, **kw):
        card = self._member_card_or_404(card_id)
        return request.render(
            "loyalty_cards.portal_my_member_card",
            self._member_card_values(card, page, pin_done=pin == "done"),
        )

    def _member_card_values(self, card, page, pin_error=None, pin_done=False):
        History = request.env["loyalty.history"].sudo()
        domain = [("card_id", "=", card.id), ("account", "!=", False)]
        pager = portal_pager(
            url=f"/my/member_cards/{card.id}",
            total=History.search_count(domain),
            page=page,
            step=LEDGER_PAGE_SIZE,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "card": card,
                "page_name": "member_card",
                "pager": pager,
                "ledger": History.search(
                    domain,
                    order="id desc",
                    limit=LEDGER_PAGE_SIZE,
                    offset=pager["offset"],
                ),
                "consumptions": request.env["loyalty.consumption"]
                .sudo()
                .search([("card_id", "=", card.id)], limit=10),
                "pin_error": pin_error,
                "pin_done": pin_done,
            }
        )
        return values

    @route(
        "/my/member_cards/<int:card_id>/pin",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_member_card_pin(
        self, card_id, current_pin=None, new_pin=None, confirm_pin=None, **kw
    ):
        """Set the PIN of the card, or change it with the current one."""
        card = self._member_card_or_404(card_id)
        try:
            if card.pin_set:
                card._pin_change(current_pin, new_pin, confirm_pin)
            else:
                card._pin_set_new(new_pin, confirm_pin)
        except UserError as error:
            return request.render(
                "loyalty_cards.portal_my_member_card",
                self._member_card_values(card, 1, pin_error=str(error)),
            )
        return request.redirect(f"/my/member_cards/{card.id}?pin=done")

    @route("/my/member_cards/<int:card_id>/print", type="http", auth="user")
    def portal_my_member_card_print(self, card_id, report_type="html", **kw):
        """The printable card: HTML, or PDF where wkhtmltopdf is installed."""
        card = self._member_card_or_404(card_id)
        Report = request.env["ir.actions.report"].sudo()
        name = "loyalty_cards.report_member_card"
        if report_type == "pdf" and Report.get_wkhtmltopdf_state() == "ok":
            pdf = Report._render_qweb_pdf(name, card.ids)[0]
            return request.make_response(
                pdf, headers=[("Content-Type", "application/pdf")]
            )
        html = Report._render_qweb_html(name, card.ids)[0]
        return request.make_response(
            html, headers=[("Content-Type", "text/html; charset=utf-8")]
        )

    @route("/my/coupons", type="http", auth="user", website=True)
    def portal_my_coupons(self, **kw):
        now = fields.Datetime.now()
        today = fields.Date.context_today(request.env.user)
        coupons = (
            request.env["loyalty.card"]
            .sudo()
            .search(self._coupon_domain(), order="date_used desc, id desc")
        )

        def state(coupon):
            program = coupon.program_id
            if coupon.date_used or coupon.points < 1:
                return "used"
            if (coupon.expiration_date and coupon.expiration_date < today) or (
                program.is_flash and not program._flash_is_live(now)
            ):
                return "expired"
            return "valid"

        states = {coupon.id: state(coupon) for coupon in coupons}
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "loyalty_coupons",
                "flash_coupons": coupons.filtered(
                    lambda c: c.program_id.is_flash and states[c.id] == "valid"
                ),
                "coupons": coupons.filtered(
                    lambda c: not (c.program_id.is_flash and states[c.id] == "valid")
                ),
                "coupon_states": states,
            }
        )
        return request.render("loyalty_cards.portal_my_coupons", values)
