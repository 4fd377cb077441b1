"""Teach the player your voice, with the keyboard alone, in Chromium with a fake microphone that
says "정지": the learner agrees to keep recordings, records pause twice (each take announced, the
count updated), and deletes everything again; axe finds nothing on any state of the page."""

from __future__ import annotations

import pytest

from .conftest import (
    fake_microphone,
    live,
    log_in,
    microphone_page,
    no_violations,
    tab_to,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spoken_pause(tmp_path_factory) -> str:
    return fake_microphone(tmp_path_factory.mktemp("teach"), "정지")


def test_a_learner_records_their_own_commands_with_the_keyboard(live_server, browser,
                                                                 spoken_pause):
    base = live_server["url"]
    with microphone_page(browser, base, spoken_pause) as page:
        log_in(page, base, "learner")
        page.goto(base + "/preferences")
        tab_to(page, "a", "Teach the player your voice", limit=120)
        page.keyboard.press("Enter")
        page.wait_for_selector("h1:has-text('Teach the player your voice')")
        no_violations(page, "teach the player your voice: consent")

        tab_to(page, "#agree")
        page.keyboard.press("Space")
        tab_to(page, "button", "Start recording")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-teach]")
        no_violations(page, "teach the player your voice: commands")

        tab_to(page, "button[data-action=voice]", "정지", limit=120)
        for take in (1, 2):  # the focus stays on the button
            assert "정지" in page.evaluate("document.activeElement.innerText")
            page.keyboard.press("Enter")
            live(page, "Recording. Say “정지”.")
            live(page, f"“정지” recorded: {take} of 3.", timeout=20_000)
            assert page.inner_text("#count-pause") == f"{take} of 3"
            assert page.get_attribute("[data-count-id=count-pause] button",
                                      "aria-pressed") == "false"
        no_violations(page, "teach the player your voice: recorded")

        page.reload()
        assert page.inner_text("#count-pause") == "2 of 3"
        tab_to(page, "button", "Delete all my recordings", limit=200)
        page.keyboard.press("Enter")
        page.wait_for_selector("text=All your recordings are deleted (2)")
        page.wait_for_selector("#agree")
        no_violations(page, "teach the player your voice: all deleted")
        assert not page.page_errors, page.page_errors
