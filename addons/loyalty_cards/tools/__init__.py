from . import codes
from . import pin
