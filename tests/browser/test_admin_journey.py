"""The administrator's journey with the keyboard alone: log in, Administration, the training
reports for the default year and for a period typed in (a wrong one first: the error summary takes
the focus and links to the field), the completions CSV, and the users list with a search.
axe-core at every step (issue 23)."""

from __future__ import annotations

import pytest

from accessible_learning.services import reports
from conftest import DEMO_EMAILS, DEMO_PASSWORDS

from .conftest import focus_moves_to, focused, no_violations, tab_to

pytestmark = pytest.mark.browser


def _type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")  # replace what the field holds
    page.keyboard.type(text)


def _type_date(page, selector: str, iso: str) -> None:
    """Type a date into the browser's date field, part by part, as a keyboard user does: this
    Chromium's date fields take month, day and year (each part moves on to the next)."""
    year, month, day = iso.split("-")
    tab_to(page, selector)
    page.keyboard.type(month + day + year)
    assert page.input_value(selector) == iso, "the date field takes its parts in another order"


def test_an_administrator_reads_the_reports_and_finds_a_user_by_keyboard(live_server, page):
    base = live_server["url"]
    page.goto(base + "/login")
    _type_into(page, "#email", DEMO_EMAILS["admin"])
    _type_into(page, "#password", DEMO_PASSWORDS["admin"])
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/dashboard")
    page.wait_for_function("() => document.activeElement.matches('.notices')")  # "logged in"

    tab_to(page, "nav a", "Administration", key="Shift+Tab")  # back up to the site's menu
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Administration')")
    assert "Users by role" in page.inner_text("main table caption")
    no_violations(page, "administration")

    tab_to(page, "a", "Training reports")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Reports')")
    year = reports.default_period()  # the server's today, as the page computes it
    assert page.is_visible(f"h2:has-text('From {year.start} to {year.end}')")
    no_violations(page, "reports, the last 12 months")

    _type_date(page, "#from", "2025-12-31")
    _type_date(page, "#to", "2025-01-01")  # before the start
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    focus_moves_to(page, "error-summary")
    summary = page.inner_text("#error-summary")
    assert "To: The end date must be the same as or after the start date." in summary
    assert page.get_attribute("#to", "aria-invalid") == "true"
    assert not page.is_visible("#totals")  # no figures for a wrong period
    no_violations(page, "reports with a wrong period")
    tab_to(page, "#error-summary a", "To:")
    assert page.get_attribute("#error-summary a", "href") == "#to"

    _type_date(page, "#from", "2025-01-01")
    _type_date(page, "#to", "2025-12-31")
    page.keyboard.press("Enter")
    page.wait_for_selector("h2:has-text('From 2025-01-01 to 2025-12-31')")
    assert page.get_attribute("#to", "aria-invalid") != "true"
    assert "All figures by month" in page.inner_text("main")
    no_violations(page, "reports for 2025")
    tab_to(page, "a", "Download the completions (CSV)")
    assert focused(page)["tag"] == "A"
    csv = page.request.get(base + page.get_attribute("a:has-text('Download the completions')",
                                                     "href"))
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text().lstrip("\ufeff").startswith("Display name,Real name,Course,Issued on")

    tab_to(page, "a", "Administration", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Administration')")
    tab_to(page, "a", "Find a user")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Users')")
    _type_into(page, "#q", "examiner@example")
    page.keyboard.press("Enter")
    page.wait_for_selector("h2:has-text('1 user found')")
    assert DEMO_EMAILS["examiner"] in page.inner_text("main table")
    no_violations(page, "a user found")

    # The examiner's page: a role given by keyboard, then taken back; the audit log has both.
    tab_to(page, "main table a", "Demo examiner")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('User: Demo examiner')")
    no_violations(page, "a user's page")
    tab_to(page, "#role")
    page.keyboard.type("Content")  # a closed select takes typed letters
    tab_to(page, "button", "Save the role")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices:has-text('Demo examiner is now: Content team.')")
    page.wait_for_function("() => document.activeElement.classList.contains('notices')")
    tab_to(page, "#role")
    page.keyboard.type("Examiner")
    tab_to(page, "button", "Save the role")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices:has-text('Demo examiner is now: Examiner.')")
    # Deleting asks for the account's address: a wrong one is refused, and said so.
    tab_to(page, "#confirm_email")
    page.keyboard.insert_text("someone.else@example.org")
    tab_to(page, "button", "Delete the account and its personal data")
    page.keyboard.press("Enter")
    focus_moves_to(page, "error-summary")
    assert "nothing was deleted" in page.inner_text("#error-summary")
    no_violations(page, "a user's page, deletion refused")
    page.goto(page.url.split("/admin/")[0] + "/admin/")
    tab_to(page, "a", "Audit log")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Audit log')")
    rows = page.locator("main tbody tr").all_inner_texts()
    assert "Role changed from Content team to Examiner" in rows[0]
    assert "Role changed from Examiner to Content team" in rows[1]
    no_violations(page, "the audit log")
