"""Captions in several languages, by keyboard alone in Chromium: the content team starts a
translation from the lesson's captions, writes it (with a speaker) and publishes it; the learner
chooses the caption language in the player and, apart from it, the transcript language, each
applied at once, announced and kept (MAUR CC-26, CN-10, CC-21)."""

from __future__ import annotations

import pytest

from .conftest import VIDEO, arrow_to, live, log_in, no_violations, seek_and_wait, tab_to, video

pytestmark = pytest.mark.browser

LESSON = 2  # lesson 1 is the other journeys'; a learner's languages touch only this lesson


def _start_english_translation(page, base: str) -> None:
    log_in(page, base, "content")
    page.goto(f"{base}/studio/lessons/{LESSON}")
    page.locator("#translation-language").focus()
    arrow_to(page, "en")
    tab_to(page, "button", text="Start a translation")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Caption editor')")
    assert "A translation into English." in page.inner_text("main")
    count = page.locator("textarea[name$='-text']").count()
    assert page.locator("text=Not translated yet").count() == count
    no_violations(page, "caption editor, a translation")
    # Write each cue in English, with the keyboard; name the speaker of the first.
    page.locator("#cue-0-speaker").focus()
    page.keyboard.type("Teacher")
    for i in range(count):
        page.locator(f"#cue-{i}-text").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(f"English sentence {i + 1}.")
    tab_to(page, "button[value=save]", text="Save as a new version")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices")
    assert page.locator("text=Not translated yet").count() == 0
    assert "still to check" not in page.inner_text("main")
    page.goto(f"{base}/studio/lessons/{LESSON}")
    version = page.locator("table tbody tr").last.locator("th").inner_text()
    tab_to(page, "button", text=f"Publish version {version}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f".notices :text('Version {version} is published')")
    page.context.clear_cookies()


def test_caption_and_transcript_languages_chosen_apart_by_keyboard(live_server, page):
    base = live_server["url"]
    _start_english_translation(page, base)

    log_in(page, base, "learner")
    page.goto(f"{base}/courses/1")
    if page.locator("button:has-text('Enrol in this course')").count():
        page.click("button:has-text('Enrol in this course')")
        page.wait_for_selector(".notices")
    page.goto(f"{base}/lessons/{LESSON}")
    page.wait_for_selector("[data-controls]:not([hidden])")
    page.wait_for_selector(".transcript-line")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    try:
        if page.get_attribute("button[data-action=captions]", "aria-pressed") != "true":
            tab_to(page, "button[data-action=captions]")
            page.keyboard.press("Enter")
            live(page, "Captions on.")
        modes = f"[...{VIDEO}.textTracks].filter(t => t.kind === 'captions')" \
                ".map(t => t.language + ':' + t.mode).join(' ')"
        page.wait_for_function(f"() => {modes} === 'ko:showing en:disabled'")

        # Captions in English: the Korean track goes, the English one shows its cue.
        tab_to(page, "#player-caption-language")
        arrow_to(page, "en")
        live(page, "Captions in English, saved.")
        page.wait_for_function(f"() => {modes} === 'ko:disabled en:showing'")
        page.wait_for_function(
            f"() => [...{VIDEO}.textTracks].find(t => t.language === 'en').cues.length > 0")
        start = video(page, "[...v.textTracks].find(t => t.language === 'en').cues[0].startTime")
        seek_and_wait(page, start + 0.3)
        page.wait_for_function(
            f"() => [...[...{VIDEO}.textTracks].find(t => t.language === 'en').activeCues]"
            ".some(c => c.text.includes('Teacher: English sentence 1.'))")
        no_violations(page, "player, captions in a translation")

        # The transcript stays in Korean until the learner chooses English for it; the focus
        # stays on the list while the lines change.
        assert page.get_attribute(".transcript-lines", "lang") == "ko"
        tab_to(page, "#transcript-language")
        arrow_to(page, "en")
        live(page, "Transcript in English, saved.")
        page.wait_for_selector(".transcript-lines[lang=en]")
        page.wait_for_function("() => document.activeElement.id === 'transcript-language'")
        assert "Teacher:" in page.inner_text(".transcript-lines")
        assert "English sentence 1." in page.inner_text(".transcript-lines")
        no_violations(page, "transcript in a translation")

        # Captions back in Korean, the transcript kept in English, across a reload.
        page.locator("#player-caption-language").focus()
        arrow_to(page, "ko", key="ArrowUp")
        live(page, "Captions in 한국어, saved.")
        page.wait_for_function(f"() => {modes} === 'ko:showing en:disabled'")
        page.reload()
        page.wait_for_selector(".transcript-line")
        page.wait_for_function(f"() => {modes} === 'ko:showing en:disabled'")
        assert page.get_attribute(".transcript-lines", "lang") == "en"
        assert page.evaluate("() => document.querySelector('#player-caption-language').value") \
            == "ko"
        assert not page.console_errors, page.console_errors
    finally:  # the learner's transcript language back to the lesson's own, for other tests
        page.evaluate("""url => { const f = new FormData(); f.append('transcript_language', '');
            f.append('caption_language', '');
            const headers = JSON.parse(document.body.getAttribute('hx-headers'));
            headers['HX-Request'] = 'true';
            return fetch(url, {method: 'POST', body: f, headers: headers}); }""",
                      f"{base}/preferences/player")
