"""Declared needs act: "deaf or hard of hearing" turns captions on, "blind or low vision" turns
audio description on as text descriptions read by the screen reader; the learner is told what
was set, sees it on the Preferences page, and can change it."""

from __future__ import annotations

import re

from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Preferences, User
from conftest import login, post_form

NEW = {"email": "hana@example.org", "display_name": "Hana", "real_name": "",
       "password": "sewing machines hum softly", "confirm": "sewing machines hum softly",
       "language": "en"}


def _prefs(app, email: str) -> Preferences:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        row = db.session.get(Preferences, user.id)
        db.session.expunge(row)
        return row


def _described_lesson_page(client) -> str:
    """The first demo lesson has captions and a published audio description."""
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")
    return client.get("/lessons/1").get_data(as_text=True)


def test_registering_deaf_and_blind_sets_captions_and_description_and_says_so(app):
    client = app.test_client()
    response = post_form(client, "/register", {**NEW, "needs": ["deaf_hoh", "low_vision"]},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "captions are shown in every lesson" in html
    assert "audio description is on, as text descriptions read by your screen reader" in html
    assert "You can change these on the Preferences page." in html
    prefs = _prefs(app, NEW["email"])
    assert (prefs.captions_on, prefs.audio_description, prefs.description_mode) == (
        True, True, "screen-reader")

    lesson = _described_lesson_page(client)
    assert re.search(r'<track kind="captions"[^>]* default>', lesson)
    assert re.search(r'id="description-mode-screen-reader"[^>]* checked', lesson)

    page = client.get("/preferences").get_data(as_text=True)
    assert "Set from what you told us" in page
    assert re.search(r'<input checked[^>]* name="description_mode"[^>]*value="screen-reader"',
                     page)
    # The learner turns captions off: it stays off, and the page no longer says it is set.
    form = {"caption_size": "medium", "caption_color": "white", "caption_background": "black",
            "audio_description": "y", "description_mode": "screen-reader",
            "playback_speed": "1.0", "language": "en"}
    assert post_form(client, "/preferences", form).status_code == 302
    assert _prefs(app, NEW["email"]).captions_on is False
    page = client.get("/preferences").get_data(as_text=True)
    assert "captions are shown in every lesson" not in page
    assert "read by your screen reader" in page
    lesson = client.get("/lessons/1").get_data(as_text=True)
    assert not re.search(r'<track kind="captions"[^>]* default>', lesson)


def test_registering_without_needs_changes_no_default(app):
    client = app.test_client()
    response = post_form(client, "/register", NEW, follow_redirects=True)
    assert "You can change these on the Preferences page." not in response.get_data(
        as_text=True)
    prefs = _prefs(app, NEW["email"])
    assert (prefs.captions_on, prefs.audio_description, prefs.description_mode) == (
        False, False, "described")
    assert "Set from what you told us" not in client.get("/preferences").get_data(as_text=True)
    lesson = _described_lesson_page(client)
    assert re.search(r'id="description-mode-off"[^>]* checked', lesson)


def test_a_need_added_later_turns_its_setting_on_and_removing_it_turns_nothing_off(app):
    client = app.test_client()
    login(client, "learner")
    from conftest import DEMO_EMAILS

    email = DEMO_EMAILS["learner"]
    assert _prefs(app, email).captions_on is False
    profile = {"display_name": "Demo learner", "real_name": ""}
    response = post_form(client, "/account", {**profile, "needs": ["deaf_hoh"]},
                         follow_redirects=True)
    assert "captions are shown in every lesson" in response.get_data(as_text=True)
    assert _prefs(app, email).captions_on is True
    response = post_form(client, "/account", profile, follow_redirects=True)
    assert "captions are shown" not in response.get_data(as_text=True)
    assert _prefs(app, email).captions_on is True
