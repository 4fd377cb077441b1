"""Learners on slow links (issue 29) in real Chromium, by keyboard alone: a lesson with smaller
versions plays through the vendored hls.js (never fetching the original file), the learner fixes
the quality at 240p and the picture becomes 240 lines high, switches to audio and text (the
audio-only file plays from the same place, the transcript still follows it), finds both choices
kept after a reload, and switches the picture back on; each change is announced and axe passes."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Lesson, Preferences, User
from accessible_learning.services import renditions
from conftest import DEMO_EMAILS, clone_instance

from .conftest import VIDEO, arrow_to, live, no_violations, open_lesson_as_learner, tab_to, video

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def slow_link_server(demo_template, tmp_path_factory):
    """A server of its own whose first lesson has its smaller versions made (the renditions
    job itself is tested in tests/app/test_rendition_sets.py)."""
    folder = tmp_path_factory.mktemp("slow-link")
    app = create_app(clone_instance(demo_template, folder, copy_media=True))
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        renditions.make(lesson.media)
        db.session.commit()
        sha, ext = lesson.media.sha256, lesson.media.extension
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app,
           "original": f"/media/{sha}.{ext}", "renditions": f"/media/{sha}/renditions/"}
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _play_until(page, condition: str, timeout: float = 15_000) -> None:
    """Play (by the shortcut) until the condition on the video holds, then pause."""
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => !{VIDEO}.paused")
    page.wait_for_function(f"() => {{ const v = {VIDEO}; return {condition}; }}",
                           timeout=timeout)
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")


def test_renditions_quality_and_audio_and_text_by_keyboard(slow_link_server, browser):
    base, app = slow_link_server["url"], slow_link_server["app"]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    open_lesson_as_learner(page, base)
    # hls.js plays the renditions through Media Source Extensions: the source is a blob, and
    # the original upload is never fetched.
    assert video(page, "v.currentSrc").startswith("blob:")
    assert any(slow_link_server["renditions"] + "master.m3u8" in url for url in requested)
    # Before the learner plays, only one segment of one rendition is loaded (the lesson's length
    # and first picture).
    page.wait_for_timeout(1000)  # (time for hls.js to ask for more, if it were to)
    assert len([url for url in requested if url.endswith(".m4s")]) == 1, requested
    assert page.input_value("#player-quality") == "auto"
    no_violations(page, "player with the quality list and audio and text")

    # Fix the quality at 240p from the list: announced, and the picture is 240 lines high.
    tab_to(page, "#player-quality")
    arrow_to(page, "240p")
    live(page, "Picture quality: 240p: data saver, saved.")
    _play_until(page, "v.videoHeight === 240 && v.currentTime > 1")
    assert video(page, "v.currentSrc").startswith("blob:")

    # Audio and text: the audio-only file plays from the same place; no picture.
    place = video(page, "v.currentTime")
    tab_to(page, "button[data-action=audio_mode]")
    page.keyboard.press("Enter")
    live(page, "Audio and text: the picture is off, to save data.")
    assert page.get_attribute("button[data-action=audio_mode]", "aria-pressed") == "true"
    page.wait_for_function(f"() => {VIDEO}.currentSrc.endsWith('/renditions/audio.webm')"
                           f" && {VIDEO}.readyState >= 1")
    assert abs(video(page, "v.currentTime") - place) < 0.5
    assert video(page, "v.videoHeight") == 0
    # The transcript follows the audio: the line being spoken is marked as current.
    _play_until(page, "v.currentTime > 4")
    current = page.locator(".transcript-line[data-seek][aria-current=true]")
    assert current.count() == 1
    start = float(current.get_attribute("data-seek"))
    assert start <= video(page, "v.currentTime") + 0.1
    no_violations(page, "player in audio and text")

    # Both choices are the learner's own now: kept after a reload and on the preferences page.
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        prefs = db.session.scalar(select(Preferences).where(Preferences.user_id == user.id))
        assert (prefs.video_quality, prefs.audio_mode) == ("240p", True)
    requested.clear()
    page.reload()
    page.wait_for_selector("[data-controls]:not([hidden])")
    page.wait_for_function(f"() => {VIDEO}.currentSrc.endsWith('/renditions/audio.webm')")
    assert page.input_value("#player-quality") == "240p"
    assert page.get_attribute("button[data-action=audio_mode]", "aria-pressed") == "true"
    assert not any(url.endswith(".m4s") for url in requested)  # no picture is fetched

    # The picture on again: the fixed 240p rendition plays.
    tab_to(page, "button[data-action=audio_mode]")
    page.keyboard.press("Enter")
    live(page, "The picture is on again.")
    page.wait_for_function(f"() => {VIDEO}.currentSrc.startsWith('blob:')")
    _play_until(page, "v.videoHeight === 240")

    assert not any(slow_link_server["original"] in url for url in requested), "\n".join(requested)
    assert errors == []
    context.close()
