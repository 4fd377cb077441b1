"""The sign-language video (MAUR SL-1 … SL-5, issue 26) in real Chromium, by keyboard alone: the
content team uploads an interpreter's video (a real one made with ffmpeg) on the lesson's studio
page; the learner turns it on, plays, and it keeps in step with the lesson after a seek, a speed
change and through the extended-description version's pauses; the learner puts it beside the
video, back over it, moves and resizes it, swaps the two, hears each change, and finds the
choices kept after a reload; at 320 px it goes below the video; axe passes on both pages."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Preferences, User
from conftest import clone_instance, make_sign_video

from .conftest import (
    VIDEO,
    arrow_to,
    live,
    log_in,
    no_violations,
    open_lesson_as_learner,
    seek_and_wait,
    tab_to,
    video,
)

pytestmark = pytest.mark.browser

SIGN = "document.querySelector('.player [data-sign-video]')"
SCREEN = "document.querySelector('[data-screen]')"
# How far the sign video is from the lesson's time (the extended file mapped through its pauses).
OFF_BY = f"""pauses => {{
    const v = {VIDEO}, s = {SIGN};
    const extended = document.querySelector('[data-player]').dataset.srcExtended;
    let t = v.currentTime, shift = 0, lesson = null;
    if (extended && v.currentSrc.endsWith(extended)) {{
        for (const p of pauses) {{
            const start = p.at + shift;
            if (t < start) break;
            if (t < start + p.length) {{ lesson = p.at; break; }}
            shift += p.length;
        }}
    }}
    if (lesson === null) lesson = t - shift;
    return Math.abs(s.currentTime - lesson);
}}"""


@pytest.fixture(scope="module")
def sign_server(demo_template, tmp_path_factory):
    """A server of its own (the sign video and the learner's choices stay out of the other
    journeys), with its own copy of the media."""
    folder = tmp_path_factory.mktemp("sign-live")
    app = create_app(clone_instance(demo_template, folder, copy_media=True))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app,
           "video": make_sign_video(folder / "interpreter.webm", seconds=17)}
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _box(page, expression: str) -> dict:
    return page.evaluate(f"() => {{ const r = ({expression}).getBoundingClientRect();"
                         " return {x: r.x, y: r.y, w: r.width, h: r.height}; }")


def _inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 1 and inner["y"] >= outer["y"] - 1
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 1
            and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 1)


def _in_step(page, pauses, samples: int = 5) -> None:
    """While both play, the sign video is within 0.3 s of the lesson, sampled over a second."""
    page.wait_for_function(f"p => !{SIGN}.paused && ({OFF_BY})(p) < 0.3", arg=pauses,
                           timeout=5000)
    for _ in range(samples):
        page.wait_for_timeout(200)
        off = page.evaluate(OFF_BY, pauses)
        assert off < 0.3, off
        assert page.evaluate(f"() => !{SIGN}.paused")


def test_sign_language_video_by_keyboard(sign_server, browser):
    base, app = sign_server["url"], sign_server["app"]

    # --- The studio: the upload form, by keyboard (the file itself comes from the system's
    # file chooser, which the browser opens; Playwright hands it the file).
    studio = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = studio.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "content")
    page.goto(base + "/studio/lessons/1")
    no_violations(page, "studio lesson page with the sign-language form")
    page.set_input_files("#sign_video", str(sign_server["video"]))
    page.focus("#sign_video")
    tab_to(page, "#sign_language")
    assert page.input_value("#sign_language") == "kvk"
    tab_to(page, "#sign_label")
    page.keyboard.type("Kim Minji")
    tab_to(page, "button[type=submit]", "Upload the sign-language video")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=The video in Korean Sign Language is stored")
    assert "Kim Minji" in page.inner_text("section[aria-labelledby=sign-heading]")
    no_violations(page, "studio lesson page with a sign-language video")
    studio.close()

    # --- The learner turns it on from the player's list.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_lesson_as_learner(page, base)
    pauses = json.loads(page.get_attribute("[data-described-player]", "data-pauses") or "[]")
    assert pauses
    assert page.is_hidden("[data-sign-window]")
    tab_to(page, "#player-sign")
    arrow_to(page, "kvk")
    live(page, "Sign language: Korean Sign Language (Kim Minji). Sign-language video: bottom "
               "right, medium.")
    page.wait_for_function(f"() => {SIGN}.readyState >= 1")
    assert page.is_visible("[data-sign-window]")
    assert page.evaluate(f"() => {SIGN}.muted && {SIGN}.lang === 'kvk'")
    assert page.get_attribute("[data-sign-video]", "aria-label") == \
        "Sign-language video: Korean Sign Language (Kim Minji)"
    over = _box(page, SIGN)
    main = _box(page, VIDEO)
    assert _inside(over, main) and over["w"] < main["w"] / 2
    assert over["x"] + over["w"] > main["x"] + main["w"] - 20  # in the bottom right corner
    assert over["y"] + over["h"] > main["y"] + main["h"] - 20
    no_violations(page, "player with the sign-language video over it")

    # Play: it plays with the lesson, and keeps in step after a speed change and a seek.
    page.keyboard.press("Alt+Shift+KeyP")
    live(page, "Playing.")
    _in_step(page, pauses)
    page.keyboard.press("Alt+Shift+Period")
    live(page, "Speed 1.25×.")
    page.wait_for_function(f"() => {SIGN}.playbackRate === 1.25")
    _in_step(page, pauses)
    page.keyboard.press("Alt+Shift+KeyF")
    live(page, "Forward 10 seconds.")
    _in_step(page, pauses)
    page.keyboard.press("Alt+Shift+KeyB")
    live(page, "Back 10 seconds.")
    _in_step(page, pauses)
    page.keyboard.press("Alt+Shift+KeyP")
    live(page, "Paused.")
    page.wait_for_function(f"() => {SIGN}.paused")
    page.keyboard.press("Alt+Shift+KeyN")

    # The extended version: while the programme waits for a description, the sign video waits
    # at the lesson's time of the pause; then both go on together.
    tab_to(page, "input[name='description-mode']")
    original = video(page, "v.currentSrc")
    arrow_to(page, "extended")
    page.wait_for_function(f"src => {VIDEO}.currentSrc !== src && {VIDEO}.readyState >= 1",
                           arg=original)
    first = pauses[0]
    seek_and_wait(page, first["at"] - 1.0)
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"t => {VIDEO}.currentTime > t", arg=first["at"] + 0.4,
                           timeout=10_000)
    assert page.evaluate(f"() => !{VIDEO}.paused")  # the programme plays its pause …
    page.wait_for_function(f"() => {SIGN}.paused")  # … and the signer waits
    assert abs(page.evaluate(f"() => {SIGN}.currentTime") - first["at"]) < 0.3
    page.wait_for_function(f"t => {VIDEO}.currentTime > t",
                           arg=first["at"] + first["length"] + 0.3, timeout=15_000)
    _in_step(page, pauses, samples=3)
    page.keyboard.press("Alt+Shift+KeyP")
    while page.evaluate("() => document.activeElement.value") != "off":
        page.keyboard.press("ArrowUp")
    page.wait_for_function(f"src => {VIDEO}.currentSrc === src && {VIDEO}.readyState >= 1",
                           arg=original)

    # Beside the video, then back over it.
    tab_to(page, "#player-sign-layout", key="Shift+Tab")
    arrow_to(page, "beside")
    live(page, "Sign-language video: beside the video, on the right, medium.")
    beside, main = _box(page, SIGN), _box(page, VIDEO)
    assert beside["x"] >= main["x"] + main["w"] - 1, (beside, main)
    arrow_to(page, "over", key="ArrowUp")
    live(page, "Sign-language video: bottom right, medium.")

    # Moved round the corners and resized: by its buttons and by the shortcuts.
    tab_to(page, "button[data-action=sign_move]")
    page.keyboard.press("Enter")
    live(page, "Sign-language video: bottom left, medium.")
    page.keyboard.press("Alt+Shift+KeyO")
    live(page, "Sign-language video: top left, medium.")
    page.keyboard.press("Alt+Shift+KeyO")
    live(page, "Sign-language video: top right, medium.")
    medium, main = _box(page, SIGN), _box(page, VIDEO)
    assert _inside(medium, main) and medium["y"] < main["y"] + 20
    assert medium["x"] + medium["w"] > main["x"] + main["w"] - 20
    tab_to(page, "button[data-action=sign_larger]")
    page.keyboard.press("Enter")
    live(page, "Sign-language video: top right, large.")
    assert _box(page, SIGN)["w"] > medium["w"] + 10
    page.keyboard.press("Alt+Shift+Minus")
    live(page, "Sign-language video: top right, medium.")
    page.keyboard.press("Alt+Shift+Minus")
    live(page, "Sign-language video: top right, small.")
    assert _box(page, SIGN)["w"] < medium["w"] - 10
    page.keyboard.press("Alt+Shift+Equal")
    page.keyboard.press("Alt+Shift+Equal")
    live(page, "Sign-language video: top right, large.")

    # Swapped: the sign video large, the lesson's small in the corner.
    page.keyboard.press("Alt+Shift+KeyX")
    live(page, "Swapped: the sign-language video is large; the lesson video: top right, large.")
    assert page.input_value("#player-sign-layout") == "swap"
    sign_box, main = _box(page, SIGN), _box(page, VIDEO)
    assert _inside(main, sign_box) and main["w"] < sign_box["w"] / 2, (main, sign_box)
    no_violations(page, "player with the sign-language video swapped")

    # Kept: after a reload the player comes back as it was left.
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.role == "learner"))
    wanted = (True, "kvk", "swap", "top-right", "large")
    deadline = time.monotonic() + 10
    while True:
        with app.app_context():
            row = db.session.get(Preferences, learner.id)
            saved = (row.sign_on, row.sign_language, row.sign_layout, row.sign_corner,
                     row.sign_size)
        if saved == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert saved == wanted
    page.reload()
    page.wait_for_selector("[data-controls]:not([hidden])")
    assert page.input_value("#player-sign") == "kvk"
    assert page.input_value("#player-sign-layout") == "swap"
    assert page.is_visible("[data-sign-window]")
    classes = page.evaluate(f"() => {SCREEN}.className")
    for name in ("sign-layout-swap", "sign-corner-top-right", "sign-size-large"):
        assert name in classes, classes

    # Off and on again with the shortcut; over the video at 320 px it goes below it.
    page.locator("button[data-action=play]").focus()
    page.keyboard.press("Alt+Shift+KeyS")
    live(page, "Sign-language video off.")
    assert page.is_hidden("[data-sign-window]")
    page.keyboard.press("Alt+Shift+KeyS")
    live(page, "Sign language: Korean Sign Language (Kim Minji).")
    page.keyboard.press("Alt+Shift+KeyX")
    live(page, "Sign-language video: top right, large.")
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_function(f"() => {SIGN}.readyState >= 1")
    below, main = _box(page, SIGN), _box(page, VIDEO)
    assert below["y"] >= main["y"] + main["h"] - 1, (below, main)
    # Across the screen's width, as wide as the lesson's video, and the page no wider.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => e.offsetParent !== null
            && e.getBoundingClientRect().right > 320.5).slice(0, 8)
            .map(e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))
        """)  # what sticks out, when something does
    screen = _box(page, SCREEN)
    assert below["x"] >= screen["x"] - 1 and below["x"] + below["w"] <= screen["x"] + \
        screen["w"] + 1, (below, screen)
    assert below["w"] > main["w"] * 0.9, (below, main)
    no_violations(page, "player at 320 px with the sign-language video below it")
    assert not errors, errors
    context.close()
