from . import portal
from . import portal_points_expiry
