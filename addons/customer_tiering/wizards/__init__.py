from . import customer_tier_preview
from . import customer_tier_override
from . import base_partner_merge_automatic_wizard
