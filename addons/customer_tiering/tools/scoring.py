"""Scoring and tier decisions, as pure functions of plain data.

The evaluation (``customer.tier.evaluation``) and its preview both turn the
configuration into the plain dictionary described below, fetch raw indicator
values with one aggregate query per indicator and batch, and call these
functions; so the preview counts are, by construction, what applying does.

Configuration::

    {
        "indicators": [{"id", "type", "weight", "period_months", "method",
                        "direction", "bands": [[threshold, points]],
                        "lower", "upper"}],
        "tiers": [{"id", "rank", "min_score",
                   "requirements": [[indicator_id, ">="|"<=", value]]}],
        "downgrade_policy": "immediate" | "consecutive",
        "downgrade_after": int,
        "downgrade_one_rank": bool,
    }

``tiers`` is sorted by rank, best (rank 1) first.
"""

from bisect import bisect_right

UNCHANGED, UP, DOWN, NEW, LOCKED = "unchanged", "up", "down", "new", "locked"


def points_function(indicator):
    """A function giving the points (0 to 100) ``indicator`` gives for a raw
    value; built once per batch, called for every partner.

    A missing raw value (``None``: no data in the period) gives 0 points.
    Bands (sorted by threshold) give the points of the highest threshold the
    raw value reaches, 0 below the lowest one. Linear scoring gives 0 to 100
    points between the lower and upper bounds, reversed when lower values are
    better.
    """
    if indicator["method"] == "bands":
        thresholds = [float(threshold) for threshold, _points in indicator["bands"]]
        band_points = [float(points) for _threshold, points in indicator["bands"]]

        def band(raw):
            if raw is None:
                return 0.0
            index = bisect_right(thresholds, raw)
            return band_points[index - 1] if index else 0.0

        return band
    lower, span = indicator["lower"], indicator["upper"] - indicator["lower"]
    reverse = indicator["direction"] == "lower"

    def linear(raw):
        if raw is None:
            return 0.0
        ratio = min(max((raw - lower) / span, 0.0), 1.0)
        return round((1.0 - ratio if reverse else ratio) * 100.0, 2)

    return linear


class Scorer:
    """The scoring of one configuration, built once per batch and applied to
    every partner: the evaluation, its preview and the tests all go through
    it."""

    def __init__(self, config):
        self.config = config
        self.tiers = config["tiers"]
        self.tiers_by_id = {tier["id"]: tier for tier in self.tiers}
        # Each weighted indicator once: (id, weight as a fraction, points).
        self.scored = [
            (indicator["id"], indicator["weight"] / 100.0, points_function(indicator))
            for indicator in config["indicators"]
            if indicator["weight"]
        ]

    def score(self, raw_by_indicator):
        """Weighted score (0 to 100) of one partner's raw values
        {indicator id: raw value or None}."""
        return round(
            sum(
                weight * points(raw_by_indicator.get(indicator_id))
                for indicator_id, weight, points in self.scored
            ),
            2,
        )

    def breakdown(self, raw_by_indicator):
        """[[indicator id, raw value, points], ...] behind the score."""
        return [
            [indicator_id, raw_by_indicator.get(indicator_id), points(raw)]
            for indicator_id, _weight, points in self.scored
            for raw in [raw_by_indicator.get(indicator_id)]
        ]

    def decide(self, raw_by_indicator, old_tier_id, below_count, locked):
        """The decision for one partner: (score, new tier id or None, new
        below count, movement). A tier that left the configuration (archived)
        counts as none; a lock keeps the tier."""
        score = self.score(raw_by_indicator)
        target = qualifying_tier(self.tiers, score, raw_by_indicator)
        final, new_below, movement = decide(
            self.config, self.tiers_by_id.get(old_tier_id), below_count, locked, target
        )
        if movement == LOCKED:
            # Kept, even if the tier left the configuration.
            return score, old_tier_id, new_below, LOCKED
        new_tier_id = final["id"] if final else None
        if movement == UNCHANGED and new_tier_id != old_tier_id:
            # The customer held a tier that left the configuration.
            movement = DOWN
        return score, new_tier_id, new_below, movement


def _requirement_met(requirement, raw_by_indicator):
    indicator_id, operator, value = requirement
    raw = raw_by_indicator.get(indicator_id)
    if raw is None:
        return False
    return raw >= value if operator == ">=" else raw <= value


def qualifying_tier(tiers, score, raw_by_indicator):
    """The best tier whose minimum score and hard requirements hold, or None."""
    for tier in tiers:
        if score >= tier["min_score"] and all(
            _requirement_met(req, raw_by_indicator) for req in tier["requirements"]
        ):
            return tier
    return None


def decide(config, current_tier, below_count, locked, target):
    """Apply the lock and the downgrade policy to a computed target tier.

    :param current_tier: the partner's tier dict, or None
    :param below_count: evaluations in a row the partner scored below its tier
    :param target: the qualifying tier dict, or None
    :return: (final tier dict or None, new below count, movement)
    """
    if locked:
        return current_tier, below_count, LOCKED
    worst = float("inf")  # below every tier
    current_rank = current_tier["rank"] if current_tier else worst
    target_rank = target["rank"] if target else worst
    if current_tier and target and current_tier["id"] == target["id"]:
        return current_tier, 0, UNCHANGED
    if current_tier is None and target is None:
        return None, 0, UNCHANGED
    if target_rank < current_rank:
        return target, 0, NEW if current_tier is None else UP
    # Downgrade, subject to the policy.
    below_count += 1
    if (
        config["downgrade_policy"] == "consecutive"
        and below_count < config["downgrade_after"]
    ):
        return current_tier, below_count, UNCHANGED
    if config["downgrade_one_rank"]:
        lower = [t for t in config["tiers"] if t["rank"] > current_rank]
        target = lower[0] if lower else None
    return target, 0, DOWN
