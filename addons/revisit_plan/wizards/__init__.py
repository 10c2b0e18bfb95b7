from . import revisit_outcome
