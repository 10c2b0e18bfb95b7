import { registry } from "@web/core/registry";

// A customer changes the PIN of a member card in the portal: the current
// PIN, the new one twice, and the page says it is saved.
registry.category("web_tour.tours").add("loyalty_cards_portal_pin_tour", {
    steps: () => [
        {
            content: "The current PIN",
            trigger: ".o_loyalty_portal_pin_form input[name='current_pin']",
            run: "edit 246810",
        },
        {
            trigger: ".o_loyalty_portal_pin_form input[name='new_pin']",
            run: "edit 192837",
        },
        {
            trigger: ".o_loyalty_portal_pin_form input[name='confirm_pin']",
            run: "edit 192837",
        },
        {
            content: "Change the PIN",
            trigger: ".o_loyalty_portal_pin_form button[type='submit']",
            run: "click",
        },
        {
            content: "The PIN is saved",
            trigger: ".o_loyalty_portal_pin_done",
        },
    ],
});
