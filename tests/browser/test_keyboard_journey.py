"""The learner's main journey with the keyboard alone: Tab, Shift+Tab, Enter, Space, arrows
(and typing into text fields). Focus must always be visible and land where a screen-reader user
expects; htmx swaps are announced in the live region."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import AXE_OPTIONS, assert_focus_visible, focused, tab_to

pytestmark = pytest.mark.browser

def live_text(page) -> str:
    return page.inner_text("#live-region")


def test_register_search_enrol_open_lesson_and_turn_captions_on(live_server, page):
    base = live_server["url"]
    page.goto(base + "/")

    # The skip link comes first and moves focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # Register.
    page.keyboard.press("Shift+Tab")  # back into the header
    tab_to(page, "a[href='/register']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/register")
    tab_to(page, "#email")
    page.keyboard.type("keyboard.learner@example.org")
    tab_to(page, "#display_name")
    page.keyboard.type("김지은 🧵")
    tab_to(page, "#password")
    page.keyboard.type("chalk lines and tape measures")
    tab_to(page, "#confirm")
    page.keyboard.type("chalk lines and tape measures")
    tab_to(page, "#needs-0")
    page.keyboard.press("Space")
    assert page.is_checked("#needs-0")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/courses")
    # The confirmation takes focus so that it is read out.
    # (the page's script moves the focus once the page is shown: waited for, not assumed)
    page.wait_for_function("() => document.activeElement.classList.contains('notices')",
                           timeout=5000)
    assert "Welcome, 김지은 🧵" in page.inner_text(".notices")

    # Search the catalogue: results update while typing, the count is announced, focus stays.
    tab_to(page, "#q")
    page.keyboard.type("pattern")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('1 course found')"
    )
    assert focused(page)["id"] == "q"
    assert page.inner_text("#results-heading") == "1 course found"
    assert "q=pattern" in page.url  # the URL follows the results (bookmarkable)
    swapped = Axe().run(page, options=AXE_OPTIONS)  # the page with the htmx fragment swapped in
    assert swapped.violations_count == 0, swapped.generate_report()

    # Filter by trade with the arrow keys; the new count is announced.
    tab_to(page, "#trade")
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#trade", "el => el.value") == "tailoring"
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('trade') === 'tailoring'"
    )
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('1 course found')"
    )

    # Submitting the search moves focus to the results heading.
    tab_to(page, "#q", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement.id === 'results-heading'"
    )
    assert_focus_visible(page)

    # Open the course and enrol.
    tab_to(page, "a", "Garment pattern-making basics")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Garment pattern-making basics')")
    tab_to(page, "button", "Enrol in this course")
    page.keyboard.press("Space")
    page.wait_for_selector(".notices")
    # (the page's script moves the focus once the page is shown: waited for, not assumed)
    page.wait_for_function("() => document.activeElement.classList.contains('notices')",
                           timeout=5000)
    assert "You are enrolled" in page.inner_text(".notices")

    # Open the first lesson and turn captions on.
    tab_to(page, "a", "Taking body measurements")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Taking body measurements')")
    page.wait_for_function(
        "() => document.querySelector('video').readyState >= 1"
    )
    assert page.evaluate("document.querySelector('video').duration") > 5
    tab_to(page, "button[data-action=captions]")
    assert page.get_attribute("button[data-action=captions]", "aria-pressed") == "false"
    page.keyboard.press("Space")
    assert page.get_attribute("button[data-action=captions]", "aria-pressed") == "true"
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('Captions on')"
    )
    # The captions track really loads: its cues carry the Korean narration.
    page.wait_for_function(
        "() => document.querySelector('video').textTracks[0].cues.length > 0"
    )
    first_cue = page.evaluate("document.querySelector('video').textTracks[0].cues[0].text")
    assert "치수" in first_cue
    assert not page.console_errors, page.console_errors
