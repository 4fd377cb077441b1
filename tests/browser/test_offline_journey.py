"""Taking a lesson away (issue 29) in real Chromium, by keyboard alone: the learner saves a lesson
on the device (audio and text), the connection goes (the browser offline and the server itself
stopped), and the lesson still opens, plays from the device with its transcript, and its quiz is
answered on the offline answer sheet; progress and answers wait on the device. The server comes
back, and the "Saved on this device" page sends what waited: the attempt (scored, once) and the
progress are on the server. The saved lesson is then deleted from the device. axe passes on the
new pages."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Lesson, LessonProgress, QuizAttempt, User
from accessible_learning.services import renditions
from conftest import DEMO_EMAILS, clone_instance

from .conftest import VIDEO, live, log_in, no_violations, tab_to, video

pytestmark = pytest.mark.browser

LESSON_TITLE = "Clean hands and cold storage"  # the demo's lesson with a quiz after it
OUTBOX_SIZE = "() => caches.open('al-outbox').then(c => c.keys()).then(k => k.length)"


class Server:
    """The app on a port of its own that can be stopped and started again on the same port."""

    def __init__(self, app):
        self.app, self.port, self.server = app, 0, None

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def offline_server(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("offline-live")
    app = create_app(clone_instance(demo_template, folder, copy_media=True))
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == LESSON_TITLE))
        renditions.make(lesson.media)
        db.session.commit()
        lesson_id, course_id = lesson.id, lesson.course_id
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(app)
    server.start()
    yield {"server": server, "app": app, "lesson": lesson_id, "course": course_id}
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_lesson_saved_on_the_device_plays_and_its_quiz_is_answered_offline(
        offline_server, browser):
    server, app = offline_server["server"], offline_server["app"]
    lesson_id, course_id = offline_server["lesson"], offline_server["course"]
    base = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, "learner")
    page.goto(f"{base}/courses/{course_id}")
    page.click("button:has-text('Enrol in this course')")
    page.wait_for_selector(".notices")
    page.goto(f"{base}/lessons/{lesson_id}")
    page.wait_for_selector("[data-controls]:not([hidden])")
    page.wait_for_selector("[data-offline-save]:not([hidden])")
    no_violations(page, "lesson page with Take this lesson away")

    # Save the audio and text (the smallest choice, chosen first) by keyboard.
    tab_to(page, "#offline-choice-audio")
    assert page.is_checked("#offline-choice-audio")
    tab_to(page, "button[data-offline-save-button]")
    page.keyboard.press("Enter")
    live(page, "Saved on this device: audio and text", timeout=60_000)
    assert page.is_visible("[data-offline-delete]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # The connection goes: the browser is offline and the server itself is stopped.
    server.stop()
    context.set_offline(True)

    page.goto(f"{base}/lessons/{lesson_id}")
    page.wait_for_selector("[data-controls]:not([hidden])")
    page.wait_for_selector(".transcript-line")  # the transcript came from the device
    page.wait_for_function(f"() => {VIDEO}.currentSrc.endsWith('/renditions/audio.webm')"
                           f" && {VIDEO}.readyState >= 1")
    assert page.get_attribute("button[data-action=audio_mode]", "aria-pressed") == "true"
    tab_to(page, "button[data-action=play]")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 3", timeout=20_000)
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")
    played = video(page, "v.currentTime")
    page.wait_for_function(f"() => ({OUTBOX_SIZE})().then(n => n >= 1)")  # progress kept

    # The quiz after the lesson: its answer sheet, from the device.
    tab_to(page, "a", "The quiz after this lesson")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=This answer sheet works without a connection")
    no_violations(page, "offline answer sheet")
    tab_to(page, "button[type=submit]", "Send answers")
    page.keyboard.press("Enter")  # nothing answered: the summary says what is missing
    page.wait_for_selector("[data-offline-errors]:not([hidden])")
    assert page.evaluate("() => document.activeElement.id") == "offline-errors"
    assert page.locator("[data-offline-errors] li").count() == 3
    tab_to(page, "input[type=radio]")
    for _ in range(3):
        if page.evaluate("() => document.activeElement.labels[0].textContent") == \
                "At least 30 seconds":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.checked")
    tab_to(page, "input[type=checkbox]")
    page.keyboard.press("Space")  # Keeping chilled food at 5 °C or below
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Washing hands before work
    tab_to(page, "input[type=text]")
    page.keyboard.type("5")
    tab_to(page, "button[type=submit]", "Send answers")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Your answers are kept on this device')")
    assert page.evaluate(OUTBOX_SIZE) >= 2  # the progress and the answers

    # The connection is back: the "Saved on this device" page sends what waited.
    server.start()
    context.set_offline(False)
    page.goto(f"{base}/offline")
    # Sent from whichever page was open when the connection came back: the page lists it.
    sent = page.locator("[data-outbox-log] li")
    sent.filter(has_text="Your answers to “Food safety check” were sent: 100 %").wait_for(
        timeout=30_000)
    assert "Sent from this device:" in sent.first.inner_text()
    page.wait_for_function(f"() => ({OUTBOX_SIZE})().then(n => n === 0)")
    assert "Waiting on this device" not in page.inner_text("[data-outbox-status]")
    item = page.locator("[data-saved-list] li")
    assert item.count() == 1
    assert LESSON_TITLE in item.inner_text() and "audio and text" in item.inner_text()
    no_violations(page, "saved on this device")

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        attempts = db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.user_id == user.id)).all()
        assert len(attempts) == 1
        attempt = attempts[0]
        assert attempt.submitted_at is not None and attempt.passed and attempt.score == 100
        assert attempt.offline_id and attempt.answered_offline_at is not None
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson_id))
        assert row is not None and row.watched_s >= 2.5 and row.position_s >= played - 1

    # Delete it from the device by keyboard.
    tab_to(page, "[data-saved-list] button", "Delete")
    page.keyboard.press("Enter")
    live(page, f"“{LESSON_TITLE}” is deleted from this device.")
    assert page.evaluate("() => caches.keys()").count(f"al-lesson-{lesson_id}") == 0
    assert page.is_visible("[data-saved-empty]")
    assert errors == []
    context.close()
