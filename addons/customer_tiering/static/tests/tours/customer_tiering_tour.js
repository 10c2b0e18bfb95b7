import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const weightCell = (indicator) =>
    `div[name='tier_weight_line_ids'] .o_data_row:contains('${indicator}') td[name='weight']`;

registry.category("web_tour.tours").add("customer_tiering_weight_tour", {
    url: "/odoo/settings#customer_tiering",
    steps: () => [
        {
            content: "Edit the weight of the manual score",
            trigger: weightCell("Tour Manual"),
            run: "click",
        },
        {
            trigger: `${weightCell("Tour Manual")} input`,
            run: "edit 80",
        },
        {
            content: "Edit the weight of the potential",
            trigger: weightCell("Tour Potential"),
            run: "click",
        },
        {
            trigger: `${weightCell("Tour Potential")} input`,
            run: "edit 20",
        },
        {
            content: "Leave the line so that the total is computed",
            trigger: "div[name='tier_weight_total']",
            run: "click",
        },
        {
            content: "The weights add up to 100 again",
            trigger: "div[name='tier_weight_total']:contains('100.00')",
        },
        {
            content: "Preview the evaluation with the unsaved weights",
            trigger: "button[name='action_tier_preview']",
            run: "click",
        },
        {
            content: "One customer would move up",
            trigger: ".modal div[name='count_up']:contains('1')",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The evaluation is done",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        ...stepUtils.goToAppSteps("contacts.menu_contacts", "Open the contacts"),
        {
            trigger: ".o_searchview_input",
            run: "edit Tour Rising Star",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the customer",
            trigger: ".o_kanban_record:contains('Tour Rising Star')",
            run: "click",
        },
        {
            content: "The customer shows its new tier",
            trigger: ".o_form_view div[name='commercial_tier_id']:contains('Tour Gold')",
        },
    ],
});
