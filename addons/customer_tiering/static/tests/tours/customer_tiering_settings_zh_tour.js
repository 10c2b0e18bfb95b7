import { registry } from "@web/core/registry";

const applyMode = "div[name='tier_apply_mode']";

registry.category("web_tour.tours").add("customer_tiering_settings_zh_tour", {
    url: "/odoo/settings#customer_tiering",
    steps: () => [
        {
            content: "The settings read in Chinese: the setting's label",
            trigger: ".o_setting_box:contains('应用变更')",
        },
        {
            content: "and its options",
            trigger: `${applyMode} label:contains('自动')`,
        },
        {
            content: "Review tier changes before they apply",
            trigger: `${applyMode} label:contains('经理审核后')`,
            run: "click",
        },
        {
            trigger: `${applyMode} input[data-value='review']:checked`,
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved, .o_form_view:not(:has(.o_form_button_save:visible))",
        },
    ],
});
