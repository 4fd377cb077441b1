"""Rate limits on logging in and registering, with a pause explained in the form's error
summary (issue 7). Failed log-ins count per account and per address; a correct password does
not lift the pause early."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import User
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, csrf_from, demo_app


@pytest.fixture
def limited_app(demo_template, tmp_path):
    with demo_app(demo_template, tmp_path / "instance",
                  LOGIN_FAILURES_PER_ACCOUNT="3 per 15 minutes",
                  LOGIN_FAILURES_PER_ADDRESS="5 per 15 minutes",
                  REGISTRATIONS_PER_ADDRESS="2 per hour") as app:
        yield app


def _login(client, email, password, address="10.0.0.1"):
    token = csrf_from(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_failed_logins_pause_the_account_with_a_message_read_out(limited_app):
    client = limited_app.test_client()
    email = DEMO_EMAILS["learner"]
    for _ in range(3):
        assert _login(client, email, "wrong password here").status_code == 400
    response = _login(client, email, DEMO_PASSWORDS["learner"])  # right, but paused
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 'id="error-summary"' in page and "logging in is paused for up to 15 minutes" in page
    assert f'value="{email}"' in page  # what was typed is kept
    assert client.get("/dashboard").status_code == 302  # not logged in
    # Another account from another network is not paused.
    other = limited_app.test_client()
    response = _login(other, DEMO_EMAILS["content"], DEMO_PASSWORDS["content"], "10.0.0.2")
    assert response.status_code == 302


def test_failed_logins_from_one_address_pause_that_address(limited_app):
    client = limited_app.test_client()
    for n in range(5):
        assert _login(client, f"nobody{n}@example.org", "wrong password here",
                      "10.0.0.3").status_code == 400
    response = _login(client, DEMO_EMAILS["admin"], DEMO_PASSWORDS["admin"], "10.0.0.3")
    assert response.status_code == 429
    # The same account logs in from another address.
    response = _login(limited_app.test_client(), DEMO_EMAILS["admin"], DEMO_PASSWORDS["admin"],
                      "10.0.0.4")
    assert response.status_code == 302


def test_successful_logins_do_not_count(limited_app):
    for _ in range(6):
        client = limited_app.test_client()
        assert _login(client, DEMO_EMAILS["learner"], DEMO_PASSWORDS["learner"]).status_code == 302


def test_registrations_per_address_are_limited_and_nothing_is_saved(limited_app):
    def register(n):
        client = limited_app.test_client()
        token = csrf_from(client, "/register")
        return client.post("/register", environ_base={"REMOTE_ADDR": "10.0.0.9"}, data={
            "csrf_token": token, "email": f"new{n}@example.org", "display_name": f"New {n}",
            "password": "a long enough phrase", "confirm": "a long enough phrase",
            "language": "en"})

    with limited_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(User))
    assert register(1).status_code == 302
    assert register(2).status_code == 302
    response = register(3)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and 'id="error-summary"' in page
    assert "Too many accounts were created from this network" in page
    with limited_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == before + 2
