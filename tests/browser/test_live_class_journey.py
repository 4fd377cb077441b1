"""A live class from end to end, on the real parts (issue 28): the content team schedules it by
keyboard and reads the stream key; ffmpeg streams real Korean speech to nginx's RTMP ingest
(started by ``python -m accessible_learning.live.ingest`` as ``make run`` does); a key of no
class is refused; the enrolled learner joins by keyboard, plays the class through hls.js, and the
live captions made by the captioner process (Vosk) reach the page over Server-Sent Events with
the expected words; the stream drops and the page says so, then it comes back and the captions
go on; the teacher ends the class by keyboard, the page says so and the worker makes the two
recordings one draft lesson of the course, its captions queued for review."""

from __future__ import annotations

import re
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Job, utcnow
from accessible_learning.services import live
from conftest import SHARED_DATA

from .conftest import log_in, no_violations, replay_of, tab_to

SPEECH = SHARED_DATA / "speech" / "ko" / "long" / "dev_concat.wav"
SECONDS = 16  # the first two Zeroth sentences
AGAIN_FROM, AGAIN = 21.7, 7  # after the dropped connection: the third one's start
CORRECTED = "김 전 장관의 동료인 장동련 홍익대 교수가"  # the teacher's correction of a line


def _stream(port: int, key: str, seconds: float, start: float = 0) -> subprocess.Popen:
    """ffmpeg as a teacher's encoder: a picture and real speech (from ``start``), in real time,
    H.264 and AAC over RTMP with a keyframe each second (a small picture: the machine also
    decodes speech and plays the class)."""
    return subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
         "testsrc2=size=160x90:rate=10", "-re", "-ss", str(start), "-t", str(seconds), "-i",
         str(SPEECH),
         "-map", "0:v", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
         "-tune", "zerolatency", "-g", "10", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a",
         "64k", "-ar", "44100", "-f", "flv", f"rtmp://127.0.0.1:{port}/live/{key}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _captions_ride_in_the_hls_stream(page, hls: str) -> None:
    """The master playlist names the video and a subtitle playlist, whose WebVTT segments carry
    the live captions (for players with HLS subtitles), as the learner may fetch them."""
    master = page.request.get(f"{hls}/master.m3u8").text()
    assert "TYPE=SUBTITLES" in master and 'URI="subs.m3u8"' in master and "index.m3u8" in master
    until = time.monotonic() + 20
    while True:
        playlist = page.request.get(f"{hls}/subs.m3u8")
        names = re.findall(r"^subs-\d+\.vtt$", playlist.text(), re.M) if playlist.ok else []
        segments = [page.request.get(f"{hls}/{name}").text() for name in names]
        if any("홍익대" in segment for segment in segments):
            break
        assert time.monotonic() < until, (playlist.text(), segments)
        time.sleep(1)
    assert all(s.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000")
               for s in segments)


def _schedule_by_keyboard(page, base: str) -> tuple[int, str]:
    log_in(page, base, "content")
    page.goto(f"{base}/studio/courses/1")
    tab_to(page, "a", "Schedule a live class")
    page.keyboard.press("Enter")
    page.wait_for_url("**/live/new")
    no_violations(page, "schedule a live class")
    now = utcnow()
    tab_to(page, "#title")
    page.keyboard.type("Live: knife skills")
    tab_to(page, "#day")
    page.locator("#day").fill(now.strftime("%Y-%m-%d"))
    tab_to(page, "#start")
    page.locator("#start").fill((now - timedelta(minutes=1)).strftime("%H:%M"))
    tab_to(page, "#minutes")
    page.keyboard.press("Control+a")
    page.keyboard.type("45")
    tab_to(page, "#language")
    tab_to(page, "button", "Schedule the class")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Where the teacher streams")
    no_violations(page, "the class in the studio")
    key = page.inner_text("code.secret").strip()
    class_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    return class_id, key


def test_a_class_streamed_with_ffmpeg_is_watched_with_live_captions_and_kept_as_a_replay(
        live_site, browser):
    base, port = live_site["url"], live_site["port"]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    class_id, key = _schedule_by_keyboard(page, base)
    assert len(key) >= 24
    # The teacher keeps the class's studio page open: questions and lines come to it.
    studio_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    studio = studio_context.new_page()
    log_in(studio, base, "content")
    studio.goto(f"{base}/studio/live/{class_id}")

    # A key of no class is refused by the ingest (the web app said no).
    refused = _stream(port, "not-a-class-key", 3)
    assert refused.wait(timeout=30) != 0

    # The learner, enrolled in the course, finds the class in My learning.
    context.clear_cookies()
    log_in(page, base, "learner")
    if page.locator(f"a[href='/live/{class_id}']").count() == 0:
        page.goto(f"{base}/courses/1")
        page.click("button:has-text('Enrol in this course')")
        page.goto(f"{base}/dashboard")
    assert page.locator(f"a[href='/live/{class_id}']").count() == 1
    tab_to(page, f"a[href='/live/{class_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/live/{class_id}")
    page.wait_for_selector("text=The class has not started yet")
    no_violations(page, "a live class before it starts")

    teacher = _stream(port, key, SECONDS)
    try:
        # The page finds the stream by itself and says it is live; Play by keyboard.
        page.wait_for_selector("[data-live-action=play]:not([disabled])", timeout=30_000)
        assert "The class is live" in page.inner_text("[data-live-status]")
        tab_to(page, "[data-live-action=play]")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('[data-live-video]').currentTime > 1", timeout=20_000)
        assert page.evaluate(
            "() => document.querySelector('[data-live-video]').src.startsWith('blob:')")  # hls.js
        # Live captions: the words being said, then finished lines in the transcript.
        page.wait_for_function(
            "() => document.querySelector('[data-live-current]').textContent.trim() !== ''",
            timeout=20_000)
        page.wait_for_function(
            "() => document.querySelector('[data-live-transcript]').textContent"
            ".includes('홍익대')", timeout=60_000)  # a busy machine decodes more slowly
        _captions_ride_in_the_hls_stream(page, f"{base}/live/{class_id}/hls")
        assert page.get_attribute("[data-live-transcript]", "aria-live") == "off"
        tab_to(page, "[data-live-read-out]")
        page.keyboard.press("Space")
        assert page.get_attribute("[data-live-transcript]", "aria-live") == "polite"
        no_violations(page, "a live class while it is live")

        # A question by keyboard; the teacher's page shows it without a reload.
        tab_to(page, "#question", key="Shift+Tab")  # the question box is above
        page.keyboard.type("칼은 어떻게 잡아요?")
        tab_to(page, "button", "Send the question")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('[data-live-ask-status]').textContent"
            ".includes('Your question is sent to the teacher.')")
        studio.wait_for_selector("[data-live-questions] li:has-text('칼은 어떻게 잡아요?')")
        # The teacher corrects the first finished line by keyboard; the learner sees it.
        studio.wait_for_selector("[data-live-lines] li[data-cue]")
        number = studio.get_attribute("[data-live-lines] li[data-cue]", "data-cue")
        tab_to(studio, f"#line-{number} a")
        studio.keyboard.press("Enter")
        studio.wait_for_url(f"**/captions/{number}")
        no_violations(studio, "correcting a live caption line")
        tab_to(studio, "#text")
        studio.keyboard.press("Control+a")
        studio.keyboard.type(CORRECTED)
        tab_to(studio, "button", "Save the correction")
        studio.keyboard.press("Enter")
        studio.wait_for_selector(f"#line-{number}:has-text('{CORRECTED}')")
        no_violations(studio, "the class in the studio while it is live")
        page.wait_for_selector(f"[data-live-lines] li[data-cue='{number}']"
                               f":has-text('{CORRECTED}')", timeout=60_000)
        assert teacher.wait(timeout=SECONDS + 30) == 0, teacher.stderr.read()
        # The stream stops (a dropped connection): the class waits for its teacher.
        page.wait_for_selector("text=The teacher's stream has stopped", timeout=30_000)
        no_violations(page, "a live class whose stream has stopped")
        studio.reload()
        studio.wait_for_selector("[data-live-now=interrupted]")
        no_violations(studio, "the class in the studio while its stream has stopped")
        teacher = _stream(port, key, AGAIN, start=AGAIN_FROM)
        page.wait_for_selector("text=The teacher's stream is back", timeout=30_000)
        page.wait_for_function(
            "() => document.querySelector('[data-live-transcript]').textContent"
            ".includes('대통령')", timeout=60_000)
        # The captioner started for the new stream kept the earlier lines in the HLS subtitles.
        _captions_ride_in_the_hls_stream(page, f"{base}/live/{class_id}/hls")
        assert teacher.wait(timeout=AGAIN + 30) == 0, teacher.stderr.read()
    finally:
        if teacher.poll() is None:
            teacher.kill()

    # The teacher ends the class by keyboard once the stream has stopped.
    page.wait_for_selector("text=The teacher's stream has stopped", timeout=30_000)
    studio.reload()
    tab_to(studio, "button", "End the class")
    studio.keyboard.press("Enter")
    studio.wait_for_selector("text=The class has ended")
    page.wait_for_selector("text=The class has ended", timeout=30_000)
    with live_site["app"].app_context():
        found = replay_of(class_id)  # the worker made the replay lesson (or 90 s passed)
        assert found.state == "ended"
        assert found.captions, "no live caption was kept"
        assert any("홍익대" in c.text for c in found.captions)
        assert any(c.corrected for c in found.captions)
        assert found.captions and live.questions(found)[0].text == "칼은 어떻게 잡아요?"
        lesson = found.replay_lesson
        assert lesson is not None, live_site["log"].read_text()[-3000:]
        assert not lesson.published and lesson.course_id == 1
        assert lesson.media.duration_s == pytest.approx(SECONDS + AGAIN, abs=3)  # both parts
        assert any("대통령" in c.text and c.start > SECONDS for c in found.captions)
        assert db.session.scalar(select(Job).where(Job.kind == "caption",
                                                   Job.payload["lesson_id"].as_integer()
                                                   == lesson.id)) is not None
    assert errors == []
    context.close()
    studio_context.close()
