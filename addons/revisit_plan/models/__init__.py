from . import mail_activity_type
from . import revisit_rule
from . import revisit_record
from . import mail_activity
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_users
