from . import aftersales_calendar_holidays
