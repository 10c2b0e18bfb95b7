import ast

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

EARTH_RADIUS_KM = 6371.0088


class LoyaltyAudienceMixin(models.AbstractModel):
    """Who a coupon batch or a flash offer is for.

    Customers qualify by their tier or by the level of a member card they
    hold (either is enough); a partner filter, when set, and a distance from
    a store, when set, narrow that down. Without tiers and levels, the
    filter and the distance alone choose. Everything is computed in one SQL
    query (the filter becomes a sub-query), whatever the number of customers.
    """

    _name = "loyalty.audience.mixin"
    _description = "Loyalty Audience"

    audience_tier_ids = fields.Many2many(
        "customer.tier",
        string="Customer Tiers",
        help="Customers holding one of these tiers (in the programme's company).",
    )
    audience_level_ids = fields.Many2many(
        "loyalty.card.level",
        string="Card Levels",
        help="Customers holding an active member card of one of these levels.",
    )
    audience_domain = fields.Char(
        string="Customer Filter",
        default="[]",
        help="Only customers matching this filter. Alone, it chooses the audience.",
    )
    audience_store_id = fields.Many2one(
        "res.partner",
        string="Near Store",
        domain="[('is_loyalty_store', '=', True)]",
        help="Only customers whose address coordinates lie within the radius of "
        "this store's coordinates.",
    )
    audience_radius_km = fields.Float(
        string="Radius (km)",
        digits=(8, 2),
        help="Distance from the store, as the crow flies.",
    )

    @api.constrains("audience_radius_km", "audience_store_id", "audience_domain")
    def _check_audience(self):
        for record in self:
            if record.audience_store_id:
                store = record.audience_store_id
                if not (store.partner_latitude or store.partner_longitude):
                    raise ValidationError(
                        self.env._(
                            "Store %(store)s has no coordinates: set its latitude "
                            "and longitude first.",
                            store=store.display_name,
                        )
                    )
                if not 0 < record.audience_radius_km <= 20000:
                    raise ValidationError(
                        self.env._(
                            "The radius around the store must lie between 0 and "
                            "20,000 km."
                        )
                    )
            record._audience_parsed_domain()

    def _audience_parsed_domain(self):
        """The partner filter as a domain (list), or a clear error."""
        self.ensure_one()
        text = (self.audience_domain or "").strip() or "[]"
        try:
            domain = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            domain = None
        if isinstance(domain, list):
            try:
                # Compiled (unknown fields, bad operators) and run without
                # rows (values the database refuses, such as text for an id).
                query = self.env["res.partner"]._search(domain)
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL("%s LIMIT 0", query.select()), log_exceptions=False
                    )
            except (
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                AssertionError,
                psycopg2.DataError,
                psycopg2.ProgrammingError,
            ):
                domain = None
        if not isinstance(domain, list):
            raise ValidationError(
                self.env._(
                    "The customer filter is not a valid filter: %(filter)s",
                    filter=text[:200],
                )
            )
        return domain

    def _audience_company(self):
        """The company whose tiers and cards count; overridden by the models."""
        self.ensure_one()
        return self.env.company

    def _audience_has_criteria(self):
        self.ensure_one()
        return bool(
            self.audience_tier_ids
            or self.audience_level_ids
            or self._audience_parsed_domain()
            or self.audience_store_id
        )

    def _audience_description(self):
        """The audience in words, kept with the batch it chose."""
        self.ensure_one()
        parts = []
        if self.audience_tier_ids:
            parts.append(", ".join(self.audience_tier_ids.mapped("name")))
        if self.audience_level_ids:
            parts.append(", ".join(self.audience_level_ids.mapped("name")))
        if self._audience_parsed_domain():
            parts.append(self.audience_domain)
        if self.audience_store_id:
            parts.append(
                self.env._(
                    "within %(radius)s km of %(store)s",
                    radius=self.audience_radius_km,
                    store=self.audience_store_id.display_name,
                )
            )
        return "; ".join(parts)

    def _audience_query(self):
        """SQL selecting the ids of the audience's partners."""
        self.ensure_one()
        company = self._audience_company()
        conditions = [
            SQL("p.active"),
            # Our own shops are not customers.
            SQL("p.is_loyalty_store IS NOT TRUE"),
            SQL("(p.company_id IS NULL OR p.company_id = %s)", company.id),
        ]
        either = []
        if self.audience_tier_ids:
            either.append(
                self.env["res.partner"]._tier_sql_condition(
                    company, self.audience_tier_ids, "p"
                )
            )
        if self.audience_level_ids:
            either.append(
                SQL(
                    """EXISTS (SELECT 1 FROM loyalty_card c
                                WHERE c.partner_id = p.id AND c.active
                                  AND c.level_id = ANY(%s))""",
                    self.audience_level_ids.ids,
                )
            )
        if either:
            conditions.append(SQL("(%s)", SQL(" OR ").join(either)))
        domain = self._audience_parsed_domain()
        if domain:
            # Compiled with the user's access rules, as a sub-query.
            subquery = self.env["res.partner"]._search(domain)
            conditions.append(SQL("p.id IN %s", subquery.subselect()))
        if self.audience_store_id:
            conditions.append(
                self._audience_distance_condition(
                    self.audience_store_id.partner_latitude,
                    self.audience_store_id.partner_longitude,
                    self.audience_radius_km,
                )
            )
        return SQL(
            "SELECT p.id FROM res_partner p WHERE %s ORDER BY p.id",
            SQL(" AND ").join(conditions),
        )

    @api.model
    def _audience_distance_condition(self, latitude, longitude, radius_km):
        """Partners within ``radius_km`` of a point (haversine, in SQL); a
        bounding box first so that far partners cost one comparison."""
        lat_margin = radius_km / 111.0
        return SQL(
            """(p.partner_latitude IS NOT NULL AND p.partner_longitude IS NOT NULL
                AND NOT (p.partner_latitude = 0 AND p.partner_longitude = 0)
                AND p.partner_latitude BETWEEN %(lat_min)s AND %(lat_max)s
                AND 2 * %(earth)s * asin(sqrt(
                        power(sin(radians(p.partner_latitude - %(lat)s) / 2), 2)
                        + cos(radians(%(lat)s)) * cos(radians(p.partner_latitude))
                          * power(sin(radians(p.partner_longitude - %(lon)s) / 2), 2)
                    )) <= %(radius)s)""",
            lat_min=latitude - lat_margin,
            lat_max=latitude + lat_margin,
            earth=EARTH_RADIUS_KM,
            lat=latitude,
            lon=longitude,
            radius=radius_km,
        )

    def _audience_partner_ids(self):
        """Ids of the partners in the audience (sorted)."""
        self.ensure_one()
        if not self._audience_has_criteria():
            raise ValidationError(
                self.env._(
                    "Choose the audience: customer tiers, card levels, a customer "
                    "filter or a store and radius."
                )
            )
        self.env.flush_all()
        return [row[0] for row in self.env.execute_query(self._audience_query())]
