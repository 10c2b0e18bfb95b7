from . import revisit_outcome
from . import revisit_schedule
from . import revisit_reassign
