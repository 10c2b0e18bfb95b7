import { registry } from "@web/core/registry";

/** Fail unless the element is fully inside the browser's viewport. */
function assertInViewport(element, what) {
    const rect = element.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight || rect.width === 0) {
        throw new Error(
            `${what} is out of view: ${Math.round(rect.top)}–${Math.round(rect.bottom)} ` +
                `in a viewport of ${window.innerHeight}px`
        );
    }
}

// A cashier on a phone (390×844) scans a member card, enters 1700, lets the
// customer pay 60 from the balance, and the customer types a wrong PIN: the
// refusal shows beside Confirm, in view. Amounts show with the currency and
// thousands separators. The right PIN then confirms.
registry.category("web_tour.tours").add("loyalty_cards_counter_phone_tour", {
    url: "/odoo/loyalty-counter",
    steps: () => [
        {
            trigger: ".o_loyalty_counter_code",
            run: "edit TQ7M2XPA9RTD4HWE",
        },
        {
            trigger: ".o_loyalty_counter_find",
            run: "click",
        },
        {
            content: "The balance shows with its currency",
            trigger: ".o_loyalty_counter_balance:contains('$'):contains('500.00')",
        },
        {
            trigger: ".o_loyalty_counter_amount",
            run: "edit 1700",
        },
        {
            trigger: ".o_loyalty_counter_balance_used",
            run: "edit 60",
        },
        {
            content: "The preview has thousands separators and the currency",
            trigger: ".o_loyalty_counter_net:contains('$'):contains('1,700.00')",
        },
        {
            trigger: ".o_loyalty_counter_due:contains('1,640.00')",
        },
        {
            content: "The customer types a wrong PIN",
            trigger: ".o_loyalty_counter_pin",
            run: "edit 135799",
        },
        {
            content: "Confirm is reachable without scrolling",
            trigger: ".o_loyalty_counter_confirm:enabled",
            run() {
                assertInViewport(this.anchor, "Confirm");
                this.anchor.click();
            },
        },
        {
            content: "The refusal shows in view",
            trigger: ".o_loyalty_counter_error:contains('PIN')",
            run() {
                assertInViewport(this.anchor, "The error");
            },
        },
        {
            content: "The customer types the right PIN",
            trigger: ".o_loyalty_counter_pin",
            run: "edit 246810",
        },
        {
            trigger: ".o_loyalty_counter_confirm:enabled",
            run: "click",
        },
        {
            content: "The new balance shows with its currency",
            trigger: ".o_loyalty_counter_receipt .o_loyalty_counter_new_balance:contains('$'):contains('440.00')",
        },
        {
            content: "Points show with thousands separators",
            trigger: ".o_loyalty_counter_receipt .o_loyalty_counter_new_points:contains('3,700.00')",
        },
    ],
});
