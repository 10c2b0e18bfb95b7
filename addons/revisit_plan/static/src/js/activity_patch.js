import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { patch } from "@web/core/utils/patch";

/**
 * Marking a revisit activity done opens the revisit's short outcome form
 * (channel, satisfaction, feedback, issues, follow-up) instead of the plain
 * "Mark Done" popover; other activities keep Odoo's behaviour.
 */
async function openRevisitOutcome(env, activity, onClose) {
    const action = await env.services.orm.call("revisit.record", "action_record_outcome", [
        [activity.res_id],
    ]);
    await env.services.action.doAction(action, { onClose });
}

patch(Activity.prototype, {
    async onClickMarkAsDone(ev) {
        if (this.props.activity.res_model !== "revisit.record") {
            return super.onClickMarkAsDone(ev);
        }
        const thread = this.thread;
        await openRevisitOutcome(this.env, this.props.activity, async () => {
            this.props.onActivityChanged(thread);
            await this.props.reloadParentView?.();
        });
    },
});

patch(ActivityListPopoverItem.prototype, {
    onClickMarkAsDone() {
        if (this.props.activity.res_model !== "revisit.record") {
            return super.onClickMarkAsDone();
        }
        return openRevisitOutcome(this.env, this.props.activity, () =>
            this.props.onActivityChanged?.()
        );
    },
});
