from . import aftersales_calendar_holidays
from . import aftersales_kpi_dashboard
