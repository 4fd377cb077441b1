"""The description stem mixed in the browser (issue 26; MAUR DV-6, DV-9, CA-1 to CA-3), by
keyboard in Chromium: choosing described audio plays the original video with the stem beside
it through a running AudioContext, the stem following the video within 0.25 s after a seek;
the description and programme volumes change by arrow keys, apply to the GainNodes at once,
are announced and saved, and are there again after a reload. axe with the volumes shown."""

from __future__ import annotations

import pytest

from .conftest import (
    VIDEO,
    arrow_to,
    live,
    no_violations,
    open_lesson_as_learner,
    seek_and_wait,
    tab_to,
    video,
)

pytestmark = pytest.mark.browser
STEM = "document.querySelector('audio[data-stem]')"


def _choose_described(page) -> None:
    tab_to(page, "input[name='description-mode']")
    arrow_to(page, "described")
    assert page.is_checked("#description-mode-described")
    page.wait_for_selector("[data-stem-volumes]:not([hidden])")


def _gap(page) -> float:
    return page.evaluate(f"() => Math.abs({STEM}.currentTime - {VIDEO}.currentTime)")


def test_described_audio_plays_the_stem_in_sync_with_volumes_kept(live_server, page):
    base = live_server["url"]
    open_lesson_as_learner(page, base)
    original = video(page, "v.currentSrc")
    stem_url = page.get_attribute("[data-described-player]", "data-src-stem")
    assert stem_url and stem_url.endswith(".ogg")
    assert page.locator("[data-stem-volumes]").is_hidden()  # off: no stem, no volumes
    _choose_described(page)
    live(page, "Audio description: Described audio")
    assert video(page, "v.currentSrc") == original  # the original video, not the mixed file
    assert page.evaluate(f"() => new URL({STEM}.src).pathname") == stem_url

    # Play from the keyboard: the context runs (resumed on the press) and the stem plays.
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => !{VIDEO}.paused && !{STEM}.paused && "
                           f"{STEM}.getAttribute('data-context') === 'running' && "
                           f"{STEM}.currentTime > 0.5", timeout=10_000)
    assert page.evaluate(f"() => {STEM}.preservesPitch") is True
    for target in (6.0, 2.0):
        seek_and_wait(page, target)
        page.wait_for_function(f"() => !{VIDEO}.seeking && !{STEM}.seeking && "
                               f"{VIDEO}.currentTime > {target + 0.5}", timeout=10_000)
        assert _gap(page) < 0.25, (target, _gap(page))
    # Faster: the stem follows the rate (pitch kept) and stays in step.
    page.keyboard.press("Alt+Shift+Period")
    live(page, "1.25")
    page.wait_for_function(f"() => {STEM}.playbackRate === 1.25 && {VIDEO}.playbackRate === 1.25")
    start = video(page, "v.currentTime")
    page.wait_for_function(f"() => {VIDEO}.currentTime > {start + 1.5}", timeout=10_000)
    assert _gap(page) < 0.25
    # Paused with the video, and at the same place.
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused && {STEM}.paused")
    assert _gap(page) < 0.25
    # Back to the normal speed (it is saved, and the other journeys start from it).
    page.keyboard.press("Alt+Shift+KeyN")
    page.wait_for_function(f"() => {STEM}.playbackRate === 1 && {VIDEO}.playbackRate === 1")

    # The two volumes, by arrow keys: applied to the gains at once, announced, saved.
    tab_to(page, "#description-volume")
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    live(page, "Description volume 80%, saved.")
    assert page.get_attribute("#description-volume", "aria-valuetext") == "80%"
    page.wait_for_function(f"() => Math.abs({STEM}.mix.gains.description.gain.value - 0.8)"
                           " < 0.01")
    tab_to(page, "#programme-volume")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    live(page, "Programme volume 85%, saved.")
    assert page.get_attribute("#programme-volume", "aria-valuetext") == "85%"
    page.wait_for_function(f"() => Math.abs({STEM}.mix.gains.programme.gain.value - 0.85)"
                           " < 0.01")
    no_violations(page, "player, described audio with its two volumes")

    # Off: the original's own sound at full level, the stem paused.
    tab_to(page, "input[name='description-mode']", key="Shift+Tab")
    arrow_to(page, "off", key="ArrowUp")
    page.wait_for_selector("[data-stem-volumes]", state="hidden")
    page.wait_for_function(f"() => {STEM}.paused && "
                           f"Math.abs({STEM}.mix.gains.programme.gain.value - 1) < 0.01")

    page.reload()
    page.wait_for_selector("[data-controls]:not([hidden])")
    assert page.input_value("#description-volume") == "80"
    assert page.input_value("#programme-volume") == "85"
    _choose_described(page)
    assert page.get_attribute("#programme-volume", "aria-valuetext") == "85%"
    page.wait_for_function(f"() => Math.abs({STEM}.mix.gains.description.gain.value - 0.8)"
                           " < 0.01")
    assert not [e for e in page.console_errors if "status of 4" not in e], page.console_errors


def test_the_programme_is_lowered_while_each_description_of_the_stem_is_spoken(live_server,
                                                                               page):
    """The ducking the player schedules on the audio clock: 12 dB down (gain 0.25) inside a
    description's window, back to 1 after it. The demo lesson's descriptions are all too long
    for its pauses (its stem is silent and has no window), so the page as the server sent it
    is given one window, 3–5 s, before the player reads it."""
    base = live_server["url"]

    def with_a_window(route):
        response = route.fetch()
        body = response.text()
        assert 'data-duck="[]"' in body
        route.fulfill(response=response, body=body.replace('data-duck="[]"',
                                                           'data-duck="[[3.0, 5.0]]"'))

    page.route(f"{base}/lessons/1", with_a_window)
    open_lesson_as_learner(page, base)
    _choose_described(page)
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => !{STEM}.paused && "
                           f"{STEM}.getAttribute('data-context') === 'running'", timeout=10_000)
    duck = f"{STEM}.mix.duck.gain.value"
    for target, low, high in ((3.4, 3.6, 4.6), (7.0, 7.2, 9.0)):
        seek_and_wait(page, target)
        page.wait_for_function(f"() => !{VIDEO}.seeking && {VIDEO}.currentTime > {low}",
                               timeout=10_000)
        gain, now = page.evaluate(f"() => [{duck}, {VIDEO}.currentTime]")
        assert now < high, now
        want = 10 ** (-12 / 20) if target < 5 else 1.0
        assert abs(gain - want) < 0.03, (target, now, gain)
    # Paused inside the window, the programme stays lowered; off, it is whole again.
    seek_and_wait(page, 4.0)
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function(f"() => {VIDEO}.paused")
    page.wait_for_function(f"() => Math.abs({duck} - {10 ** (-12 / 20)}) < 0.03")
    assert page.evaluate("() => document.activeElement.name") == "description-mode"
    arrow_to(page, "off", key="ArrowUp")
    page.wait_for_function(f"() => Math.abs({duck} - 1) < 0.01")
