import logging

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.customer_tiering.tools.validation import (
    check_text,
    id_from_text,
    valid_id,
)
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

_logger = logging.getLogger(__name__)

TICKETS_PER_PAGE = 20
# What a customer may write in a new request (the form says so).
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10000
# Photos or documents a new request may carry (the form says so).
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_SIZE = 5 * 1024 * 1024
# Served back to the customer as they are: no HTML, SVG or scripts.
ATTACHMENT_MIMETYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
)


class AftersalesPortal(CustomerPortal):
    """Customers (and colleagues of their company) list, open, create and
    answer their tickets, see their service levels and rate closed ones.
    Record rules keep every other company's tickets out of reach."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_ticket_count" in counters:
            Ticket = request.env["aftersales.ticket"]
            values["aftersales_ticket_count"] = (
                Ticket.search_count([]) if Ticket.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_tickets(self, page=1, sortby=None, filterby=None, **kw):
        Ticket = request.env["aftersales.ticket"]
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "id desc"},
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
        }
        filters = {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {
                "label": request.env._("Open"),
                "domain": [("is_open", "=", True)],
            },
            "closed": {
                "label": request.env._("Closed"),
                "domain": [("is_open", "=", False)],
            },
        }
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = filters[filterby]["domain"]
        count = Ticket.search_count(domain)
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby},
            total=count,
            page=page,
            step=TICKETS_PER_PAGE,
        )
        tickets = Ticket.search(
            domain,
            order=sortings[sortby]["order"],
            limit=TICKETS_PER_PAGE,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets,
                "page_name": "aftersales_ticket",
                "pager": pager,
                "default_url": "/my/tickets",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("aftersales_sla.portal_my_tickets", values)

    @http.route(
        ["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True
    )
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        if not valid_id(ticket_id):
            return request.redirect("/my")
        try:
            ticket = self._document_check_access(
                "aftersales.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        rating = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed)[:1]
        values = self._get_page_view_values(
            ticket,
            access_token,
            {
                "ticket": ticket,
                "page_name": "aftersales_ticket",
                "sla_lines": ticket.sudo().sla_line_ids,
                # Files of the messages the customer sees (not internal notes).
                "files": ticket.sudo()
                .message_ids.filtered(
                    lambda m: m.message_type == "comment" and not m.subtype_id.internal
                )
                .attachment_ids.filtered("access_token"),
                "rating_token": rating.access_token
                if ticket.stage_kind == "closed"
                else False,
            },
            "my_tickets_history",
            False,
            **kw,
        )
        return request.render("aftersales_sla.portal_my_ticket", values)

    @http.route(
        ["/my/tickets/new"], type="http", auth="user", website=True, methods=["GET"]
    )
    def portal_new_ticket(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._new_ticket_values(kw))
        return request.render("aftersales_sla.portal_new_ticket", values)

    def _new_ticket_values(self, form, error=None):
        env = request.env
        types = env["aftersales.ticket.type"].sudo().search([])
        customer = env.user.partner_id.commercial_partner_id
        defaults = env["aftersales.ticket"].sudo().default_get(["severity_id"])
        severity = env["aftersales.severity"].sudo().browse(defaults.get("severity_id"))
        return {
            "page_name": "aftersales_ticket_new",
            "ticket_types": types,
            "products": self._portal_products(),
            # What a new request starts at; the team may assess it again.
            "severity_note": self._severity_note(severity, customer.sudo().tier_id),
            "attachment_hint": env._(
                "Up to %(count)s photos (JPEG, PNG, GIF, WebP) or PDF documents "
                "of %(size)s MB each.",
                count=MAX_ATTACHMENTS,
                size=MAX_ATTACHMENT_SIZE // (1024 * 1024),
            ),
            "form": form,
            "error": error or {},
        }

    def _severity_note(self, severity, tier):
        """What the new request form says of the severity it is handled at."""
        env = request.env
        if not severity:
            return ""
        if tier:
            return env._(
                "Your request is handled at severity %(severity)s, with the "
                "service levels of your tier %(tier)s; our team may raise the "
                "severity when it assesses the request.",
                severity=severity.name,
                tier=tier.name,
            )
        return env._(
            "Your request is handled at severity %(severity)s; our team may "
            "raise the severity when it assesses the request.",
            severity=severity.name,
        )

    def _portal_products(self):
        """The products a customer may name in a request: the goods we sell."""
        return (
            request.env["product.product"]
            .sudo()
            .search(
                [("sale_ok", "=", True), ("type", "=", "consu")],
                order="name, id",
                limit=500,
            )
        )

    def _read_attachments(self):
        """[(name, data)] of the files sent with a new request, or a
        UserError saying what is wrong with them."""
        env = request.env
        files = [
            file
            for file in request.httprequest.files.getlist("attachments")
            if file and file.filename
        ]
        if len(files) > MAX_ATTACHMENTS:
            raise UserError(
                env._("Attach at most %(count)s files.", count=MAX_ATTACHMENTS)
            )
        result = []
        for file in files:
            name = check_text(env, file.filename, env._("The file name"), 255)
            data = file.read(MAX_ATTACHMENT_SIZE + 1)
            if len(data) > MAX_ATTACHMENT_SIZE:
                raise UserError(
                    env._(
                        "%(file)s is larger than %(size)s MB.",
                        file=name,
                        size=MAX_ATTACHMENT_SIZE // (1024 * 1024),
                    )
                )
            if guess_mimetype(data) not in ATTACHMENT_MIMETYPES:
                raise UserError(
                    env._(
                        "%(file)s is neither a photo (JPEG, PNG, GIF, WebP) nor a "
                        "PDF document.",
                        file=name,
                    )
                )
            result.append((name, data))
        return result

    @http.route(
        ["/my/tickets/new"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_create_ticket(self, **post):
        env = request.env
        error = {}
        fields_ = (
            ("name", env._("The subject"), MAX_SUBJECT),
            ("description", env._("The description"), MAX_DESCRIPTION),
        )
        values = {}
        for name, label, limit in fields_:
            try:
                values[name] = check_text(env, post.get(name), label, limit)
            except UserError as exc:
                error[name] = exc.args[0]
        if "name" not in error and not values["name"]:
            error["name"] = env._("Give your request a subject.")
        if "description" not in error and not values["description"]:
            error["description"] = env._("Describe what happened.")
        ticket_type = (
            env["aftersales.ticket.type"]
            .sudo()
            .browse(id_from_text(post.get("type_id")))
            .exists()
        )
        product = self._portal_products().filtered(
            lambda p: p.id == id_from_text(post.get("product_id"))
        )
        try:
            attachments = self._read_attachments()
        except UserError as exc:
            error["attachments"] = exc.args[0]
        if error:
            return self._render_new_ticket_again(post, error)
        partner = env.user.partner_id
        company = partner.commercial_partner_id.company_id or env.company
        try:
            with env.cr.savepoint():
                ticket = (
                    env["aftersales.ticket"]
                    .sudo()
                    .with_company(company)
                    .create(
                        {
                            "name": values["name"],
                            "description": plaintext2html(values["description"]),
                            "partner_id": partner.id,
                            "type_id": ticket_type.id,
                            "product_id": product.id,
                            "channel_id": env.ref("aftersales_sla.channel_portal").id,
                            "company_id": company.id,
                        }
                    )
                )
                if attachments:
                    self._attach(ticket, partner, attachments)
        except UserError as exc:
            # A configuration the request cannot pass (such as a service level
            # calendar without working time): said on the form, nothing kept.
            _logger.warning(
                "Portal request of %s refused: %s", partner.display_name, exc
            )
            return self._render_new_ticket_again(
                post,
                {
                    "general": env._(
                        "Your request could not be registered: %(reason)s Please "
                        "try again later, or call us.",
                        reason=exc.args[0],
                    )
                },
            )
        return request.redirect(f"/my/tickets/{ticket.id}")

    def _attach(self, ticket, partner, attachments):
        """Post the files of a new request on its ticket (in sudo, which the
        caller holds), from the customer: they show in the ticket's messages,
        each reachable by its own token."""
        # No text of ours: the customer's files speak for themselves.
        message = ticket.message_post(
            attachments=attachments,
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        message.attachment_ids.generate_access_token()

    def _render_new_ticket_again(self, post, error):
        """The new request form, shown again as typed (without what cannot be
        shown) with what went wrong."""
        form = {
            key: value.replace("\x00", "")[: MAX_DESCRIPTION + 1]
            for key, value in post.items()
            if isinstance(value, str)
        }
        page = self._prepare_portal_layout_values()
        page.update(self._new_ticket_values(form, error))
        return request.render("aftersales_sla.portal_new_ticket", page)
