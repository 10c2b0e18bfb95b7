from . import codes
from . import pin
from . import qr_code
