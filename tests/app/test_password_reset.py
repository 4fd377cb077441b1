"""Forgotten and changed passwords (issue 7). The server sends no e-mail: an administrator makes
a one-time reset link and hands it over. A new password ends every other session of the
account; reset links are stored only as hashes, work once, expire, and unknown links are
rate-limited per address with a pause the page explains."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import LoginSession, PasswordReset, User
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, csrf_from, demo_app, login, post_form

NEW_PASSWORD = "a brand new pass phrase"


@pytest.fixture
def limited_app(demo_template, tmp_path):
    with demo_app(demo_template, tmp_path / "instance",
                  RESET_ATTEMPTS_PER_ADDRESS="3 per 15 minutes",
                  LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS="3 per 15 minutes") as app:
        yield app


def _learner_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == DEMO_EMAILS["learner"]))


def _make_link(app, user_id: int) -> str:
    admin = app.test_client()
    login(admin, "admin")
    response = post_form(admin, f"/admin/users/{user_id}/reset-link", {}, token_page="/admin/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    link = re.search(r'id="reset-link" type="text" readonly value="([^"]+)"', page).group(1)
    assert "It works once, until" in page
    return link.removeprefix("http://localhost")


def _reset(client, link: str, password: str, confirm: str | None = None):
    return post_form(client, link, {"password": password,
                                    "confirm": password if confirm is None else confirm})


def test_the_login_page_explains_how_to_get_a_new_password(client):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Ask an administrator of your training centre for a password reset link" in page


def test_an_administrators_link_sets_a_new_password_once_and_ends_every_session(app):
    user_id = _learner_id(app)
    elsewhere = app.test_client()  # the learner is still logged in on another device
    login(elsewhere, "learner")
    assert elsewhere.get("/dashboard").status_code == 200

    link = _make_link(app, user_id)
    with app.app_context():  # only the hash of the secret is kept
        stored = db.session.scalar(select(PasswordReset.token_hash))
        assert link.rsplit("/", 1)[1] not in stored and len(stored) == 64

    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Choose a new password" in page and DEMO_EMAILS["learner"] in page
    # A password that breaks the rules is refused with the reason, and nothing changes.
    response = _reset(visitor, link, "short", "short")
    assert response.status_code == 400
    assert "between 10 and 128 characters" in response.get_data(as_text=True)
    response = _reset(visitor, link, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 400
    assert "The two passwords are not the same" in response.get_data(as_text=True)

    response = _reset(visitor, link, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Log in with your new password" in visitor.get("/login").get_data(as_text=True)

    # The other device's session has ended.
    assert elsewhere.get("/dashboard").status_code == 302
    # The old password no longer works; the new one does.
    old = post_form(app.test_client(), "/login", {"email": DEMO_EMAILS["learner"],
                                                  "password": DEMO_PASSWORDS["learner"]})
    assert old.status_code == 400
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"email": DEMO_EMAILS["learner"],
                                       "password": NEW_PASSWORD}).status_code == 302
    # The learner's data is all still there.
    assert fresh.get("/dashboard").status_code == 200

    # The link works once.
    again = app.test_client()
    response = again.get(link)
    assert response.status_code == 404
    assert "This reset link does not work" in response.get_data(as_text=True)
    assert _reset(again, link, "yet another pass phrase").status_code == 404
    assert post_form(app.test_client(), "/login", {
        "email": DEMO_EMAILS["learner"], "password": "yet another pass phrase"}
    ).status_code == 400


def test_a_newer_link_cancels_the_older_and_links_expire(app):
    user_id = _learner_id(app)
    first = _make_link(app, user_id)
    second = _make_link(app, user_id)
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset).where(PasswordReset.used_at.is_(None)))
        reset.expires_at = reset.created_at - timedelta(seconds=1)
        db.session.commit()
    assert client.get(second).status_code == 404
    assert _reset(client, second, NEW_PASSWORD).status_code == 404
    # The password was never changed.
    assert post_form(app.test_client(), "/login", {
        "email": DEMO_EMAILS["learner"], "password": DEMO_PASSWORDS["learner"]}
    ).status_code == 302


def test_unknown_links_from_one_address_are_paused_with_a_message(limited_app):
    client = limited_app.test_client()
    for n in range(3):
        response = client.get(f"/reset-password/guess{n}",
                              environ_base={"REMOTE_ADDR": "10.0.1.1"})
        assert response.status_code == 404
    link = _make_link(limited_app, _learner_id(limited_app))
    response = client.get(link, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 'id="error-summary"' in page and "reset links are paused for up to 15 minutes" in page
    # The right link still works from another network.
    assert client.get(link, environ_base={"REMOTE_ADDR": "10.0.1.2"}).status_code == 200


def test_only_administrators_make_reset_links(app):
    user_id = _learner_id(app)
    for role in ("learner", "content", "examiner"):
        client = app.test_client()
        login(client, role)
        token = csrf_from(client, "/account")
        response = client.post(f"/admin/users/{user_id}/reset-link",
                               data={"csrf_token": token})
        assert response.status_code == 403, role
    anonymous = app.test_client()
    token = csrf_from(anonymous, "/login")
    response = anonymous.post(f"/admin/users/{user_id}/reset-link", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    admin = app.test_client()
    login(admin, "admin")
    # Without the CSRF token nothing is made.
    assert admin.post(f"/admin/users/{user_id}/reset-link").status_code == 400
    assert post_form(admin, "/admin/users/99999/reset-link", {},
                     token_page="/admin/").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(PasswordReset.id)) is None


def test_changing_the_password_keeps_this_session_and_ends_the_others(app):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "learner")
    login(elsewhere, "learner")
    assert 'href="/account/password"' in here.get("/account").get_data(as_text=True)

    response = post_form(here, "/account/password", {
        "current": "not my password at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "The current password is wrong" in response.get_data(as_text=True)
    assert elsewhere.get("/dashboard").status_code == 200  # nothing changed

    response = post_form(here, "/account/password", {
        "current": DEMO_PASSWORDS["learner"], "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "logged out everywhere else" in here.get("/account").get_data(as_text=True)
    assert here.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302
    assert post_form(app.test_client(), "/login", {
        "email": DEMO_EMAILS["learner"], "password": NEW_PASSWORD}).status_code == 302


def test_wrong_current_passwords_pause_changing_it(limited_app):
    client = limited_app.test_client()
    login(client, "learner")
    for _ in range(3):
        response = post_form(client, "/account/password", {
            "current": "wrong wrong wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 400
    response = post_form(client, "/account/password", {
        "current": DEMO_PASSWORDS["learner"], "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 'id="error-summary"' in page and "changing the password is paused" in page
    with limited_app.app_context():  # unchanged: no login session was ended
        assert db.session.scalar(select(LoginSession.id).where(
            LoginSession.ended_at.is_not(None))) is None


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copy_of_the_session_cookie_stops_working_at_logout(app):
    client = app.test_client()
    login(client, "learner")
    copied = _cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard").status_code == 200
    assert post_form(client, "/logout", {}, token_page="/logout").status_code == 302
    assert thief.get("/dashboard").status_code == 302
    # Logging in again makes a new login session; the old copy stays dead.
    login(client, "learner")
    assert _cookie(client) != copied
    assert thief.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_login_session_ends_with_its_age_and_made_up_ids_fail(app):
    client = app.test_client()
    login(client, "learner")
    with app.app_context():
        row = db.session.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
        row.created_at -= timedelta(hours=app.config["LOGIN_SESSION_HOURS"] + 1)
        aged = row.id
        db.session.commit()
    assert client.get("/dashboard").status_code == 302
    login(client, "learner")
    with app.app_context():  # the aged row is gone: only the new log-in's row is kept
        rows = db.session.scalars(select(LoginSession).join(User).where(
            User.email == "learner@example.org")).all()
        assert len(rows) == 1 and rows[0].id != aged
    with client.session_transaction() as session:
        user_id, _, session_id = session["_user_id"].partition(":")
        assert len(session_id) >= 43  # 256 random bits
    for forged in (user_id, f"{user_id}:", f"{user_id}:made-up", f"x:{session_id}",
                   f"{int(user_id) + 1}:{session_id}"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert client.get("/dashboard").status_code == 302, forged
