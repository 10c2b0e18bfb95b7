import { registry } from "@web/core/registry";

// A cashier scans a member card (typed with spaces, in lower case), takes
// 100 of which 60 from the balance with the customer's PIN, and sees the
// new balance.
registry.category("web_tour.tours").add("loyalty_cards_counter_tour", {
    url: "/odoo/loyalty-counter",
    steps: () => [
        {
            content: "Scan or type the card number",
            trigger: ".o_loyalty_counter_code",
            run: "edit tq7m 2xpa 9rtd 4hwe",
        },
        {
            trigger: ".o_loyalty_counter_find",
            run: "click",
        },
        {
            content: "The member shows, with the balance",
            trigger: ".o_loyalty_counter_partner:contains('Portal Member')",
        },
        {
            trigger: ".o_loyalty_counter_balance:contains('500.00')",
        },
        {
            content: "Enter the amount",
            trigger: ".o_loyalty_counter_amount",
            run: "edit 100",
        },
        {
            content: "Pay 60 with the balance",
            trigger: ".o_loyalty_counter_balance_used",
            run: "edit 60",
        },
        {
            content: "The customer types the PIN",
            trigger: ".o_loyalty_counter_pin",
            run: "edit 246810",
        },
        {
            content: "40 remain to pay otherwise",
            trigger: ".o_loyalty_counter_due:contains('40.00')",
        },
        {
            content: "Confirm",
            trigger: ".o_loyalty_counter_confirm:enabled",
            run: "click",
        },
        {
            content: "The new balance shows",
            trigger: ".o_loyalty_counter_receipt .o_loyalty_counter_new_balance:contains('440.00')",
        },
    ],
});
