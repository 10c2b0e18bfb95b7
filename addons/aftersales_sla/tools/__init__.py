from . import sla_planner
