from . import bulk
from . import dates
