import { registry } from "@web/core/registry";

/**
 * The cashier's sale, paid 60 with the balance (PIN) and 40 in cash, then
 * the closing of the cashier's session from the counter screen with the
 * cash counted (``cashCounted``).
 */
function sellAndCloseSteps(cashCounted) {
    return [
        {
            content: "Before any sale there is no session to close",
            trigger: ".o_loyalty_counter_close_session:enabled",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('no open counter session')",
        },
        {
            content: "Type the card number",
            trigger: ".o_loyalty_counter_code",
            run: "edit TQ7M2XPA9RTD4HWE",
        },
        {
            trigger: ".o_loyalty_counter_find",
            run: "click",
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
            content: "40 remain, paid in cash",
            trigger: ".o_loyalty_counter_due:contains('40.00')",
        },
        {
            trigger: "#loyalty_counter_due_method",
            run() {
                const cash = [...this.anchor.options].find((o) => o.text === "Cash");
                if (!cash) {
                    throw new Error("The counter offers no Cash payment method");
                }
                this.anchor.value = cash.value;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
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
        {
            content: "Close the session from the counter screen",
            trigger: ".o_loyalty_counter_close_session:enabled",
            run: "click",
        },
        {
            content: "The closing dialog expects the 40 taken in cash",
            trigger: ".modal div[name='cash_expected']:contains('40.00')",
        },
        {
            content: "Count the cash",
            trigger: ".modal div[name='count_cash'] input",
            run: "click",
        },
        {
            trigger: ".modal div[name='cash_counted'] input",
            run: `edit ${cashCounted}`,
        },
        {
            content: "Close and post",
            trigger: ".modal button[name='action_close']",
            run: "click",
        },
        {
            content: "The dialog is gone, the counter waits for the next customer",
            trigger: "body:not(:has(.modal)) .o_loyalty_counter_code",
        },
        {
            trigger: "body:not(:has(.o_loyalty_counter_receipt))",
        },
    ];
}

registry.category("web_tour.tours").add("loyalty_cards_counter_close_tour", {
    url: "/odoo/loyalty-counter",
    steps: () => sellAndCloseSteps("40"),
});

registry.category("web_tour.tours").add("loyalty_cards_counter_close_phone_tour", {
    url: "/odoo/loyalty-counter",
    steps: () => sellAndCloseSteps("38"),
});

// The manager opens the closed session and its journal entry: posted.
registry.category("web_tour.tours").add("loyalty_cards_session_entry_tour", {
    url: "/odoo/action-loyalty_cards.loyalty_counter_session_action",
    steps: () => [
        {
            content: "Show every cashier's sessions, not only the manager's",
            trigger: ".o_searchview_facet:contains('My Sessions') .o_facet_remove",
            run: "click",
        },
        {
            content: "Open the cashier's closed session",
            trigger: ".o_data_row:contains('Loyalty Cashier'):contains('Closed and Posted') td[name='name']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status [aria-checked='true']:contains('Closed and Posted')",
        },
        {
            content: "Open its journal entry",
            trigger: "button[name='action_open_move']",
            run: "click",
        },
        {
            content: "The entry is posted",
            trigger: ".o_form_view .o_statusbar_status [aria-checked='true']:contains('Posted')",
        },
    ],
});
