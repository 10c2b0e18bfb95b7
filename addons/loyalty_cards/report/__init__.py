from . import loyalty_campaign_report
