from . import customer_tier_preview
from . import customer_tier_override
