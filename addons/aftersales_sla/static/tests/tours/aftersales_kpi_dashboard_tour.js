import { registry } from "@web/core/registry";

/** Set a date field of the filters as the browser's date picker does. */
function setDate(selector, value) {
    return {
        trigger: selector,
        run() {
            const input = document.querySelector(selector);
            input.value = value;
            input.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

registry.category("web_tour.tours").add("aftersales_kpi_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard is a page of its own, not a form to save",
            trigger: ".o_aftersales_kpi_dashboard .o_breadcrumb:contains('KPI Dashboard')",
        },
        {
            trigger: ".o_aftersales_kpi_dashboard:not(:has(.o_form_button_save))",
        },
        {
            content: "Each KPI reads its actual value against its target",
            trigger: ".o_aftersales_kpi[data-kpi='fcr_rate'] .o_aftersales_kpi_label:contains('First-contact Resolution')",
        },
        {
            trigger: ".o_aftersales_kpi[data-kpi='fcr_rate'] .o_aftersales_kpi_target:contains('85.0 %')",
        },
        setDate("input[name='date_from']", "2026-12-01"),
        setDate("input[name='date_to']", "2026-12-31"),
        {
            trigger: ".o_aftersales_kpi_ticket_count:contains('2')",
        },
        {
            content: "with its monthly trend",
            trigger: ".o_aftersales_kpi[data-kpi='fcr_rate'] svg.o_aftersales_kpi_trend rect.o_aftersales_kpi_bar_met",
        },
        {
            content: "One customer tier",
            trigger: "select[name='tier_id']",
            run: "selectByLabel Gold",
        },
        {
            trigger: ".o_aftersales_kpi_ticket_count:contains('1')",
        },
        {
            trigger: ".o_aftersales_kpi[data-kpi='resolution_rate'] .o_aftersales_kpi_actual:contains('100.0 %')",
        },
        {
            content: "The analysis of the same tickets",
            trigger: "button.o_aftersales_kpi_analysis",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_cell_value:contains('100%')",
        },
    ],
});
