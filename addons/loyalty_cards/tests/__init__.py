from . import test_ledger
from . import test_counter
from . import test_pin
