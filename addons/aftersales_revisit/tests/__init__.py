from . import test_followup_revisit
