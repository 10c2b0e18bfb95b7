from . import test_api
from . import test_planning
from . import test_concurrency
from . import test_outcome
from . import test_care
from . import test_orphans
from . import test_access
from . import test_reports
