import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.customer_tiering.tools import jobs

from ..tools.sla_planner import PlannerCache
from .aftersales_sla_policy import TARGETS
from .aftersales_stage import OPEN_KINDS

_logger = logging.getLogger(__name__)

LINE_STATUSES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("achieved", "Achieved"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class AftersalesTicketSla(models.Model):
    """One service level target of a ticket: its deadline on the policy's
    calendar, the working time it was paused, and whether it was met.

    The deadline is ``date_start`` plus the target's working hours plus the
    working hours paused, on the policy's calendar; lines that are achieved,
    failed or cancelled are never planned again.
    """

    _name = "aftersales.ticket.sla"
    _description = "After-sales Ticket Service Level"
    _order = "ticket_id, date_deadline, id"

    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="Service Level Policy",
        required=True,
        ondelete="restrict",
    )
    calendar_id = fields.Many2one(related="policy_id.calendar_id")
    target = fields.Selection(TARGETS, required=True)
    date_start = fields.Datetime(
        string="Start", required=True, help="When the clock started."
    )
    target_hours = fields.Float(
        string="Target (working hours)", digits=(12, 4), required=True
    )
    paused_hours = fields.Float(
        string="Time Paused",
        digits=(12, 4),
        default=0.0,
        help="Working hours spent paused, counted when the clock resumes.",
    )
    date_paused = fields.Datetime(string="Paused Since")
    date_deadline = fields.Datetime(string="Deadline")
    date_warning = fields.Datetime(string="At Risk From")
    warned = fields.Boolean(string="At Risk", default=False)
    date_reached = fields.Datetime(string="Reached")
    status = fields.Selection(LINE_STATUSES, required=True, default="running")
    escalation_log_ids = fields.One2many(
        "aftersales.sla.escalation.log", "line_id", string="Escalations Taken"
    )

    def init(self):
        # The scans of the scheduled action: running targets by deadline, and
        # running targets not yet warned by warning time.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS aftersales_ticket_sla_running_deadline_idx
                ON aftersales_ticket_sla (date_deadline) WHERE status = 'running';
            CREATE INDEX IF NOT EXISTS aftersales_ticket_sla_running_warning_idx
                ON aftersales_ticket_sla (date_warning)
             WHERE status = 'running' AND NOT warned;
            """
        )

    @api.depends("target", "status", "date_deadline")
    def _compute_display_name(self):
        labels = dict(self._fields["target"]._description_selection(self.env))
        for line in self:
            line.display_name = labels.get(line.target, "")

    def _check_access(self, operation):
        """Service levels follow their ticket: whoever can read (write) the
        ticket can read (write) its lines, and nobody else."""
        result = super()._check_access(operation)
        if result:
            return result
        # The tickets are found in sudo (a line may be out of the user's
        # reach) but checked with the user's rights.
        tickets = self.sudo().ticket_id.sudo(False)
        ticket_result = tickets._check_access(
            "read" if operation == "read" else "write"
        )
        if not ticket_result:
            return None
        forbidden_tickets, make_error = ticket_result
        forbidden = self.sudo().filtered(
            lambda line: line.ticket_id in forbidden_tickets
        )
        return self.browse(forbidden.ids), make_error

    # --- policies -------------------------------------------------------------

    @api.model
    def _set_policies(self, tickets):
        """Set each ticket's policy (one lookup per distinct scope, one write
        per policy) and return {ticket id: policy}."""
        Policy = self.env["aftersales.sla.policy"].sudo()
        policies, policy_of, by_policy = {}, {}, defaultdict(list)
        for ticket in tickets:
            scope = (
                ticket.company_id,
                ticket.tier_id,
                ticket.severity_id,
                ticket.team_id,
                ticket.channel_id,
            )
            if scope not in policies:
                policies[scope] = Policy._policy_for(*scope)
            policy = policy_of[ticket.id] = policies[scope]
            if ticket.sla_policy_id != policy:
                by_policy[policy.id].append(ticket.id)
        for policy_id, ticket_ids in by_policy.items():
            tickets.browse(ticket_ids).write({"sla_policy_id": policy_id})
        return policy_of

    @api.model
    def _apply_policies(self, tickets, planners=None):
        """Find the policy of each of these tickets (open ones) and create or
        re-plan its target lines; lines already achieved or failed are kept
        as they are, and a ticket waiting on the customer gets them paused.

        Set-based: one policy lookup per distinct scope, one write per
        policy, one create for every new line and one planning pass."""
        planners = planners or PlannerCache()
        tickets = tickets.sudo().filtered(lambda t: t.stage_kind in OPEN_KINDS)
        policy_of = self._set_policies(tickets)
        now = fields.Datetime.now()
        Line = self.sudo()
        to_cancel, to_create, to_plan, to_pause = [], [], [], []
        to_update = defaultdict(list)
        for ticket in tickets:
            policy = policy_of[ticket.id]
            targets = ["response", "resolution"]
            if ticket.service_mode == "on_site" and policy.on_site_target:
                targets.append("on_site")
            by_target = {line.target: line for line in ticket.sla_line_ids}
            for target, line in by_target.items():
                if line.status in ("running", "paused") and (
                    not policy or target not in targets
                ):
                    to_cancel.append(line.id)
            if not policy:
                continue
            waiting = ticket.stage_kind == "waiting"
            for target in targets:
                line = by_target.get(target)
                if line and line.status in ("achieved", "failed"):
                    continue
                if target == "response" and ticket.date_first_response:
                    continue
                target_hours = policy._target_hours(target)
                if line:
                    # Running or paused: re-planned for the policy; cancelled:
                    # the target applies again, from now.
                    restart = line.status not in ("running", "paused")
                    to_update[(policy.id, target_hours, restart)].append(line.id)
                    to_plan.append(line.id)
                    if waiting:
                        to_pause.append(line.id)
                    continue
                # A visit decided later starts its clock when it is decided;
                # the other targets count from when the request came in.
                start = (
                    now if target == "on_site" and by_target else ticket.date_received
                )
                to_create.append(
                    {
                        "ticket_id": ticket.id,
                        "policy_id": policy.id,
                        "target": target,
                        "target_hours": target_hours,
                        "date_start": start,
                        **self._deadlines(policy, start, target_hours, 0.0, planners),
                    }
                )
        Line.browse(to_cancel).write({"status": "cancelled"})
        for (policy_id, target_hours, restart), line_ids in to_update.items():
            values = {"policy_id": policy_id, "target_hours": target_hours}
            if restart:
                values.update(status="running", date_start=now)
            Line.browse(line_ids).write(values)
        created = Line.create(to_create)
        Line.browse(to_plan)._plan(planners)
        waiting = created.filtered(lambda line: line.ticket_id.stage_kind == "waiting")
        (Line.browse(to_pause) | waiting)._pause(now)

    # --- planning ------------------------------------------------------------

    @api.model
    def _deadlines(self, policy, date_start, target_hours, paused_hours, planners):
        """The deadline and the warning time of a target of ``policy`` started
        at ``date_start``, the one place they are computed: the target's
        working hours plus the working hours paused, on the policy's calendar;
        the warning comes at the policy's share of the target."""
        warning = target_hours * policy.warning_percent / 100.0
        with policy._planning():
            planner = planners.get(policy.calendar_id, date_start)
            return {
                "date_deadline": planner.add_hours(
                    date_start, target_hours + paused_hours
                ),
                "date_warning": planner.add_hours(date_start, warning + paused_hours),
            }

    def _plan(self, planners=None):
        """Plan the running and paused lines again (new lines get their
        deadlines when they are created)."""
        planners = planners or PlannerCache()
        for line in self.filtered(lambda line: line.status in ("running", "paused")):
            line.write(
                self._deadlines(
                    line.policy_id,
                    line.date_start,
                    line.target_hours,
                    line.paused_hours,
                    planners,
                )
            )

    def _pause(self, now):
        """Stop the clock of running lines (waiting on the customer)."""
        self.filtered(lambda line: line.status == "running").write(
            {"status": "paused", "date_paused": now}
        )

    def _resume(self, now, planners=None):
        """Restart paused lines, pushing their deadline by the working time
        they were paused."""
        planners = planners or PlannerCache()
        paused = self.filtered(lambda line: line.status == "paused")
        for line in paused:
            with line.policy_id._planning():
                planner = planners.get(line.policy_id.calendar_id, line.date_start)
                paused_hours = planner.working_hours(line.date_paused, now)
            line.write(
                {
                    "status": "running",
                    "paused_hours": line.paused_hours + paused_hours,
                    "date_paused": False,
                }
            )
        paused._plan(planners)

    def _reach(self, now):
        """The target was met now: achieved if on time, else failed."""
        for line in self.filtered(lambda line: line.status in ("running", "paused")):
            on_time = not line.date_deadline or now <= line.date_deadline
            line.write(
                {"status": "achieved" if on_time else "failed", "date_reached": now}
            )

    def _reopen(self, planners=None):
        """A resolved ticket reopened: its achieved resolution runs again
        (a failed one stays failed)."""
        lines = self.filtered(lambda line: line.status == "achieved")
        lines.write({"status": "running", "date_reached": False})
        lines._plan(planners)

    def _cancel(self):
        self.filtered(lambda line: line.status in ("running", "paused")).write(
            {"status": "cancelled"}
        )

    # --- scheduled scan --------------------------------------------------------

    @api.model
    def _claim_due(self, now, limit):
        """Mark due lines, set-based: running lines past their deadline become
        failed, running lines past their warning time become warned. Returns
        (failed lines, warned lines) of this call, at most ``limit`` of each
        (a line already past its deadline fails without a warning);
        the UPDATE ... RETURNING claims them, so a concurrent scan cannot take
        the same lines."""
        self.env.flush_all()
        failed_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    UPDATE aftersales_ticket_sla
                       SET status = 'failed', write_date = %(now)s
                     WHERE id IN (SELECT id FROM aftersales_ticket_sla
                                   WHERE status = 'running' AND date_deadline <= %(now)s
                                   ORDER BY date_deadline LIMIT %(limit)s
                                   FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    now=now,
                    limit=limit,
                )
            )
        ]
        warned_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    UPDATE aftersales_ticket_sla SET warned = true, write_date = %(now)s
                     WHERE id IN (SELECT id FROM aftersales_ticket_sla
                                   WHERE status = 'running' AND NOT warned
                                     AND date_warning <= %(now)s
                                     AND date_deadline > %(now)s
                                   ORDER BY date_warning LIMIT %(limit)s
                                   FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    now=now,
                    limit=limit,
                )
            )
        ]
        self.invalidate_model(["status", "warned", "write_date"])
        return self.browse(failed_ids), self.browse(warned_ids)

    @api.model
    def _count_due(self, now):
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                """
                SELECT (SELECT COUNT(*) FROM aftersales_ticket_sla
                         WHERE status = 'running' AND date_deadline <= %(now)s)
                     + (SELECT COUNT(*) FROM aftersales_ticket_sla
                         WHERE status = 'running' AND NOT warned
                           AND date_warning <= %(now)s AND date_deadline > %(now)s)
                """,
                now=now,
            )
        )[0][0]

    # --- escalation ------------------------------------------------------------

    @api.model
    def _cron_check_sla(self, limit=1000):
        """Scheduled action: mark missed and at-risk targets (set-based, the
        partial indexes serve the scan), run the policies' escalation steps
        once each, log on the tickets in batch. One batch of at most
        ``limit`` lines of each kind per call; progress is reported so that
        the scheduler calls again while due lines remain."""
        now = fields.Datetime.now()
        failed, warned = self._claim_due(now, limit)
        lines = failed | warned
        if lines:
            tickets = lines.ticket_id
            self.env.add_to_compute(
                self.env["aftersales.ticket"]._fields["sla_status"], tickets
            )
            self.env.add_to_compute(
                self.env["aftersales.ticket"]._fields["date_sla_deadline"], tickets
            )
            lines._escalate_isolated(failed)
        remaining = self._count_due(now)
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)

    def _escalate_isolated(self, failed):
        """Escalate and log these claimed lines, all at once; when that fails,
        ticket by ticket, so that one ticket (bad data, a step that cannot
        run) never stops the scan for the others. A ticket that fails keeps
        its lines marked; the error is logged with its reference."""
        lines_of = self.grouped("ticket_id")

        def escalate(tickets):
            lines = self.browse()
            for ticket in tickets:
                lines |= lines_of[ticket]
            lines._escalate_and_log(failed)

        jobs.run_isolated(
            self.env,
            list(lines_of),
            escalate,
            lambda ticket: (
                f"Service level scan: escalating ticket {ticket.sudo().number} "
                f"(id {ticket.id})"
            ),
            _logger,
        )

    def _escalate_and_log(self, failed):
        """Escalate these lines (``failed``: those that missed their
        deadline; the others are at risk) and log the scan on their
        tickets."""
        self._log_on_tickets(failed, self._escalate(failed))

    def _escalate(self, failed):
        """Take the policies' steps for these lines, each step at most once
        per line: the breach steps of the ``failed`` lines, the warning steps
        of the others, all run together (one activity per ticket and leader
        names every target). Returns {ticket id: [description of each action
        taken]}."""
        todo = (self & failed)._claim_steps("breach")
        todo += (self - failed)._claim_steps("warning")
        return self.env["aftersales.sla.escalation"]._run(todo)

    def _claim_steps(self, trigger):
        """The (line, step) pairs of ``trigger`` still to take for these
        lines, claimed in the escalation log (each pair at most once,
        whoever scans)."""
        pairs = [
            (line, step)
            for line in self
            for step in line.policy_id.escalation_ids
            if step.trigger == trigger and step.target in ("any", line.target)
        ]
        return self.env["aftersales.sla.escalation.log"]._claim(pairs)

    def _log_on_tickets(self, failed, actions):
        """One chatter note per ticket for this scan, in one batch."""
        labels = dict(self._fields["target"]._description_selection(self.env))
        failed_ids = set(failed.ids)
        lines_by_ticket = defaultdict(list)
        for line in self:
            lines_by_ticket[line.ticket_id.id].append(line)
        bodies = {}
        for ticket in self.ticket_id:
            lines = lines_by_ticket[ticket.id]
            parts = [
                (
                    self.env._(
                        "Service level missed: %(target)s.", target=labels[line.target]
                    )
                    if line.id in failed_ids
                    else self.env._(
                        "Service level at risk: %(target)s.", target=labels[line.target]
                    )
                )
                for line in lines
            ]
            if actions.get(ticket.id):
                parts.append(
                    self.env._(
                        "Escalation: %(actions)s.",
                        actions=", ".join(actions[ticket.id]),
                    )
                )
            bodies[ticket.id] = Markup("<br/>").join(parts)
        self.ticket_id.sudo()._message_log_batch(bodies=bodies)
