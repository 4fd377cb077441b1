"""The content team's captioning journey in the browser, by keyboard, with a real worker:
upload → progress announced → caption editor → save a new version → publish. axe on each state."""

from __future__ import annotations

import pytest

from conftest import SHARED_DATA

from .conftest import assert_focus_visible, log_in, no_violations, tab_to

pytestmark = pytest.mark.browser
SYNTH = SHARED_DATA / "speech" / "ko-synth"


def test_upload_progress_edit_and_publish_by_keyboard(live_server, worker, page):
    base = live_server["url"]
    log_in(page, base, "content")
    page.goto(base + "/studio/")
    tab_to(page, "a", "Making the dough")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Captions: Making the dough')")
    no_violations(page, "studio lesson page")

    tab_to(page, "#media")
    page.set_input_files("#media", str(SYNTH / "noodles.wav"))  # the system file dialog
    tab_to(page, "#script")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text((SYNTH / "noodles.script.txt").read_text(encoding="utf-8"))
    tab_to(page, "button", "Upload and make captions")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices")
    # (the page's script moves the focus once the page is shown: waited for, not assumed)
    page.wait_for_function("() => document.activeElement.classList.contains('notices')",
                           timeout=5000)
    assert page.locator("#lesson-job progress").count() == 1
    no_violations(page, "studio lesson page while captioning")
    # Progress is announced through the live region as the stages change, then "Done".
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('Captioning: Done')"
        " || document.querySelector('#lesson-job').textContent.includes('Done')",
        timeout=120_000,
    )
    page.wait_for_selector("#lesson-job a:has-text('caption editor')")
    no_violations(page, "studio lesson page when captions are ready")

    tab_to(page, "#lesson-job a")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Caption editor')")
    no_violations(page, "caption editor")
    assert page.input_value("#cue-0-text").startswith("오늘은 국수를")  # the script's text
    tab_to(page, "#cue-0-text")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("오늘은 국수 만드는 법을 배웁니다.")
    tab_to(page, "button", "Save as a new version")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices:has-text('Earlier versions are kept')")
    no_violations(page, "caption editor after saving")
    assert page.input_value("#cue-0-text").replace("\n", " ") == "오늘은 국수 만드는 법을 배웁니다."
    version = int(page.url.rsplit("/", 1)[1])

    tab_to(page, ".breadcrumb a", "Captions: Making the dough")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Captions: Making the dough')")
    tab_to(page, "button", f"Publish version {version}")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices:has-text('learners now see these captions')")
    no_violations(page, "studio lesson page after publishing")
    assert not [e for e in page.console_errors if "status of 4" not in e], page.console_errors
