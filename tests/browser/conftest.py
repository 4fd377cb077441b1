"""A live server in a thread and Debian's Chromium driven by Playwright (nothing downloaded)."""

from __future__ import annotations

import logging
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from accessible_learning import create_app
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, clone_instance

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def live_server(demo_template, tmp_path_factory):
    config = clone_instance(demo_template, tmp_path_factory.mktemp("live"))
    app = create_app(config)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()


def log_in(page, base_url: str, role: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", DEMO_EMAILS[role])
    page.fill("#password", DEMO_PASSWORDS[role])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard")
