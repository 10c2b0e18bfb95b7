from . import test_planner
from . import test_sla
from . import test_escalation
from . import test_fees
from . import test_mail_gateway
from . import test_holidays
from . import test_kpi
