import { registry } from "@web/core/registry";

// A 1x1 PNG: the photo the customer attaches.
const PNG =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

registry.category("web_tour.tours").add("aftersales_portal_first_request_tour", {
    url: "/my",
    steps: () => [
        {
            content: "A new customer finds where to ask for help",
            trigger: ".o_portal_index_card:not(.d-none) a[title='After-sales Tickets']",
            run: "click",
        },
        {
            content: "The empty list says what to do",
            trigger: ".o_aftersales_no_ticket:contains('You have no request yet')",
        },
        {
            trigger: "a.o_aftersales_new_ticket",
            run: "click",
        },
        {
            content: "The form says at which severity the request is handled",
            trigger: ".o_aftersales_new_ticket_severity:contains('Normal')",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form input[name='name']",
            run: "edit The freezer door does not close",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form select[name='product_id']",
            run: "selectByLabel Freezer FZ-90",
        },
        {
            trigger: "form.o_aftersales_new_ticket_form textarea[name='description']",
            run: "edit The seal seems torn, see the photo.",
        },
        {
            content: "Attach a photo",
            trigger: "form.o_aftersales_new_ticket_form input[name='attachments']",
            run() {
                const bytes = Uint8Array.from(atob(PNG), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], "door.png", { type: "image/png" }));
                this.anchor.files = transfer.files;
            },
        },
        {
            trigger: "form.o_aftersales_new_ticket_form button[type='submit']",
            run: "click",
        },
        {
            content: "The request opens with its photo",
            trigger: ".o_aftersales_portal_ticket h2:contains('The freezer door does not close')",
        },
        {
            trigger: ".o_aftersales_portal_files a:contains('door.png')",
        },
    ],
});
