"""Voice on a live class's page (issue 28), in Chromium with a fake microphone: a spoken command
does what the page's controls do (as on the lesson player), and a spoken question is written
out by the server into the question box, where the learner checks it before sending. The page
is open before the class starts (no stream is needed for either)."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from accessible_learning.extensions import db
from accessible_learning.models import Course, LiveClass, utcnow
from accessible_learning.services import live as live_classes
from conftest import SHARED_DATA

from .conftest import (
    demo_site,
    fake_microphone,
    live,
    log_in,
    microphone_page,
    no_violations,
    tab_to,
)

# "한 잔의 커피가 소비자에게 전해지기 위해선 여러 차례의 공정을 거쳐야 한다"
SPOKEN_QUESTION = SHARED_DATA / "speech" / "ko" / "zeroth_104_003_0294.wav"


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    """A demo of its own: the session's shared one may have had its accounts changed (the page
    is read in English, as the demo's content team)."""
    with demo_site(demo_template, tmp_path_factory.mktemp("live-voice-site")) as served:
        yield served


@pytest.fixture(scope="module")
def live_class(site):
    with site["app"].app_context():
        course = db.session.get(Course, 1)
        made = live_classes.schedule(course, live_classes.ClassDetails(
            "Voice class", utcnow() + timedelta(minutes=10), 30, "ko"))
        return made.id


@pytest.fixture(scope="module")
def spoken_pause(tmp_path_factory) -> str:
    return fake_microphone(tmp_path_factory.mktemp("live-voice"), "정지")


@pytest.fixture(scope="module")
def question_wav(tmp_path_factory) -> str:
    """A real Korean sentence after a second of quiet, as Chromium's fake microphone plays it."""
    wav = tmp_path_factory.mktemp("live-question") / "question.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(SPOKEN_QUESTION), "-af",
                    "aresample=48000,adelay=1000:all=1,apad=pad_dur=2", "-ac", "1", "-c:a",
                    "pcm_s16le", str(wav)], check=True)
    return str(wav)


def _open(page, base: str, class_id: int) -> None:
    log_in(page, base, "content")  # the content team may watch every class
    page.goto(f"{base}/live/{class_id}")
    try:
        page.wait_for_selector("text=The class has not started yet")
    except Exception as problem:  # say what the page showed instead
        raise AssertionError(page.inner_text("body")[:800]) from problem


def _heard(page, result: str) -> None:
    """Hands the page an answer as the server gives it."""
    page.evaluate(f"document.querySelector('[data-live]').onVoiceResult({result})")


def test_a_spoken_command_on_the_live_page_does_what_its_button_does(
        site, browser, live_class, spoken_pause):
    base = site["url"]
    with microphone_page(browser, base, spoken_pause) as page:
        _open(page, base, live_class)
        no_violations(page, "a live class with its voice controls")
        tab_to(page, "button[data-action=voice]")
        page.keyboard.press("Enter")
        live(page, "Paused. Back to live takes you to the newest moment.", timeout=20_000)
        assert page.get_attribute("button[data-action=voice]", "aria-pressed") == "false"
        # "Captions off", as the recogniser answers it, through the same page.
        _heard(page, "{command: 'captions_off', args: {}, decision: 'act'}")
        assert page.get_attribute("[data-live-action=captions]", "aria-pressed") == "false"
        _heard(page, "{command: 'next_lesson', args: {}, decision: 'act'}")
        live(page, "That command is for recorded lessons, not a live class.")
        # Unsure: the page asks, with the focus on "Yes, do it"; Enter does it.
        _heard(page, "{command: 'captions_on', args: {}, text: '자막 켜', confidence: 0.6, "
                     "decision: 'ask'}")
        page.wait_for_selector("[data-voice-question]:not([hidden])")
        page.wait_for_function("() => document.activeElement.matches('[data-voice-yes]')")
        no_violations(page, "the live page asking about an unsure command")
        page.keyboard.press("Enter")
        assert page.get_attribute("[data-live-action=captions]", "aria-pressed") == "true"
        assert page.is_hidden("[data-voice-question]")
        assert not page.page_errors, page.page_errors


def test_a_spoken_question_is_written_in_the_box_to_check_before_sending(
        site, browser, live_class, question_wav):
    base = site["url"]
    with microphone_page(browser, base, question_wav) as page:
        _open(page, base, live_class)
        tab_to(page, "button[data-live-dictate]")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-live-ask-status]:has-text('Listening: say your question')")
        assert page.get_attribute("button[data-live-dictate]", "aria-pressed") == "true"
        page.wait_for_timeout(9000)  # the sentence, said once in full (the file loops)
        page.keyboard.press("Enter")  # the focus stayed on the button: pressed again, it stops
        page.wait_for_selector("[data-live-ask-status]:has-text('Heard:')", timeout=30_000)
        text = page.input_value("#question")
        assert "전해지기" in text or "공정" in text, text
        assert page.evaluate("() => document.activeElement.id") == "question"  # to check it
        assert page.get_attribute("button[data-live-dictate]", "aria-pressed") == "false"
        no_violations(page, "a spoken question written in the box")
        # Nothing is sent until the learner sends it.
        with site["app"].app_context():
            assert not live_classes.questions(db.session.get(LiveClass, live_class))
        assert not page.page_errors, page.page_errors
