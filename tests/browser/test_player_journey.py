"""The lesson player in real Chromium: a playback journey with the keyboard alone (play, seek,
speed, captions and their style, the help dialog, the transcript: seek, search, hide; resume after
a reload), axe in every state of the player, and a voice command spoken into Chromium's fake
microphone from a WAV file."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, assert_focus_visible, log_in, no_violations, tab_to

pytestmark = pytest.mark.browser

VIDEO = "document.querySelector('.player video')"


def live(page, text: str, timeout: float = 10_000) -> None:
    page.wait_for_function(
        "t => document.getElementById('live-region').textContent.includes(t)", arg=text,
        timeout=timeout)


def video(page, expression: str):
    return page.evaluate(f"() => {{ const v = {VIDEO}; return {expression}; }}")


def open_lesson_as_learner(page, base: str) -> None:
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


def test_keyboard_playback_journey(live_server, page):
    base = live_server["url"]
    open_lesson_as_learner(page, base)
    assert video(page, "v.controls") is False  # our controls replace the native ones
    no_violations(page, "player, paused")

    # Play with the play button, pause with the shortcut.
    tab_to(page, "button[data-action=play]")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !{VIDEO}.paused")
    live(page, "Playing.")
    assert page.inner_text("button[data-action=play]") == "Pause"
    no_violations(page, "player, playing")
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")
    live(page, "Paused.")

    # A chapter: its button plays from the chapter's start and becomes the current one.
    tab_to(page, "[data-chapter]", "허리 둘레")
    chapter_start = float(page.evaluate("() => document.activeElement.dataset.chapter"))
    page.keyboard.press("Enter")
    page.wait_for_function(f"t => !{VIDEO}.paused && {VIDEO}.currentTime >= t", arg=chapter_start)
    page.wait_for_selector("[data-chapter][aria-current=true]:has-text('허리 둘레')")
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")
    tab_to(page, "button[data-action=play]", key="Shift+Tab")

    # Seek with the slider's arrow keys and by the shortcuts; the slider speaks its value.
    tab_to(page, "#player-seek")
    page.keyboard.press("Home")
    page.wait_for_function(f"() => {VIDEO}.currentTime < 0.5")
    start = video(page, "v.currentTime")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert video(page, "v.currentTime") >= start + 2
    text = page.get_attribute("#player-seek", "aria-valuetext")
    assert " of " in text and "second" in text
    before = video(page, "v.currentTime")
    page.keyboard.press("Alt+Shift+KeyF")
    live(page, "Forward 10 seconds.")
    assert abs(video(page, "v.currentTime") - (before + 10)) < 1.5
    page.keyboard.press("Alt+Shift+KeyB")
    live(page, "Back 10 seconds.")
    assert abs(video(page, "v.currentTime") - before) < 1.5

    # Speed: the list, and the shortcuts; the pitch is kept.
    tab_to(page, "#player-speed")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"() => {VIDEO}.playbackRate === 1.25")
    live(page, "Speed 1.25×.")
    page.keyboard.press("Alt+Shift+Period")
    page.wait_for_function(f"() => {VIDEO}.playbackRate === 1.5")
    page.keyboard.press("Alt+Shift+KeyN")
    page.wait_for_function(f"() => {VIDEO}.playbackRate === 1")
    assert video(page, "v.preservesPitch") is True

    # Captions on with the shortcut; their style changed from the player, without reloading.
    page.keyboard.press("Alt+Shift+KeyC")
    live(page, "Captions on.")
    assert page.get_attribute("button[data-action=captions]", "aria-pressed") == "true"
    assert video(page, "v.textTracks[0].mode") == "showing"
    no_violations(page, "player, captions on")
    tab_to(page, ".caption-style summary")
    page.keyboard.press("Enter")
    tab_to(page, "#player-caption_size")
    size = page.input_value("#player-caption_size")
    page.keyboard.press("ArrowDown")
    new_size = page.input_value("#player-caption_size")
    assert new_size != size
    page.wait_for_function("c => document.body.classList.contains(c)", arg=f"cue-size-{new_size}")
    live(page, "Caption style saved.")
    no_violations(page, "player, caption style open")

    # The help dialog: opened by its shortcut, focus inside, closed with Escape, focus back.
    opener = page.evaluate("() => document.activeElement.id")
    page.keyboard.press("Alt+Shift+KeyH")
    page.wait_for_function("() => document.getElementById('player-help').open")
    assert page.evaluate("() => document.activeElement.id") == "player-help-title"
    no_violations(page, "player, help dialog open")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('player-help').open")
    assert page.evaluate("() => document.activeElement.id") == opener

    # The transcript: a line seeks the video and becomes the current one (aria-current).
    tab_to(page, ".transcript-line")
    tab_to(page, ".transcript-line")  # the second line
    target = float(page.evaluate("() => document.activeElement.dataset.seek"))
    page.keyboard.press("Enter")
    page.wait_for_function(f"t => Math.abs({VIDEO}.currentTime - t) < 1.5 && !{VIDEO}.paused",
                           arg=target)
    page.wait_for_selector(".transcript-line[aria-current=true]")
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")
    no_violations(page, "player, transcript line current")
    # Search within the transcript: the count is announced.
    tab_to(page, "#transcript-q", key="Shift+Tab")
    page.keyboard.type("치수")
    live(page, " “치수”.")  # "1 line contains …" or "N lines contain …"
    assert page.locator(".transcript-line mark").count() >= 1
    no_violations(page, "player, transcript searched")
    # Hide and show the transcript by its shortcut.
    page.keyboard.press("Alt+Shift+KeyT")
    live(page, "Transcript hidden.")
    assert page.is_hidden("#transcript-panel")
    assert page.get_attribute("button[data-action=transcript]", "aria-pressed") == "false"
    page.keyboard.press("Alt+Shift+KeyT")
    page.wait_for_selector("#transcript-panel", state="visible")

    # Where am I, by its shortcut.
    page.keyboard.press("Alt+Shift+KeyW")
    live(page, "Lesson: Taking body measurements.")

    # A place in the middle of this short lesson, to come back to.
    tab_to(page, "#player-seek", key="Shift+Tab", limit=80)
    with page.expect_response(lambda r: r.url.endswith("/progress")) as saved:
        page.keyboard.press("End")
        for _ in range(8):
            page.keyboard.press("ArrowLeft")
    stopped = video(page, "v.currentTime")
    assert 5 < stopped < video(page, "v.duration") - 5
    assert abs(saved.value.json()["position"] - stopped) < 0.5

    # No keyboard trap: Tab leaves the player for the rest of the page.
    tab_to(page, ".lesson-nav a", limit=80)

    # Resume: the position saved when the page is left is offered after a reload.
    page.reload()
    page.wait_for_selector("[data-resume-offer]:not([hidden])")
    no_violations(page, "player, resume offered")
    tab_to(page, "button[data-resume]")
    page.keyboard.press("Enter")
    page.wait_for_function(f"t => Math.abs({VIDEO}.currentTime - t) < 1.5", arg=stopped)
    assert page.evaluate("() => document.activeElement.dataset.action") == "play"
    assert_focus_visible(page)

    # Completing the lesson by reading its transcript: the swapped status is announced.
    tab_to(page, "button", "I have read the transcript", limit=80)
    page.keyboard.press("Enter")
    live(page, "Lesson completed: you have read the transcript.")
    page.wait_for_selector("#completion:has-text('You completed this lesson by reading')")
    no_violations(page, "lesson completed by reading (htmx fragment)")
    assert not page.console_errors, page.console_errors


@pytest.fixture(scope="module")
def spoken_pause(tmp_path_factory) -> str:
    """"정지" (pause) spoken by espeak-ng, with silence before and after, as Chromium's fake
    microphone input (it loops the file). At this speed and pitch the recogniser is sure of it
    (tests/test_voice.py measures the rest: espeak-ng's Korean is often not understood)."""
    folder = tmp_path_factory.mktemp("voice")
    raw, wav = folder / "raw.wav", folder / "pause.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "220", "-p", "50", "-w", str(raw),
                    "정지"], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-af",
                    "adelay=1500:all=1,apad=pad_dur=2.5", "-ar", "48000", "-ac", "1",
                    "-c:a", "pcm_s16le", str(wav)], check=True)
    return str(wav)


def test_voice_command_from_the_microphone_pauses_the_video(live_server, browser, spoken_pause):
    base = live_server["url"]
    with_mic = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={spoken_pause}"])
    try:
        context = with_mic.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"], origin=base)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_lesson_as_learner(page, base)
        tab_to(page, "button[data-action=play]")
        page.keyboard.press("Space")
        page.wait_for_function(f"() => !{VIDEO}.paused")
        # Push to talk with the keyboard shortcut; the utterance goes to the server.
        page.keyboard.press("Alt+Shift+KeyV")
        page.wait_for_function(f"() => {VIDEO}.paused", timeout=20_000)
        live(page, "Paused.")
        assert page.get_attribute("button[data-action=voice]", "aria-pressed") == "false"
        no_violations(page, "player, after a voice command")
        assert not errors, errors
        context.close()
    finally:
        with_mic.close()
