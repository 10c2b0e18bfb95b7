#!/usr/bin/env python3
"""Take the README's screenshots from a running suite (make run).

    .venv/bin/python tools/screenshots.py [--url http://127.0.0.1:8069]

Logs in as admin, opens each page below in headless Chromium through the
DevTools protocol (websocket-client) in each language of LANGUAGES (the
admin's language is switched, and switched back at the end) and writes
docs/screenshots/<name>.png in English, <name>.<lang>.png in the others.
Chinese needs a CJK font (tools/setup.sh installs fonts-noto-cjk).
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = [
    ("contacts_tiers", "/odoo/contacts?view_type=list"),
    (
        "tier_evaluation",
        "/odoo/action-customer_tiering.customer_tier_evaluation_action/1",
    ),
    ("aftersales_tickets", "/odoo/aftersales-tickets"),
    ("aftersales_kpis", "/odoo/action-aftersales_sla.aftersales_kpi_dashboard_action"),
    ("loyalty_counter", "/odoo/action-loyalty_cards.loyalty_counter_action"),
    ("loyalty_members", "/odoo/action-loyalty_cards.loyalty_card_member_action"),
    ("revisits", "/odoo/action-revisit_plan.revisit_record_action"),
    ("tier_settings", "/odoo/settings#customer_tiering"),
    ("aftersales_ticket", "/odoo/aftersales-tickets/{ticket}"),
    ("hand_over", "/odoo/action-revisit_plan.revisit_reassign_action"),
    (
        "loyalty_session",
        "/odoo/action-loyalty_cards.loyalty_counter_session_action/{session}",
    ),
    (
        "loyalty_books",
        "/odoo/action-loyalty_cards.loyalty_stored_value_report_action",
    ),
]
LANGUAGES = ("en_US", "zh_CN")


# Typed into a page before its screenshot: {code} is a demo member card.
SCRIPTS = {
    "loyalty_counter": """
        const input = document.querySelector(".o_loyalty_counter_code");
        input.value = "{code}";
        input.dispatchEvent(new Event("input", {{bubbles: true}}));
        document.querySelector(".o_loyalty_counter_find").click();
    """,
}


def browser_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("Chromium not found")


def member_card_code(url, session):
    """The number of the demo member card with the most points."""
    response = requests.post(
        f"{url}/web/dataset/call_kw",
        json={
            "params": {
                "model": "loyalty.card",
                "method": "search_read",
                "args": [[("is_member_card", "=", True)], ["code"]],
                "kwargs": {"order": "points desc", "limit": 1},
            }
        },
        cookies={"session_id": session},
        timeout=30,
    )
    response.raise_for_status()
    cards = response.json().get("result") or [{"code": ""}]
    return cards[0]["code"]


def call_kw(url, session, model, method, args, kwargs=None):
    response = requests.post(
        f"{url}/web/dataset/call_kw",
        json={
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            }
        },
        cookies={"session_id": session},
        timeout=120,
    )
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        raise SystemExit(body["error"]["data"]["message"])
    return body["result"]


def use_language(url, session, login, lang):
    """Install ``lang`` when needed and make it the language of ``login``;
    return that user's previous language."""
    uid = call_kw(url, session, "res.users", "search", [[("login", "=", login)]])
    previous = call_kw(url, session, "res.users", "read", [uid, ["lang"]])[0]["lang"]
    installed = call_kw(
        url, session, "res.lang", "search_count", [[("code", "=", lang)]]
    )
    if not installed:
        lang_ids = call_kw(
            url,
            session,
            "res.lang",
            "search",
            [[("code", "=", lang), ("active", "=", False)]],
            {"context": {"active_test": False}},
        )
        wizard = call_kw(
            url,
            session,
            "base.language.install",
            "create",
            [{"lang_ids": [[6, 0, lang_ids]]}],
        )
        call_kw(url, session, "base.language.install", "lang_install", [[wizard]])
    call_kw(url, session, "res.users", "write", [uid, {"lang": lang}])
    return previous


def demo_ticket(url, session):
    """An on-site demo ticket (its visit, service levels and labour)."""
    ids = call_kw(
        url,
        session,
        "aftersales.ticket",
        "search",
        [[("service_mode", "=", "on_site")]],
        {"limit": 1, "order": "id"},
    )
    return ids[0] if ids else 1


def demo_session(url, session):
    """A closed counter session of the demo (its posted entry)."""
    ids = call_kw(
        url,
        session,
        "loyalty.counter.session",
        "search",
        [[("state", "=", "closed"), ("consumption_ids", "!=", False)]],
        {"limit": 1, "order": "id"},
    )
    return ids[0] if ids else 1


def login(url, db, user, password):
    response = requests.post(
        f"{url}/web/session/authenticate",
        json={"params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    return response.cookies["session_id"]


class Browser:
    def __init__(self, port=9333):
        self.profile = tempfile.mkdtemp(prefix="cs_shots_")
        self.process = subprocess.Popen(
            [
                browser_binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--remote-debugging-port={port}",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={self.profile}",
                "--window-size=1440,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _i in range(50):
            try:
                targets = requests.get(
                    f"http://127.0.0.1:{port}/json", timeout=2
                ).json()
                break
            except requests.RequestException:
                time.sleep(0.2)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def take(browser, args, session, name, path, suffix):
    """Open ``path`` and write its screenshot docs/screenshots/<name><suffix>.png."""
    browser.call("Page.navigate", url=args.url + path)
    time.sleep(args.wait)
    if name in SCRIPTS:
        code = member_card_code(args.url, session)
        browser.call("Runtime.evaluate", expression=SCRIPTS[name].format(code=code))
        time.sleep(2)
    # Notifications (e.g. "the page is out of date" when the bus
    # reconnects) are not part of the page.
    browser.call(
        "Runtime.evaluate",
        expression="document.querySelectorAll('.o_notification')"
        ".forEach((n) => n.remove())",
    )
    shot = browser.call("Page.captureScreenshot", format="png")
    (OUT / f"{name}{suffix}.png").write_bytes(base64.b64decode(shot["data"]))
    print(f"docs/screenshots/{name}{suffix}.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="customer_suite")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--wait", type=float, default=4.0, help="seconds a page gets to load"
    )
    parser.add_argument(
        "--only", help="take only the pages whose name starts with this"
    )
    args = parser.parse_args()
    session = login(args.url, args.db, args.login, args.password)
    OUT.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session,
            url=args.url,
            httpOnly=True,
        )
        ticket = demo_ticket(args.url, session)
        counter_session = demo_session(args.url, session)
        previous = None
        for lang in LANGUAGES:
            was = use_language(args.url, session, args.login, lang)
            previous = previous or was
            suffix = "" if lang == "en_US" else f".{lang}"
            for name, path in PAGES:
                if args.only and not name.startswith(args.only):
                    continue
                path = path.format(ticket=ticket, session=counter_session)
                take(browser, args, session, name, path, suffix)
        use_language(args.url, session, args.login, previous)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
