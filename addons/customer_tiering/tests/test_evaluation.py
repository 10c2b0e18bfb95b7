from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common import TierCase


class TestEvaluation(TierCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alpha = cls.make_customer("Alpha", manual=100, potential="5")  # 100
        cls.beta = cls.make_customer("Beta", manual=100)  # 60
        cls.gamma = cls.make_customer("Gamma", manual=50)  # 30
        cls.delta = cls.make_customer("Delta")  # 0

    def test_first_evaluation(self):
        evaluation = self.evaluate()
        self.assertEqual(evaluation.state, "done")
        self.assertEqual(self.tier_of(self.alpha), self.gold)
        self.assertEqual(self.tier_of(self.beta), self.silver)
        self.assertEqual(self.tier_of(self.gamma), self.bronze)
        self.assertEqual(self.tier_of(self.delta), self.basic)
        self.assertEqual(self.alpha.with_company(self.company).tier_score, 100)
        self.assertEqual(self.beta.with_company(self.company).tier_score, 60)
        self.assertEqual(
            (evaluation.count_evaluated, evaluation.count_new, evaluation.count_up),
            (4, 4, 0),
        )
        self.assertEqual(
            evaluation.tier_distribution,
            {str(t.id): 1 for t in (self.gold, self.silver, self.bronze, self.basic)},
        )
        history = self.History.search([("evaluation_id", "=", evaluation.id)])
        self.assertEqual(len(history), 4)
        alpha_row = history.filtered(lambda h: h.partner_id == self.alpha)
        self.assertEqual(alpha_row.movement, "new")
        self.assertEqual(alpha_row.reason, "evaluation")
        self.assertEqual(
            alpha_row.breakdown,
            [[self.manual.id, 100.0, 100.0], [self.potential.id, 5.0, 100.0]],
        )
        self.assertIn("Manual", alpha_row.breakdown_html)
        # Contacts show their company's tier.
        contact = self.env["res.partner"].create(
            {"name": "Ann", "parent_id": self.alpha.id}
        )
        self.assertEqual(
            contact.with_company(self.company).commercial_tier_id, self.gold
        )
        self.assertEqual(self.alpha.with_company(self.company).tier_history_count, 1)
        self.assertEqual(
            self.alpha.with_company(self.company).tier_last_evaluation_date,
            evaluation.date,
        )

    def test_movements_history_and_chatter(self):
        self.evaluate()
        self.beta.tier_manual_score = 0  # 60 -> 0
        self.gamma.tier_potential = "5"  # 30 -> 70
        evaluation = self.evaluate()
        self.assertEqual((evaluation.count_up, evaluation.count_down), (1, 1))
        self.assertEqual(evaluation.count_unchanged, 2)
        self.assertEqual(self.tier_of(self.beta), self.basic)
        self.assertEqual(self.tier_of(self.gamma), self.silver)
        row = self.History.search(
            [("evaluation_id", "=", evaluation.id), ("partner_id", "=", self.beta.id)]
        )
        self.assertEqual(
            (row.old_tier_id, row.new_tier_id, row.movement),
            (self.silver, self.basic, "down"),
        )
        note = self.beta.message_ids[0]
        self.assertIn("Customer tier changed from Silver to Basic", note.body)
        self.assertEqual(note.message_type, "notification")

    def test_hard_requirements(self):
        self.env["customer.tier.requirement"].create(
            {
                "tier_id": self.gold.id,
                "indicator_id": self.manual.id,
                "operator": ">=",
                "value": 100,
            }
        )
        self.alpha.tier_manual_score = 99.5  # score 99.7 but misses the requirement
        self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.silver)

    def test_requirement_on_weightless_archived_indicator(self):
        """An indicator used only by a requirement still gets its raw values."""
        referrals = self.Indicator.create(
            {
                "name": "Referrals",
                "indicator_type": "referrals",
                "weight": 0,
                "company_id": self.company.id,
            }
        )
        self.env["customer.tier.requirement"].create(
            {"tier_id": self.gold.id, "indicator_id": referrals.id, "value": 1}
        )
        referrals.active = False
        self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.silver)
        self.make_customer("Referred", referred_by_id=self.alpha.id)
        self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.gold)

    def test_tiers_per_company(self):
        other = self.env["res.company"].create(
            {"name": "Other Tier Company", "tier_scope": "all"}
        )
        env = self.env["base"].with_company(other).env
        other_top, other_low = env["customer.tier"].create(
            [
                {
                    "name": "Other Top",
                    "rank": 1,
                    "min_score": 90,
                    "company_id": other.id,
                },
                {
                    "name": "Other Low",
                    "rank": 2,
                    "min_score": 0,
                    "company_id": other.id,
                },
            ]
        )
        env["customer.tier.indicator"].create(
            {
                "name": "Other Manual",
                "indicator_type": "manual",
                "weight": 100,
                "scoring_method": "linear",
                "lower_bound": 0,
                "upper_bound": 200,
                "company_id": other.id,
            }
        )
        shared = self.make_customer(
            "Shared", manual=100, potential="5", company_id=False
        )
        self.evaluate()
        self.evaluate(company=other)
        self.assertEqual(self.tier_of(shared), self.gold)
        self.assertEqual(self.tier_of(shared, other), other_low)
        self.assertEqual(shared.with_company(other).tier_score, 50)
        self.assertFalse(
            self.tier_of(self.alpha, other), "a partner of another company"
        )

    def test_downgrade_after_consecutive_evaluations(self):
        self.company.write(
            {"tier_downgrade_policy": "consecutive", "tier_downgrade_after": 2}
        )
        self.evaluate()
        self.alpha.tier_manual_score = 50  # 100 -> 70: silver
        first = self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.gold)
        self.assertEqual(self.alpha.with_company(self.company).tier_below_count, 1)
        self.assertEqual(first.count_down, 0)
        second = self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.silver)
        self.assertEqual(second.count_down, 1)
        self.assertEqual(self.alpha.with_company(self.company).tier_below_count, 0)

    def test_downgrade_one_rank(self):
        self.company.tier_downgrade_one_rank = True
        self.evaluate()
        self.alpha.write({"tier_manual_score": 0, "tier_potential": "0"})
        self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.silver)
        self.evaluate()
        self.assertEqual(self.tier_of(self.alpha), self.bronze)

    def test_upgrade_immediate_despite_policy(self):
        self.company.write(
            {"tier_downgrade_policy": "consecutive", "tier_downgrade_after": 3}
        )
        self.evaluate()
        self.delta.tier_manual_score = 100
        self.evaluate()
        self.assertEqual(self.tier_of(self.delta), self.silver)

    def test_manual_override_lock_and_expiry(self):
        self.evaluate()
        wizard = (
            self.env["customer.tier.override"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=self.delta.ids)
            .create(
                {
                    "tier_id": self.gold.id,
                    "reason": "Strategic account",
                    "lock_until": date.today() + timedelta(days=10),
                }
            )
        )
        wizard.action_apply()
        self.assertEqual(self.tier_of(self.delta), self.gold)
        delta = self.delta.with_company(self.company)
        self.assertTrue(delta.tier_locked)
        row = self.History.search([("partner_id", "=", self.delta.id)], limit=1)
        self.assertEqual(
            (row.reason, row.note, row.movement), ("manual", "Strategic account", "up")
        )
        self.assertEqual(row.user_id, self.manager)

        evaluation = self.evaluate()
        self.assertEqual(self.tier_of(self.delta), self.gold, "the lock holds")
        self.assertEqual(evaluation.count_locked, 1)

        with freeze_time(date.today() + timedelta(days=11)):
            evaluation = self.evaluate()
        self.assertEqual(self.tier_of(self.delta), self.basic, "the lock expired")
        self.assertFalse(delta.tier_locked)
        reasons = self.History.search([("partner_id", "=", self.delta.id)]).mapped(
            "reason"
        )
        self.assertEqual(reasons[:2], ["evaluation", "override_expired"])

    def test_unlock_and_override_rights(self):
        with self.assertRaises(AccessError):
            self.env["customer.tier.override"].with_user(self.tier_user).create(
                {"partner_ids": self.delta.ids, "tier_id": self.gold.id, "reason": "x"}
            )
        self.delta._tier_override(self.gold, "Test")
        with self.assertRaisesMessage(UserError, "Only customer tier managers"):
            self.delta.with_user(self.tier_user).action_tier_unlock()
        self.delta.with_user(self.manager).action_tier_unlock()
        self.assertFalse(self.delta.with_company(self.company).tier_locked)
        self.evaluate()
        self.assertEqual(self.tier_of(self.delta), self.basic)

    def test_override_cannot_end_in_the_past(self):
        wizard = (
            self.env["customer.tier.override"]
            .with_user(self.manager)
            .create(
                {
                    "partner_ids": self.delta.ids,
                    "tier_id": self.gold.id,
                    "reason": "x",
                    "lock_until": date.today() - timedelta(days=1),
                }
            )
        )
        with self.assertRaisesMessage(UserError, "cannot end in the past"):
            wizard.action_apply()
        self.assertFalse(self.tier_of(self.delta))

    def test_review_mode(self):
        self.evaluate()
        self.company.tier_apply_mode = "review"
        self.alpha.tier_manual_score = 0  # gold -> basic (score 40 -> bronze)
        self.beta.tier_potential = "5"  # silver -> gold
        self.gamma.tier_potential = "5"  # bronze -> silver
        evaluation = self.evaluate()
        self.assertEqual(evaluation.state, "to_review")
        self.assertEqual(evaluation.proposal_pending_count, 3)
        self.assertEqual(
            self.tier_of(self.alpha), self.gold, "nothing written before review"
        )
        self.assertEqual(self.alpha.with_company(self.company).tier_score, 100)
        with self.assertRaisesMessage(UserError, "still To Review"):
            self.evaluate()

        alpha, beta, gamma = (
            evaluation.proposal_ids.filtered(
                lambda p, partner=partner: p.partner_id == partner
            )
            for partner in (self.alpha, self.beta, self.gamma)
        )
        self.assertEqual(
            (alpha.old_tier_id, alpha.new_tier_id), (self.gold, self.bronze)
        )
        alpha.with_user(self.manager).action_approve()
        self.assertEqual(self.tier_of(self.alpha), self.bronze)
        self.assertEqual(self.alpha.with_company(self.company).tier_score, 40)
        beta.with_user(self.manager).action_reject()
        self.assertEqual(self.tier_of(self.beta), self.silver)
        # Gamma moves by hand meanwhile: its proposal is outdated.
        self.gamma._tier_override(self.basic, "Meanwhile")
        evaluation.with_user(self.manager).action_approve_all()
        self.assertEqual(gamma.state, "outdated")
        self.assertEqual(self.tier_of(self.gamma), self.basic)
        self.assertEqual(evaluation.state, "done")
        with self.assertRaisesMessage(UserError, "Only customer tier managers"):
            beta.with_user(self.tier_user).action_approve()

    def test_notifications(self):
        self.company.write(
            {"tier_notify_customer": True, "tier_salesperson_activity": True}
        )
        self.alpha.write({"email": "alpha@example.com", "user_id": self.tier_user.id})
        self.beta.email = False
        evaluation = self.evaluate()
        mails = self.env["mail.mail"].search([("model", "=", "customer.tier.history")])
        rows = self.History.search([("evaluation_id", "=", evaluation.id)])
        self.assertEqual(
            mails.mapped("res_id"),
            rows.filtered(lambda h: h.partner_id == self.alpha).ids,
        )
        self.assertIn("Gold", mails.subject)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.alpha.id)]
        )
        self.assertEqual(activity.user_id, self.tier_user)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("customer_tiering.mail_activity_type_tier_changed"),
        )

    def test_one_open_evaluation_per_company(self):
        running = self.Evaluation._launch(self.company, "manual")
        with self.assertRaisesMessage(UserError, "still Running"):
            self.Evaluation._launch(self.company, "manual")
        running.with_user(self.manager).action_cancel()
        self.assertEqual(running.state, "cancelled")
        self.evaluate()

    def test_partners_out_of_scope_keep_being_graded(self):
        """Scope 'invoiced' still grades customers holding a tier, so that
        they can move down."""
        self.evaluate()
        self.company.tier_scope = "invoiced"
        self.alpha.tier_manual_score = 0
        evaluation = self.evaluate()
        self.assertEqual(evaluation.count_evaluated, 4)
        self.assertEqual(self.tier_of(self.alpha), self.bronze)
        fresh = self.make_customer("Fresh", manual=100)
        self.evaluate()
        self.assertFalse(
            self.tier_of(fresh), "not invoiced and without a tier: out of scope"
        )

    def test_next_evaluation_date(self):
        self.company.tier_evaluation_cadence = "quarterly"
        evaluation = self.evaluate()
        self.assertEqual(
            self.company.tier_next_evaluation_date,
            fields.Date.add(evaluation.date, months=3),
        )

    def test_unknown_tier_id_counts_as_no_tier(self):
        """A tier id written around the application (raw SQL, an import) that
        is not one of the company's tiers does not stop evaluations: it
        counts as no tier, and the evaluation writes a real one."""
        customer = self.make_customer("Dangling", manual=100, potential="5")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET tier_id = jsonb_build_object(%s, 999999) "
            "WHERE id = %s",
            [str(self.company.id), customer.id],
        )
        self.env.invalidate_all()
        evaluation = self.evaluate()
        self.assertEqual(evaluation.state, "done")
        self.assertEqual(self.tier_of(customer), self.gold)
        row = self.History.search([("partner_id", "=", customer.id)])
        self.assertEqual((row.movement, row.old_tier_id.id), ("new", False))
        customer.with_company(self.company)._tier_override(self.silver, "by hand")
        self.assertEqual(self.tier_of(customer), self.silver)
