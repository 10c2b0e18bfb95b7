import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("revisit_plan_outcome_tour", {
    url: "/odoo/action-revisit_plan.revisit_record_action_today",
    steps: () => [
        {
            content: "Open today's revisit",
            trigger: ".o_data_row:contains('Tour Customer') td[name='partner_id']",
            run: "click",
        },
        {
            content: "The revisit is planned for today",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Planned')",
        },
        {
            content: "Mark the revisit activity done",
            trigger: ".o-mail-Activity .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "The outcome form opens: 4 stars",
            trigger: ".modal div[name='satisfaction'] .o_priority_star[aria-label='Satisfied']",
            run: "click",
        },
        {
            trigger: ".modal div[name='feedback'] textarea",
            run: "edit Happy with the service",
        },
        {
            content: "A follow-up is needed",
            trigger: ".modal div[name='follow_up'] input",
            run: "click",
        },
        {
            trigger: ".modal div[name='follow_up_note'] textarea",
            run: "edit Send the new catalogue",
        },
        {
            content: "Record the outcome",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The next revisit is planned",
            trigger:
                ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains('Planned')",
        },
        {
            content: "with its activity, for the follow-up asked",
            trigger: ".o-mail-Activity:contains('Send the new catalogue')",
        },
    ],
});
