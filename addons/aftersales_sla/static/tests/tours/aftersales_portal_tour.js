import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_portal_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            content: "Ask for help",
            trigger: "a.o_aftersales_new_ticket",
            run: "click",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form input[name='name']",
            run: "edit The cold room alarm rings",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form textarea[name='description']",
            run: "edit Since this morning, every ten minutes.",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form button[type='submit']",
            run: "click",
        },
        {
            content: "The new ticket opens with its service levels",
            trigger: ".o_aftersales_portal_ticket h2:contains('The cold room alarm rings')",
        },
        {
            trigger: ".o_aftersales_portal_sla",
        },
        {
            content: "Back to the tickets",
            trigger: ".o_portal_submenu a[href='/my/tickets']",
            run: "click",
        },
        {
            content: "Open the closed ticket",
            trigger: "a:contains('Fixed compressor')",
            run: "click",
        },
        {
            content: "Rate it",
            trigger: ".o_aftersales_rate a[title='Satisfied']",
            run: "click",
        },
        {
            trigger: "textarea[name='feedback']",
            run: "edit Fast and friendly.",
        },
        {
            trigger: "button:contains('Send Feedback')",
            run: "click",
        },
        {
            content: "Thanked for the feedback",
            trigger: "h3:contains('Thank you for your feedback')",
        },
    ],
});
