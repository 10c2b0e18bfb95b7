from . import test_api
from . import test_planning
from . import test_concurrency
