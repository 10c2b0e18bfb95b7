import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_onsite_tour", {
    steps: () => [
        {
            content: "Arrive on site",
            trigger: ".o_form_view button[name='action_check_in']",
            run: "click",
        },
        {
            content: "Leave the site",
            trigger: ".o_form_view button[name='action_check_out']",
            run: "click",
        },
        {
            content: "A dialog asks for the service report",
            trigger: ".modal .modal-title:contains('Leave Site')",
        },
        {
            trigger: ".modal div[name='service_report'] .odoo-editor-editable",
            run: "editor Door seal replaced, the customer checked the cold room.",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The ticket has left the site",
            trigger: "body:not(:has(.modal)) .o_form_view:not(:has(button[name='action_check_out']))",
        },
        {
            content: "Invoice the customer",
            trigger: ".o_form_view button[name='action_create_invoice']",
            run: "click",
        },
        {
            content: "The agent is told what happens next",
            trigger: ".o_notification:contains('Draft invoice created'), .o_breadcrumb .active:contains('Draft Invoice')",
        },
    ],
});
