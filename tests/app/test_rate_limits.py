"""Rate limits on logging in and registering, with a pause explained in the form's error
summary (issue 7). Failed log-ins count per account from one address, per account from all (a
slower ceiling) and per address, in the database: they hold across web processes (issue 25). A
correct password does not lift a pause early, and a pause on an account does not lock its owner
out from an address that has not failed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import User
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, csrf_from, demo_app


@pytest.fixture
def limited_app(demo_template, tmp_path):
    with demo_app(demo_template, tmp_path / "instance",
                  LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS="3 per 15 minutes",
                  LOGIN_FAILURES_PER_ACCOUNT="6 per hour",
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
    # Another account from another network is not paused; nor is this account's owner
    # logging in from an address that has not failed.
    other = limited_app.test_client()
    response = _login(other, DEMO_EMAILS["content"], DEMO_PASSWORDS["content"], "10.0.0.2")
    assert response.status_code == 302
    owner = limited_app.test_client()
    assert _login(owner, email, DEMO_PASSWORDS["learner"], "10.0.0.9").status_code == 302


def test_guesses_from_many_addresses_reach_the_accounts_ceiling(limited_app):
    email = DEMO_EMAILS["examiner"]
    for n in range(6):  # two wrong passwords from each of three addresses
        client = limited_app.test_client()
        assert _login(client, email, "wrong password here", f"10.1.0.{n // 2}").status_code == 400
    response = _login(limited_app.test_client(), email, DEMO_PASSWORDS["examiner"], "10.1.0.99")
    assert response.status_code == 429  # paused everywhere now, for up to an hour
    assert "paused for up to 60 minutes" in response.get_data(as_text=True)


def test_the_pause_holds_across_web_processes(demo_template, tmp_path):
    """Two server processes on one database, as gunicorn's are: the wrong passwords sent to
    both add up (with memory:// each process counted its own: 20 got through a limit of 10)."""
    import http.cookiejar
    import os
    import re
    import subprocess
    import sys
    import urllib.error
    import urllib.parse
    import urllib.request

    from conftest import clone_instance, free_port, wait_for_url

    config = clone_instance(demo_template, tmp_path / "instance")
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "SECRET_KEY": "one secret for both",
           "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": "4 per 15 minutes",
           "LOGIN_FAILURES_PER_ACCOUNT": "4 per 15 minutes",  # the name before issue 25
           "VOICE_CHECK_AT_STARTUP": "0"}
    servers, urls = [], []
    for _ in range(2):
        port = free_port()
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "accessible_learning", "run", "--port",
             str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        urls.append(f"http://127.0.0.1:{port}")

    def log_in(url: str, password: str) -> int:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{url}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": DEMO_EMAILS["learner"], "password": password,
                                       "csrf_token": token}).encode()
        try:
            return opener.open(f"{url}/login", data=data, timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        for url, server in zip(urls, servers, strict=True):
            wait_for_url(f"{url}/login", server)
        for url in (*urls, *urls):  # two wrong passwords through each process
            assert log_in(url, "wrong password here") == 400
        for url in urls:
            assert log_in(url, DEMO_PASSWORDS["learner"]) == 429
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)



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
