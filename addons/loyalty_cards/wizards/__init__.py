from . import loyalty_coupon_issue
from . import loyalty_pin_admin
from . import loyalty_card_update_balance
from . import loyalty_counter_session_close
from . import account_payment_register
from . import loyalty_consumption_reverse
