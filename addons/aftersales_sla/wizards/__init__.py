from . import aftersales_calendar_holidays
from . import aftersales_ticket_checkout
