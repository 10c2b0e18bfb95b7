from . import dates
from . import inputs
