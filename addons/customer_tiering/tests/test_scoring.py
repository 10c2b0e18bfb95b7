from odoo.tests import BaseCase

from ..tools import scoring

BANDS = {
    "id": 1,
    "method": "bands",
    "bands": [[0, 10], [100, 50], [500, 100]],
    "weight": 50,
}
LINEAR_UP = {
    "id": 2,
    "method": "linear",
    "direction": "higher",
    "lower": 10,
    "upper": 110,
    "weight": 30,
}
LINEAR_DOWN = {
    "id": 3,
    "method": "linear",
    "direction": "lower",
    "lower": 0,
    "upper": 200,
    "weight": 20,
}
TIERS = [
    {"id": 11, "rank": 1, "min_score": 80, "requirements": [[1, ">=", 1000]]},
    {"id": 12, "rank": 2, "min_score": 50, "requirements": []},
    {"id": 13, "rank": 3, "min_score": 20, "requirements": []},
]


def config(**policy):
    return {
        "tiers": TIERS,
        "downgrade_policy": "immediate",
        "downgrade_after": 2,
        "downgrade_one_rank": False,
        **policy,
    }


class TestScoring(BaseCase):
    def test_bands(self):
        def points(indicator, raw):
            return scoring.points_function(indicator)(raw)

        self.assertEqual(points(BANDS, None), 0.0, "no data scores nothing")
        self.assertEqual(
            points({**BANDS, "bands": [[5, 40]]}, 4.99), 0.0, "below the lowest band"
        )
        self.assertEqual(points(BANDS, 0), 10.0)
        self.assertEqual(points(BANDS, 99.99), 10.0)
        self.assertEqual(points(BANDS, 100), 50.0, "a threshold is reached when equal")
        self.assertEqual(points(BANDS, 10**9), 100.0)

    def test_linear_and_direction(self):
        def points(indicator, raw):
            return scoring.points_function(indicator)(raw)

        self.assertEqual(points(LINEAR_UP, 10), 0.0)
        self.assertEqual(points(LINEAR_UP, 60), 50.0)
        self.assertEqual(points(LINEAR_UP, 110), 100.0)
        self.assertEqual(points(LINEAR_UP, -50), 0.0, "clamped below")
        self.assertEqual(points(LINEAR_UP, 999), 100.0, "clamped above")
        self.assertEqual(points(LINEAR_DOWN, 0), 100.0, "lower is better")
        self.assertEqual(points(LINEAR_DOWN, 50), 75.0)
        self.assertEqual(points(LINEAR_DOWN, 400), 0.0)

    def test_weights(self):
        scorer = scoring.Scorer(
            {**config(), "indicators": [BANDS, LINEAR_UP, LINEAR_DOWN]}
        )
        raw = {1: 100, 2: 60, 3: None}
        score, breakdown = scorer.score(raw), scorer.breakdown(raw)
        # 50 % x 50 + 30 % x 50 + 20 % x 0
        self.assertEqual(score, 40.0)
        self.assertEqual(breakdown, [[1, 100, 50.0], [2, 60, 50.0], [3, None, 0.0]])

    def test_qualifying_tier_and_requirements(self):
        best = scoring.qualifying_tier
        self.assertEqual(best(TIERS, 90, {1: 1000})["id"], 11)
        self.assertEqual(best(TIERS, 90, {1: 999})["id"], 12, "requirement not met")
        self.assertEqual(best(TIERS, 90, {})["id"], 12, "no data fails a requirement")
        self.assertEqual(best(TIERS, 20, {})["id"], 13)
        self.assertIsNone(best(TIERS, 19.99, {}))
        at_most = [
            {"id": 21, "rank": 1, "min_score": 0, "requirements": [[3, "<=", 30]]}
        ]
        self.assertEqual(best(at_most, 0, {3: 30})["id"], 21)
        self.assertIsNone(best(at_most, 0, {3: 31}))

    def test_upgrades_are_immediate(self):
        gold, silver, bronze = TIERS
        self.assertEqual(
            scoring.decide(config(), bronze, 1, False, gold), (gold, 0, scoring.UP)
        )
        self.assertEqual(
            scoring.decide(config(), None, 0, False, bronze), (bronze, 0, scoring.NEW)
        )
        self.assertEqual(
            scoring.decide(
                config(downgrade_policy="consecutive"), silver, 1, False, gold
            ),
            (gold, 0, scoring.UP),
        )

    def test_downgrade_immediate(self):
        gold, silver, bronze = TIERS
        self.assertEqual(
            scoring.decide(config(), gold, 0, False, bronze), (bronze, 0, scoring.DOWN)
        )
        self.assertEqual(
            scoring.decide(config(), bronze, 0, False, None), (None, 0, scoring.DOWN)
        )
        self.assertEqual(
            scoring.decide(config(), silver, 1, False, silver),
            (silver, 0, scoring.UNCHANGED),
        )

    def test_downgrade_after_consecutive_evaluations(self):
        gold, silver, bronze = TIERS
        policy = config(downgrade_policy="consecutive", downgrade_after=3)
        self.assertEqual(
            scoring.decide(policy, gold, 0, False, bronze), (gold, 1, scoring.UNCHANGED)
        )
        self.assertEqual(
            scoring.decide(policy, gold, 1, False, bronze), (gold, 2, scoring.UNCHANGED)
        )
        self.assertEqual(
            scoring.decide(policy, gold, 2, False, bronze), (bronze, 0, scoring.DOWN)
        )
        # Back at its tier: the count starts again.
        self.assertEqual(
            scoring.decide(policy, gold, 2, False, gold), (gold, 0, scoring.UNCHANGED)
        )

    def test_downgrade_one_rank_at_a_time(self):
        gold, silver, bronze = TIERS
        policy = config(downgrade_one_rank=True)
        self.assertEqual(
            scoring.decide(policy, gold, 0, False, None), (silver, 0, scoring.DOWN)
        )
        self.assertEqual(
            scoring.decide(policy, bronze, 0, False, None), (None, 0, scoring.DOWN)
        )
        both = config(
            downgrade_one_rank=True, downgrade_policy="consecutive", downgrade_after=2
        )
        self.assertEqual(
            scoring.decide(both, gold, 0, False, bronze), (gold, 1, scoring.UNCHANGED)
        )
        self.assertEqual(
            scoring.decide(both, gold, 1, False, bronze), (silver, 0, scoring.DOWN)
        )

    def test_locked(self):
        gold, silver, bronze = TIERS
        self.assertEqual(
            scoring.decide(config(), gold, 1, True, bronze), (gold, 1, scoring.LOCKED)
        )

    def test_scorer_decides_for_a_partner(self):
        """What the evaluation does for each partner: score, qualify, apply
        the lock and the downgrade policy."""
        scorer = scoring.Scorer(
            {**config(), "indicators": [BANDS, LINEAR_UP, LINEAR_DOWN]}
        )
        top = {1: 1000, 2: 110, 3: 0}  # 100 points, requirement met
        self.assertEqual(scorer.decide(top, None, 0, False), (100.0, 11, 0, "new"))
        self.assertEqual(scorer.decide(top, 12, 0, False), (100.0, 11, 0, "up"))
        self.assertEqual(scorer.decide(top, 11, 0, False), (100.0, 11, 0, "unchanged"))
        self.assertEqual(
            scorer.decide({}, 12, 0, True), (0.0, 12, 0, "locked"), "a lock keeps it"
        )
        # A tier that left the configuration counts as none.
        self.assertEqual(scorer.decide({}, 99, 0, False), (0.0, None, 0, "down"))
        self.assertEqual(scorer.decide({}, 99, 0, True), (0.0, 99, 0, "locked"))
