import { Component, onMounted, onWillStart, useRef, useState } from "@odoo/owl";
import { isMobileOS } from "@web/core/browser/feature_detection";
import * as BarcodeScanner from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useDebounced } from "@web/core/utils/timing";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";

/** A random idempotency key (works without a secure context). */
function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "counter-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function emptyForm() {
    return {
        amount: "",
        couponCode: "",
        balanceUsed: "",
        pointsUsed: "",
        pin: "",
        newPin: "",
        newPinConfirm: "",
        topupAmount: "",
        // The id of a loyalty.payment.method; empty: the company's first.
        paymentMethod: "",
    };
}

/**
 * The counter screen: a cashier scans or types a member card or coupon,
 * enters the amount, lets the customer pay with balance and/or points
 * (PIN) and confirms. Each confirmation carries an idempotency key kept
 * until it succeeds, so double clicks and retries record it once.
 */
export class LoyaltyCounter extends Component {
    static template = "loyalty_cards.LoyaltyCounter";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.codeInput = useRef("code");
        this.amountInput = useRef("amount");
        this.pinInput = useRef("pin");
        this.errorBox = useRef("error");
        this.state = useState({
            code: "",
            mode: false, // "card" or "coupon"
            tab: "purchase",
            card: null,
            coupon: null,
            form: emptyForm(),
            preview: null,
            receipt: null,
            topupReceipt: null,
            topupPreview: null,
            error: "",
            busy: false,
            key: newKey(),
            topupKey: newKey(),
        });
        this.canScan = isMobileOS() && isBarcodeScannerSupported();
        // The company's payment methods, in the user's language.
        this.paymentMethods = [];
        onWillStart(async () => {
            const methods = await this.orm.searchRead("loyalty.payment.method", [], ["name"]);
            this.paymentMethods = methods.map((m) => ({ value: String(m.id), label: m.name }));
            this.state.form.paymentMethod = this.paymentMethods[0]?.value || "";
        });
        this.debouncedPreview = useDebounced(() => this.refreshPreview(), 300);
        this.debouncedTopupPreview = useDebounced(() => this.refreshTopupPreview(), 300);
        onMounted(() => this.codeInput.el?.focus());
    }

    /** The currency of the card, else of the coupon's programme. */
    get currencyId() {
        return (this.state.card || this.state.coupon || {}).currency_id;
    }

    get spending() {
        const f = this.state.form;
        return Number(f.balanceUsed || 0) > 0 || Number(f.pointsUsed || 0) > 0;
    }

    get canConfirm() {
        return !this.state.busy && Number(this.state.form.amount) > 0;
    }

    get canTopup() {
        return !this.state.busy && Number(this.state.form.topupAmount) > 0;
    }

    showPurchase() {
        this.state.tab = "purchase";
    }

    showTopup() {
        this.state.tab = "topup";
    }

    /** An amount in the user's language, with the card's or coupon's currency. */
    formatMoney(value, currencyId = this.currencyId) {
        return formatMonetary(Number(value || 0), { currencyId });
    }

    /** Points as the programme rounds them (cents), in the user's language. */
    formatPoints(value) {
        return formatFloat(Number(value || 0), { digits: [16, 2] });
    }

    /**
     * Show a refusal where the cashier is looking: the message sits in the
     * action bar pinned to the bottom of the screen, beside Confirm.
     */
    showError(error) {
        this.state.error = this.errorMessage(error);
        setTimeout(() => this.errorBox.el?.scrollIntoView({ block: "nearest" }), 0);
    }

    errorMessage(error) {
        return (error && error.data && error.data.message) || (error && error.message) || _t("Something went wrong.");
    }

    // --- finding the card or coupon -------------------------------------------

    async onCodeKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            await this.lookup();
        }
    }

    async scan() {
        try {
            const code = await BarcodeScanner.scanBarcode(this.env);
            if (code) {
                this.state.code = code;
                await this.lookup();
            }
        } catch (error) {
            this.showError(error);
        }
    }

    async lookup() {
        const code = this.state.code.trim();
        if (!code || this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            const result = await this.orm.call("loyalty.counter", "lookup", [code]);
            this.resetSale();
            this.state.mode = result.kind;
            this.state.card = result.card || null;
            this.state.coupon = result.coupon || null;
            if (result.kind === "coupon") {
                this.state.form.couponCode = code;
            }
            setTimeout(() => this.amountInput.el?.focus(), 0);
        } catch (error) {
            this.state.mode = false;
            this.state.card = null;
            this.state.coupon = null;
            this.showError(error);
        } finally {
            this.state.busy = false;
        }
    }

    resetSale() {
        Object.assign(this.state, {
            tab: "purchase",
            form: { ...emptyForm(), paymentMethod: this.paymentMethods[0]?.value || "" },
            preview: null,
            receipt: null,
            topupReceipt: null,
            topupPreview: null,
            error: "",
            key: newKey(),
            topupKey: newKey(),
        });
    }

    nextCustomer() {
        this.resetSale();
        Object.assign(this.state, { code: "", mode: false, card: null, coupon: null });
        setTimeout(() => this.codeInput.el?.focus(), 0);
    }

    // --- purchase -------------------------------------------------------------

    requestValues() {
        const f = this.state.form;
        return {
            card_id: this.state.card ? this.state.card.id : false,
            amount: f.amount,
            coupon_code: f.couponCode.trim() || false,
            balance_used: f.balanceUsed || 0,
            points_used: f.pointsUsed || 0,
            payment_method_id: Number(f.paymentMethod) || false,
            channel: "counter",
        };
    }

    onInput() {
        this.state.error = "";
        if (Number(this.state.form.amount) > 0) {
            this.debouncedPreview();
        } else {
            this.state.preview = null;
        }
    }

    useAllBalance() {
        const due = this.state.preview ? this.state.preview.net_amount : Number(this.state.form.amount || 0);
        this.state.form.balanceUsed = String(Math.min(this.state.card.balance, due));
        this.onInput();
    }

    async refreshPreview() {
        if (!(Number(this.state.form.amount) > 0)) {
            return;
        }
        try {
            this.state.preview = await this.orm.call("loyalty.counter", "preview", [
                this.requestValues(),
            ]);
            this.state.error = "";
        } catch (error) {
            this.state.preview = null;
            this.showError(error);
        }
    }

    async setPin() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const f = this.state.form;
            this.state.card = await this.orm.call("loyalty.counter", "set_pin", [
                this.state.card.id,
                f.newPin,
                f.newPinConfirm,
            ]);
            f.pin = f.newPin;
            f.newPin = f.newPinConfirm = "";
            this.notification.add(_t("PIN set."), { type: "success" });
        } catch (error) {
            this.showError(error);
        } finally {
            this.state.busy = false;
        }
    }

    async confirm() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            const values = {
                ...this.requestValues(),
                pin: this.spending ? this.state.form.pin : false,
                idempotency_key: this.state.key,
            };
            const receipt = await this.orm.call("loyalty.counter", "confirm", [values]);
            this.state.receipt = receipt;
            if (receipt.card) {
                Object.assign(this.state.card, {
                    points: receipt.card.points,
                    balance: receipt.card.balance,
                });
            }
            this.state.form.pin = "";
        } catch (error) {
            this.showError(error);
            // The customer types the PIN again, in the field that has the focus.
            this.state.form.pin = "";
            this.pinInput.el?.focus();
            if (this.state.card) {
                // The lock state may have changed (wrong PINs).
                this.refreshCard();
            }
        } finally {
            this.state.busy = false;
        }
    }

    async refreshCard() {
        try {
            const result = await this.orm.call("loyalty.counter", "lookup", [
                this.state.card.number,
            ]);
            if (result.card) {
                this.state.card = result.card;
            }
        } catch {
            // Keep what is shown; the error above says what went wrong.
        }
    }

    // --- closing the session ----------------------------------------------------

    /** Open the closing dialog of the cashier's open session (cash counted). */
    async closeSession() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        let action;
        try {
            action = await this.orm.call("loyalty.counter", "session_close_action", []);
        } catch (error) {
            // A notification: seen whatever the screen shows (even a receipt).
            this.notification.add(this.errorMessage(error), { type: "danger" });
            return;
        } finally {
            this.state.busy = false;
        }
        await this.action.doAction(action, {
            onClose: () => this.nextCustomer(),
        });
    }

    // --- top-up ---------------------------------------------------------------

    onTopupInput() {
        this.state.error = "";
        this.state.topupReceipt = null;
        if (Number(this.state.form.topupAmount) > 0) {
            this.debouncedTopupPreview();
        } else {
            this.state.topupPreview = null;
        }
    }

    async refreshTopupPreview() {
        if (!(Number(this.state.form.topupAmount) > 0)) {
            return;
        }
        try {
            this.state.topupPreview = await this.orm.call("loyalty.counter", "topup_preview", [
                { card_id: this.state.card.id, amount: this.state.form.topupAmount },
            ]);
            this.state.error = "";
        } catch (error) {
            this.state.topupPreview = null;
            this.showError(error);
        }
    }

    async topup() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            const f = this.state.form;
            const result = await this.orm.call("loyalty.counter", "topup", [
                {
                    card_id: this.state.card.id,
                    amount: f.topupAmount,
                    payment_method_id: Number(f.paymentMethod) || false,
                    idempotency_key: this.state.topupKey,
                },
            ]);
            this.state.topupReceipt = result;
            this.state.topupPreview = null;
            this.state.card = result.card;
            this.state.topupKey = newKey();
            f.topupAmount = "";
        } catch (error) {
            this.showError(error);
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("actions").add("loyalty_cards.counter", LoyaltyCounter);
