from . import customer_churn_report
from . import customer_cohort_report
