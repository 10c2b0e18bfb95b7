import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_agent_tour", {
    steps: () => [
        {
            content: "Take the ticket",
            trigger: ".o_form_view button[name='action_assign_to_me']",
            run: "click",
        },
        {
            content: "The ticket is ours",
            trigger: ".o_form_view:not(:has(button[name='action_assign_to_me']))",
        },
        {
            content: "Answer the customer",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Our technician calls you within the hour.",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message is posted",
            trigger: ".o-mail-Message:contains('Our technician calls you within the hour.')",
        },
        {
            content: "Resolve it",
            trigger: ".o_statusbar_status button:contains('Resolved')",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
        },
        {
            content: "Close it",
            trigger: ".o_statusbar_status .dropdown-toggle",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Closed')",
            run: "click",
        },
        {
            content: "The ticket is closed",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Closed')",
        },
        {
            content: "Back to the tickets (saves the form if needed)",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_kanban_view, .o_list_view",
        },
    ],
});
