import itertools
from datetime import datetime, time

import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.sla_planner import BLOCK, block_start

# Numbers given to the working time changes of this process's transactions.
_CHANGES = itertools.count(1)
CHANGE_KEY = "aftersales_sla.calendar_change"


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _aftersales_intervals_version(self):
        """What the calendar's working intervals depend on, as the database
        holds it: the calendar's last write, and the count and last write of
        its attendances and of the leaves it takes (its own and the global
        ones). A change committed by any worker changes it, so that the next
        planning everywhere reads the new working time.

        The changes of one transaction share a write date: the last of them
        (``_aftersales_note_change``) is part of the version too."""
        self.ensure_one()
        [row] = self.env.execute_query(
            SQL(
                """
                SELECT c.write_date, a.count, a.last, l.count, l.last
                  FROM resource_calendar c,
                       LATERAL (SELECT COUNT(*), MAX(write_date) AS last
                                  FROM resource_calendar_attendance
                                 WHERE calendar_id = c.id) a,
                       LATERAL (SELECT COUNT(*), MAX(write_date) AS last
                                  FROM resource_calendar_leaves
                                 WHERE (calendar_id = c.id OR calendar_id IS NULL)
                                   AND resource_id IS NULL) l
                 WHERE c.id = %s
                """,
                self.id,
            )
        )
        return (*row, self.env.cr.cache.get(CHANGE_KEY, 0))

    @api.model
    def _aftersales_note_change(self):
        """Working time changed in this transaction: intervals read from now
        on are cached under a version of their own."""
        self.env.cr.cache[CHANGE_KEY] = next(_CHANGES)

    @tools.ormcache("self.id", "first_day", "version")
    def _aftersales_work_intervals(self, first_day, version):
        """Working intervals, as (start, end) naive UTC, of the 14 days from
        ``first_day`` (UTC): attendances minus leaves, in the calendar's
        timezone. Cached per calendar, block and ``version`` (the calendar's
        ``_aftersales_intervals_version()``)."""
        start = pytz.utc.localize(datetime.combine(first_day, time.min))
        intervals = self._work_intervals_batch(
            start, start + BLOCK, compute_leaves=True
        )[False]
        return tuple(
            (
                begin.astimezone(pytz.utc).replace(tzinfo=None),
                end.astimezone(pytz.utc).replace(tzinfo=None),
            )
            for begin, end, _meta in intervals
            if end > begin
        )

    def _aftersales_has_work_ahead(self, weeks=8):
        """Whether the calendar has working time in the coming ``weeks``."""
        self.ensure_one()
        now = fields.Datetime.now()
        first = block_start(now)
        version = self._aftersales_intervals_version()
        for index in range(weeks * 7 // BLOCK.days + 1):
            intervals = self._aftersales_work_intervals(first + index * BLOCK, version)
            if any(end > now for _begin, end in intervals):
                return True
        return False

    def write(self, vals):
        self._aftersales_note_change()
        return super().write(vals)
