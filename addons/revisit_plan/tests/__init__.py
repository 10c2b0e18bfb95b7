from . import test_api
from . import test_planning
from . import test_concurrency
from . import test_outcome
