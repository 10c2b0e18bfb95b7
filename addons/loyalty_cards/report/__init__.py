from . import loyalty_campaign_report
from . import loyalty_stored_value_report
from . import loyalty_points_report
