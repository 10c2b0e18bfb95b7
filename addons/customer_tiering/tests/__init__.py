from . import test_scoring
from . import test_configuration
from . import test_evaluation
from . import test_batching
from . import test_preview
from . import test_access
from . import test_indicators
from . import test_tour
