"""Going live from the browser, for a teacher without OBS (issue 28): Chromium's fake camera and a
microphone that plays a real Korean recording (../shared/data/speech/ko/long/dev_concat.wav);
the teacher starts streaming by keyboard on the class's studio page, the browser's recording goes
to the server in half-second parts and the ingest relays it to nginx; an enrolled learner plays
the class with hls.js and reads live captions with words of the recording; the teacher stops,
the class ends, and its recording becomes a draft lesson."""

from __future__ import annotations

from datetime import timedelta

from accessible_learning.extensions import db
from accessible_learning.models import Course, utcnow
from accessible_learning.services import live
from conftest import SHARED_DATA

from .conftest import CHROMIUM, CHROMIUM_ARGS, log_in, no_violations, replay_of, tab_to

SPEECH = SHARED_DATA / "speech" / "ko" / "long" / "dev_concat.wav"
# Words of the recording's first sentences, one of which the live captions must show.
EXPECTED = ("홍익대", "교수", "자문단", "동백꽃", "노란", "장관")


def test_a_teacher_goes_live_from_the_browser_and_learners_read_its_captions(live_site,
                                                                              browser):
    base, app = live_site["url"], live_site["app"]
    with app.app_context():
        made = live.schedule(db.session.get(Course, 1), live.ClassDetails(
            "From the browser", utcnow() - timedelta(minutes=1), 30, "ko"))
        class_id = made.id
    teacher_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={SPEECH}%noloop"])
    try:
        teacher = teacher_browser.new_context(locale="en-GB",
                                              viewport={"width": 1280, "height": 900})
        studio = teacher.new_page()
        errors: list[str] = []
        studio.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(studio, base, "content")
        studio.goto(f"{base}/studio/live/{class_id}")
        no_violations(studio, "going live from the browser, before")
        tab_to(studio, "button", "Start streaming")
        studio.keyboard.press("Enter")
        studio.wait_for_selector("text=You are live.")
        assert studio.evaluate("() => document.activeElement.innerText").startswith(
            "Stop streaming")

        learner_context = browser.new_context(locale="en-GB",
                                              viewport={"width": 1280, "height": 900})
        page = learner_context.new_page()
        log_in(page, base, "learner")
        page.goto(f"{base}/courses/1")
        if page.locator("button:has-text('Enrol in this course')").count():
            page.click("button:has-text('Enrol in this course')")
        page.goto(f"{base}/live/{class_id}")
        page.wait_for_selector("[data-live-action=play]:not([disabled])", timeout=40_000)
        tab_to(page, "[data-live-action=play]")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('[data-live-video]').currentTime > 1", timeout=30_000)
        page.wait_for_function(
            "words => words.some(w => document.querySelector('[data-live-transcript]')"
            ".textContent.includes(w))", arg=list(EXPECTED), timeout=60_000)

        # The focus waited on the stop button since streaming started.
        assert studio.evaluate("() => document.activeElement.innerText") == (
            "Stop streaming and end the class")
        studio.keyboard.press("Enter")
        studio.wait_for_selector("text=Streaming has stopped", timeout=20_000)
        page.wait_for_selector("text=The class has ended", timeout=40_000)
        assert errors == []
        learner_context.close()
    finally:
        teacher_browser.close()

    with app.app_context():
        found = replay_of(class_id)  # the worker made the replay lesson (or 90 s passed)
        assert found.state == "ended" and found.captions
        assert found.replay_lesson is not None, live_site["log"].read_text()[-3000:]
        assert found.replay_lesson.media.probe["has_video"]
