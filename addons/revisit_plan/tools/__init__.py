from . import batching
from . import dates
