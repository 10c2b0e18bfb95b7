"""Lifecycle stages of customers, as a pure function of their purchase dates.

The evaluation reads, for each customer of a batch and in one query, the
facts below from every source of purchases (customer invoices, and what
other addons add, such as counter consumptions), and calls ``stage``; the
reports compute the same rules in SQL over the same purchases.

Facts of one customer::

    (first purchase date, last purchase date,
     median gap in days between its purchases of the last three years or None,
     date it bought again after a gap longer than "lost", or None)

Settings (per company)::

    {"new_days", "risk_factor", "risk_floor_days", "single_gap_days",
     "lost_days"}
"""

NEW, ACTIVE, AT_RISK, LOST, WON_BACK = "new", "active", "at_risk", "lost", "won_back"
STAGES = [
    (NEW, "New"),
    (ACTIVE, "Active"),
    (AT_RISK, "At risk"),
    (LOST, "Lost"),
    (WON_BACK, "Won back"),
]
# Stages of a customer who still buys: evaluated again at every run.
LIVE_STAGES = (NEW, ACTIVE, AT_RISK, WON_BACK)
# Gaps between purchases older than this do not tell today's rhythm.
GAP_HISTORY_DAYS = 3 * 365


def risk_threshold(median_gap, settings):
    """Days without a purchase after which a customer is at risk: its own
    rhythm (the median gap between its purchases, or the default gap when it
    bought once) times the factor, and never less than the floor."""
    gap = median_gap if median_gap else settings["single_gap_days"]
    return max(settings["risk_floor_days"], settings["risk_factor"] * gap)


def stage(today, facts, settings):
    """The stage of a customer on ``today``, or None when it never bought.

    Lost (no purchase for ``lost_days``) comes first, then at risk (no
    purchase for longer than its threshold), then new (first purchase within
    ``new_days``), won back (bought again within ``new_days`` after being
    lost) and active.
    """
    first, last, median_gap, returned = facts
    if not last:
        return None
    silent = (today - last).days
    if silent > settings["lost_days"]:
        return LOST
    if silent > risk_threshold(median_gap, settings):
        return AT_RISK
    if (today - first).days <= settings["new_days"]:
        return NEW
    if returned and (today - returned).days <= settings["new_days"]:
        return WON_BACK
    return ACTIVE
