import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat } from "@web/core/utils/numbers";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const CHART_WIDTH = 240;
const CHART_HEIGHT = 64;

function isoDate(date) {
    const month = String(date.getMonth() + 1).padStart(2, "0");
    const day = String(date.getDate()).padStart(2, "0");
    return `${date.getFullYear()}-${month}-${day}`;
}

/**
 * The after-sales KPIs of a period, team and customer tier against their
 * targets, with a monthly trend chart per KPI. The figures come from
 * aftersales.kpi.dashboard's get_dashboard_data.
 */
export class KpiDashboard extends Component {
    static template = "aftersales_sla.KpiDashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        const today = new Date();
        this.state = useState({
            date_from: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)),
            date_to: isoDate(today),
            team_id: false,
            tier_id: false,
            data: null,
        });
        this.chartWidth = CHART_WIDTH;
        this.chartHeight = CHART_HEIGHT;
        onWillStart(() => this.load());
    }

    get filters() {
        const { date_from, date_to, team_id, tier_id } = this.state;
        return [date_from, date_to, team_id, tier_id];
    }

    async load() {
        this.state.data = await this.orm.call(
            "aftersales.kpi.dashboard",
            "get_dashboard_data",
            this.filters
        );
    }

    async onDateChange(name, ev) {
        if (ev.target.value) {
            this.state[name] = ev.target.value;
            // A period always ends after it starts: the other end follows.
            if (this.state.date_from > this.state.date_to) {
                const other = name === "date_from" ? "date_to" : "date_from";
                this.state[other] = ev.target.value;
            }
            await this.load();
        }
    }

    async onSelectChange(name, ev) {
        this.state[name] = parseInt(ev.target.value) || false;
        await this.load();
    }

    async openAnalysis() {
        const action = await this.orm.call(
            "aftersales.kpi.dashboard",
            "action_open_analysis",
            this.filters
        );
        this.action.doAction(action);
    }

    formatValue(value, unit) {
        if (value === null || value === false || value === undefined) {
            return "-";
        }
        return `${formatFloat(value, { digits: [false, 1] })} ${unit}`;
    }

    statusClass(kpi) {
        if (kpi.met === null) {
            return "text-muted";
        }
        return kpi.met ? "text-success" : "text-danger";
    }

    statusText(kpi) {
        if (kpi.met === null) {
            return _t("No data");
        }
        return kpi.met ? _t("On target") : _t("Off target");
    }

    /** The bars of a KPI's trend chart and its target line, in SVG units. */
    chart(kpi) {
        const values = kpi.trend.map((point) => point.value || 0);
        const top = kpi.unit === "%" ? 100 : Math.max(kpi.target, ...values) * 1.1 || 1;
        const step = CHART_WIDTH / kpi.trend.length;
        const scale = (value) => (CHART_HEIGHT * Math.min(value, top)) / top;
        const bars = kpi.trend.map((point, index) => {
            const height = point.value === null ? 0 : Math.max(scale(point.value), 1);
            let status = "o_aftersales_kpi_bar_empty";
            if (point.value !== null) {
                const met = kpi.higher_is_better
                    ? point.value >= kpi.target
                    : point.value <= kpi.target;
                status = met ? "o_aftersales_kpi_bar_met" : "o_aftersales_kpi_bar_missed";
            }
            return {
                key: index,
                x: index * step + step * 0.15,
                y: CHART_HEIGHT - height,
                width: step * 0.7,
                height,
                status,
                title: `${point.month}: ${this.formatValue(point.value, kpi.unit)}`,
            };
        });
        return {
            bars,
            targetY: CHART_HEIGHT - scale(kpi.target),
            first: kpi.trend[0].month,
            last: kpi.trend[kpi.trend.length - 1].month,
        };
    }
}

registry.category("actions").add("aftersales_sla.kpi_dashboard", KpiDashboard);
