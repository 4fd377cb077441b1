"""A forgotten password, with the keyboard alone: an administrator finds the learner among the
users and makes a reset link, the
learner opens it, gets the error summary for a mistyped password, sets a new one, logs in with
it and changes it again from the account page. axe-core at every step (issue 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import User
from accessible_learning.services import accounts

from .conftest import focused, log_in, no_violations, tab_to

pytestmark = pytest.mark.browser

EMAIL = "forgetful@example.org"
NAME = "Forgetful learner"


def _type_and_send(page, fields: dict[str, str]) -> None:
    for selector, text in fields.items():
        tab_to(page, selector)
        page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_a_forgotten_password_is_reset_with_an_administrators_link(live_server, page, browser):
    base, app = live_server["url"], live_server["app"]
    with app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            accounts.register(email=EMAIL, display_name=NAME, password="the first pass phrase")

    log_in(page, base, "admin")
    page.goto(base + "/admin/")
    tab_to(page, "a", "Find a user")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Users')")
    no_violations(page, "users")
    _type_and_send(page, {"#q": "forgetful"})  # the search form, sent with Enter
    page.wait_for_selector("h2:has-text('1 user found')")
    no_violations(page, "users found")
    tab_to(page, "button", f"for {NAME}")  # "Make a reset link for …"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('Password reset link for {NAME}')")
    no_violations(page, "reset link made")
    link = page.input_value("#reset-link")
    assert link.startswith(base + "/reset-password/")

    learner = browser.new_context(locale="en-GB").new_page()
    learner.goto(base + "/login")
    tab_to(learner, "a", "Forgot your password?")
    learner.keyboard.press("Enter")
    learner.wait_for_selector("h1:has-text('Forgot your password?')")
    no_violations(learner, "forgot password")

    learner.goto(link)
    learner.wait_for_selector("h1:has-text('Choose a new password')")
    no_violations(learner, "reset form")
    _type_and_send(learner, {"#password": "the second pass phrase",
                             "#confirm": "the second pass phrasE"})
    learner.wait_for_selector("#error-summary")
    assert focused(learner)["id"] == "error-summary"
    assert "The two passwords are not the same" in learner.inner_text("#error-summary")
    no_violations(learner, "reset form with errors")
    _type_and_send(learner, {"#password": "the second pass phrase",
                             "#confirm": "the second pass phrase"})
    learner.wait_for_selector("h1:has-text('Log in')")
    assert "Log in with your new password" in learner.inner_text(".notices")
    no_violations(learner, "log in after the reset")

    _type_and_send(learner, {"#email": EMAIL, "#password": "the second pass phrase"})
    learner.wait_for_url(base + "/dashboard")
    learner.goto(base + "/account")
    tab_to(learner, "a", "Change your password")
    learner.keyboard.press("Enter")
    learner.wait_for_selector("h1:has-text('Change your password')")
    no_violations(learner, "change password")
    _type_and_send(learner, {"#current": "not the password", "#password": "the third pass phrase",
                             "#confirm": "the third pass phrase"})
    learner.wait_for_selector("#error-summary")
    assert "The current password is wrong" in learner.inner_text("#error-summary")
    no_violations(learner, "change password with errors")
    _type_and_send(learner, {"#current": "the second pass phrase",
                             "#password": "the third pass phrase",
                             "#confirm": "the third pass phrase"})
    learner.wait_for_selector("h1:has-text('Your account')")
    assert "logged out everywhere else" in learner.inner_text(".notices")
    no_violations(learner, "account after changing the password")

    # The used link now explains itself.
    learner.goto(link)
    learner.wait_for_selector("h1:has-text('This reset link does not work')")
    no_violations(learner, "used reset link")
    learner.context.close()
