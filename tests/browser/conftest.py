"""A live server in a thread and Debian's Chromium driven by Playwright (nothing downloaded)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.live.nginx import available
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, assert_valid_markup, clone_instance

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


@contextmanager
def demo_site(demo_template, folder: Path):
    """A copy of the demo served in a thread of this process: ``{"url", "app"}``."""
    app = create_app(clone_instance(demo_template, folder))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


@pytest.fixture(scope="session")
def live_server(demo_template, tmp_path_factory):
    """The demo, shared by the journeys of the whole session (they may change its accounts)."""
    with demo_site(demo_template, tmp_path_factory.mktemp("live")) as site:
        yield site


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


def fake_microphone(folder, *texts: str) -> str:
    """Each of ``texts`` spoken by espeak-ng, 1.5 s of silence before the first and 1 s between
    them, 2.5 s after the last, as Chromium's fake microphone input (it loops the file)."""
    spoken = []
    for index, text in enumerate(texts):
        raw = folder / f"raw{index}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-s", "220", "-p", "50", "-w", str(raw),
                        text], check=True)
        spoken.append(raw)
    wav = folder / "spoken.wav"
    inputs = [arg for raw in spoken for arg in ("-i", str(raw))]
    parts = "".join(f"[{i}:a]aresample=48000,apad=pad_dur={1.0 if i < len(spoken) - 1 else 2.5}"
                    f"[a{i}];" for i in range(len(spoken)))
    joined = "".join(f"[a{i}]" for i in range(len(spoken)))
    subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex",
                    f"{parts}{joined}concat=n={len(spoken)}:v=0:a=1,adelay=1500:all=1[out]",
                    "-map", "[out]", "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(wav)],
                   check=True)
    return str(wav)


@contextmanager
def microphone_page(browser, base_url: str, wav: str):
    """A page of a Chromium whose microphone plays ``wav`` (allowed for ``base_url``); the
    page's script errors are collected in ``page.page_errors``."""
    with_mic = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}"])
    try:
        context = with_mic.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"], origin=base_url)
        page = context.new_page()
        page.page_errors = []
        page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
        yield page
        context.close()
    finally:
        with_mic.close()


# --- Shared by the journeys: axe, focus and the keyboard, a worker process -------------------

# axe's defaults plus the rules it leaves off unless asked: target-size (WCAG 2.2 AA 2.5.8) and
# its experimental rules, among them label-content-name-mismatch (2.5.3, for speech input users).
EXTRA_RULES = ["target-size", "label-content-name-mismatch", "css-orientation-lock",
               "p-as-heading", "table-fake-caption", "td-has-header", "focus-order-semantics",
               "hidden-content"]
AXE_OPTIONS = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": True} for rule in EXTRA_RULES}}

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== 'none';
}"""

ACTIVE = """() => {
  const el = document.activeElement;
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim(),
          type: el.type || '', name: el.getAttribute('name') || ''};
}"""


def focused(page) -> dict:
    return page.evaluate(ACTIVE)


def focus_moves_to(page, element_id: str, timeout: float = 5_000) -> None:
    """Wait for the page to move the focus to an element (autofocus and scripts act after load)."""
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                           arg=element_id, timeout=timeout)


def assert_focus_visible(page) -> None:
    assert page.evaluate(FOCUS_VISIBLE), f"focus is not visible on {focused(page)}"


def tab_to(page, selector: str, text: str | None = None, limit: int = 60,
           key: str = "Tab") -> None:
    """Press Tab until the focused element matches selector (and contains text), checking that
    focus is visible at every step."""
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if page.evaluate(
            "([s, t]) => document.activeElement.matches(s)"
            " && (!t || document.activeElement.innerText.includes(t))",
            [selector, text],
        ):
            return
    raise AssertionError(f"{selector} not reached with {key}; focus is on {focused(page)}")


# --- The lesson player ------------------------------------------------------------------------

VIDEO = "document.querySelector('.player video')"


def live(page, text: str, timeout: float = 10_000) -> None:
    """Wait until the live region says ``text``."""
    page.wait_for_function(
        "t => document.getElementById('live-region').textContent.includes(t)", arg=text,
        timeout=timeout)


def video(page, expression: str):
    return page.evaluate(f"() => {{ const v = {VIDEO}; return {expression}; }}")


def seek_and_wait(page, t: float) -> None:
    """Set the video's time and wait until the player has shown it (its timeupdate runs first)."""
    page.evaluate(f"""t => new Promise(done => {{
        const v = {VIDEO};
        v.addEventListener("timeupdate", () => done(), {{ once: true }});
        v.currentTime = t; }})""", t)


def open_lesson_as_learner(page, base: str) -> None:
    """Log in as the demo learner (in English), enrolled, on lesson 1 with its player ready."""
    log_in(page, base, "learner")
    if page.get_attribute("html", "lang") != "en":  # another test may have chosen Chinese
        page.goto(base + "/")
        page.click("header button[lang=en]")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.goto(base + "/courses/1")
    if page.locator("button:has-text('Enrol in this course')").count():
        page.click("button:has-text('Enrol in this course')")
        page.wait_for_selector(".notices")
    page.goto(base + "/lessons/1")
    page.wait_for_selector("[data-controls]:not([hidden])")
    page.wait_for_selector(".transcript-line")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")


def arrow_to(page, value: str, key: str = "ArrowDown", limit: int = 8) -> None:
    """With the focus in a group of radio buttons or on a list, press the arrow key until the
    focused control has this value (radio buttons are checked as the arrows move)."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press(key)
    assert page.evaluate("() => document.activeElement.value") == value, focused(page)


@pytest.fixture
def worker(live_server):
    app = live_server["app"]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": app.config["MEDIA_ROOT"]}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "huey_consumer"), "accessible_learning.worker.huey",
         "--workers", "1", "--delay", "0.1", "--max-delay", "0.5"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def no_violations(page, label):
    # The page's element can be there before its stylesheet has loaded (a slow machine): axe
    # would then measure unstyled targets. Wait for the load event, which waits for the CSS.
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}\n{results.generate_report()}"
    assert_valid_markup(page.content(), label)  # the document as the browser has it now


# --- Live classes: a site with the RTMP ingest ----------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_site(demo_template, tmp_path):
    """A site of its own for a live class: the web app in a thread, and the live ingest (nginx
    and its captioners) and a worker as processes, as ``make run`` starts them."""
    assert available() is None, available()  # make test installs nginx and its RTMP module
    config = clone_instance(demo_template, tmp_path / "site")
    config.update(MEDIA_ROOT=str(tmp_path / "media"), LIVE_ROOT=str(tmp_path / "live"),
                  RTMP_PORT=_free_port(), RTMP_PUBLIC_HOST="127.0.0.1")
    app = create_app(config)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "LIVE_ROOT": config["LIVE_ROOT"],
           "RTMP_PORT": str(config["RTMP_PORT"]), "LIVE_CALLBACK_URL": url}
    bin_dir = Path(sys.executable).parent
    log = open(tmp_path / "processes.log", "w")
    ingest = subprocess.Popen([sys.executable, "-m", "accessible_learning.live.ingest"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [str(bin_dir / "huey_consumer"), "accessible_learning.worker.huey", "--workers", "1",
         "--delay", "0.1", "--max-delay", "0.5"], env=env, stdout=log, stderr=subprocess.STDOUT)
    _wait_for_port(config["RTMP_PORT"])
    yield {"url": url, "app": app, "port": config["RTMP_PORT"], "log": tmp_path / "processes.log"}
    for process in (ingest, worker):
        process.terminate()
    for process in (ingest, worker):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _wait_for_port(port: int, timeout: float = 20) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nginx did not listen on {port}")


def replay_of(class_id: int, timeout: float = 90):
    """The live class once its replay lesson is made (the worker's job), or after ``timeout``:
    call it in the site's app context."""
    from accessible_learning.models import LiveClass

    until = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        found = db.session.get(LiveClass, class_id)
        if found.replay_lesson_id or time.monotonic() > until:
            return found
        time.sleep(0.5)
