from datetime import datetime, time

import pytz

from odoo import fields, models, tools

from ..tools.sla_planner import BLOCK, block_start


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    @tools.ormcache("self.id", "first_day")
    def _aftersales_work_intervals(self, first_day):
        """Working intervals, as (start, end) naive UTC, of the 14 days from
        ``first_day`` (UTC): attendances minus leaves, in the calendar's
        timezone. Cached per calendar and block; calendar, attendance and leave
        changes empty the cache."""
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
        for index in range(weeks * 7 // BLOCK.days + 1):
            intervals = self._aftersales_work_intervals(first + index * BLOCK)
            if any(end > now for _begin, end in intervals):
                return True
        return False

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
