"""Bad form input gets an error summary linking to each field, and nothing is saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import Preferences, User
from conftest import login, post_form

GOOD = {
    "email": "new.learner@example.org",
    "display_name": "Ana Costa",
    "real_name": "",
    "password": "sewing machines hum softly",
    "confirm": "sewing machines hum softly",
    "language": "en",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def error_summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


BAD_REGISTRATIONS = [
    ("empty form", {k: "" for k in GOOD},
     {"email", "display_name", "password", "confirm", "language"}),
    ("e-mail without @", {"email": "not-an-email"}, {"email"}),
    ("e-mail too long", {"email": "a" * 250 + "@example.org"}, {"email"}),
    ("name too long", {"display_name": "가" * 61}, {"display_name"}),
    ("real name too long", {"real_name": "x" * 121}, {"real_name"}),
    ("script tag in name", {"display_name": "<script>alert(1)</script>"}, {"display_name"}),
    ("img onerror in real name", {"real_name": '<img src=x onerror="alert(1)">'},
     {"real_name"}),
    ("right-to-left override", {"display_name": "admin\u202egnp.exe"}, {"display_name"}),
    ("zero-width control", {"display_name": "Ana\u0000Costa"}, {"display_name"}),
    ("weak password", {"password": "password123", "confirm": "password123"}, {"password"}),
    ("short password", {"password": "short", "confirm": "short"}, {"password"}),
    ("password too long", {"password": "ab" * 65, "confirm": "ab" * 65}, {"password"}),
    ("passwords differ", {"confirm": "something else entirely"}, {"confirm"}),
    ("unknown language", {"language": "xx"}, {"language"}),
    ("unknown accessibility need", {"needs": ["fly"]}, {"needs"}),
    ("password is the e-mail", {"email": "long.address@example.org",
                                "password": "long.address@example.org",
                                "confirm": "long.address@example.org"}, {"password"}),
]


@pytest.mark.parametrize("label,changes,fields", BAD_REGISTRATIONS,
                         ids=[b[0] for b in BAD_REGISTRATIONS])
def test_bad_registration_shows_error_summary_and_saves_nothing(app, client, label, changes,
                                                                  fields):
    before = user_count(app)
    response = post_form(client, "/register", {**GOOD, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    linked = {target.removesuffix("-0") for target in error_summary_links(html)}
    assert linked == fields
    for field in fields:  # inline messages tied to the field
        assert f'id="{field}-error-1"' in html
    assert "<title>Error: Register" in html
    assert "<script>alert(1)</script>" not in html  # escaped when shown back
    assert user_count(app) == before


def test_cjk_and_emoji_names_are_kept_when_another_field_is_wrong(app, client):
    response = post_form(client, "/register", {**GOOD, "display_name": "王秀英 🧵",
                                               "real_name": "김지은", "confirm": "different"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="王秀英 🧵"' in html and 'value="김지은"' in html
    assert 'value="sewing' not in html  # passwords are never sent back


@pytest.mark.parametrize("name", ["王秀英", "김지은 🧵", "Zoë O’Brien-Ng", "محمد"])
def test_valid_names_in_any_script_register(app, client, name):
    response = post_form(client, "/register", {**GOOD, "display_name": name,
                                               "needs": ["screen_reader", "deaf_hoh"]})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == GOOD["email"]))
        assert user.display_name == name
        assert user.accessibility_needs == ["screen_reader", "deaf_hoh"]
        assert user.password_hash.startswith("$argon2id$")
        assert user.role == "learner"
    page = client.get("/dashboard")
    assert page.status_code == 200


def test_duplicate_email_is_refused_with_a_clear_message(app, client):
    post_form(client, "/register", GOOD)
    client.post("/logout", data={"csrf_token": re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").get_data(as_text=True)
    ).group(1)})
    before = user_count(app)
    response = post_form(client, "/register", {**GOOD, "email": "NEW.Learner@example.org"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An account with this e-mail address already exists" in html
    assert user_count(app) == before


def test_wrong_login_is_explained_and_does_not_log_in(client):
    response = post_form(client, "/login", {"email": "learner@example.org",
                                            "password": "not the password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The e-mail address or the password is wrong" in html
    assert client.get("/dashboard").status_code == 302


def test_missing_or_wrong_csrf_token_gets_a_400_page_that_explains(app, client):
    before = user_count(app)
    response = client.post("/register", data=GOOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form could not be sent" in html
    assert "security token" in html
    response = client.post("/register", data={**GOOD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert user_count(app) == before


def test_preferences_with_invisible_captions_are_refused(app, client):
    login(client, "learner")
    response = post_form(client, "/preferences", {
        "caption_size": "large", "caption_color": "black", "caption_background": "black",
        "playback_speed": "1.0", "language": "en",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "captions would be invisible" in html
    with app.app_context():
        prefs = db.session.scalar(select(Preferences).join(User).where(
            User.email == "learner@example.org"))
        assert prefs.caption_size == "medium"  # unchanged


@pytest.mark.parametrize("changes", [
    {"caption_size": "gigantic"}, {"playback_speed": "9"}, {"playback_speed": "fast"},
    {"language": "tlh"}, {"caption_color": "<b>"}, {"playback_speed": "3"},
    {"caption_opacity": "33"}, {"caption_edge": "glow"}, {"caption_font": "comic"},
    {"caption_position": "left"}, {"description_volume": "105"}, {"programme_volume": "7"},
    {"description_volume": ""}, {"programme_volume": "½"},
])
def test_preferences_reject_values_outside_the_choices(app, client, changes):
    login(client, "learner")
    data = {"caption_size": "large", "caption_color": "yellow", "caption_background": "black",
            "playback_speed": "1.5", "language": "en", **changes}
    response = post_form(client, "/preferences", data)
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


def test_preferences_apply_on_every_page_at_once(app, client):
    login(client, "learner")
    response = post_form(client, "/preferences", {
        "caption_size": "xlarge", "caption_color": "yellow", "caption_background": "navy",
        "high_contrast": "y", "reduced_motion": "y", "captions_on": "y",
        "playback_speed": "1.25", "language": "en",
    })
    assert response.status_code == 302
    for url in ["/", "/courses", "/dashboard"]:
        body = re.search(r"<body class=\"([^\"]*)\"", client.get(url).get_data(as_text=True))
        classes = set(body.group(1).split())
        assert {"cue-size-xlarge", "cue-color-yellow", "cue-bg-navy", "high-contrast",
                "reduce-motion"} <= classes


def test_caption_font_edge_opacity_and_position_are_kept_and_applied(app, client):
    """MAUR CC-5, CC-9–11: where captions are, their font, edge and background opacity. Text
    with neither a background nor an edge is refused (unreadable over a light picture)."""
    login(client, "learner")
    data = {"caption_size": "large", "caption_color": "yellow", "caption_background": "black",
            "playback_speed": "2.5", "language": "en", "caption_opacity": "0",
            "caption_edge": "none", "caption_font": "dyslexic", "caption_position": "below"}
    refused = post_form(client, "/preferences", data)
    assert refused.status_code == 400
    assert "need an outline or a drop shadow" in refused.get_data(as_text=True)
    saved = post_form(client, "/preferences", {**data, "caption_edge": "outline"})
    assert saved.status_code == 302
    with app.app_context():
        prefs = db.session.scalar(select(Preferences).join(User).where(
            User.email == "learner@example.org"))
        assert (prefs.caption_opacity, prefs.caption_edge, prefs.caption_font,
                prefs.caption_position, prefs.playback_speed) == \
            ("0", "outline", "dyslexic", "below", 2.5)
    body = re.search(r"<body class=\"([^\"]*)\"", client.get("/").get_data(as_text=True))
    assert {"cue-opacity-0", "cue-edge-outline", "cue-font-dyslexic", "cue-pos-below"} <= \
        set(body.group(1).split())


def test_visitor_preferences_carry_into_the_new_account(app, client):
    response = post_form(client, "/preferences", {
        "caption_size": "large", "caption_color": "cyan", "caption_background": "black",
        "high_contrast": "y", "playback_speed": "0.75", "language": "en",
    })
    assert response.status_code == 302
    assert "high-contrast" in client.get("/").get_data(as_text=True)
    assert post_form(client, "/register", GOOD).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == GOOD["email"]))
        assert user.preferences.caption_color == "cyan"
        assert user.preferences.high_contrast is True
        assert user.preferences.playback_speed == 0.75


def test_preferences_keep_the_two_description_volumes(app, client):
    """Issue 26: the description and programme volumes on the preferences page, saved, shown
    again, and left as they were when the form does not send them."""
    login(client, "learner")
    page = client.get("/preferences").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="description_volume"[^>]*max="100"[^>]*step="5"', page) \
        or re.search(r'<input[^>]*max="100"[^>]*step="5"[^>]*id="description_volume"', page), page
    data = {"caption_size": "large", "caption_color": "yellow", "caption_background": "black",
            "playback_speed": "1.0", "language": "en", "description_volume": "60",
            "programme_volume": "0"}
    assert post_form(client, "/preferences", data).status_code == 302
    with app.app_context():
        prefs = db.session.scalar(select(Preferences).join(User).where(
            User.email == "learner@example.org"))
        assert (prefs.description_volume, prefs.programme_volume) == (60, 0)
    page = client.get("/preferences").get_data(as_text=True)
    assert 'value="60"' in page and 'value="0"' in page
    del data["description_volume"], data["programme_volume"]
    assert post_form(client, "/preferences", data).status_code == 302
    with app.app_context():
        prefs = db.session.scalar(select(Preferences).join(User).where(
            User.email == "learner@example.org"))
        assert (prefs.description_volume, prefs.programme_volume) == (60, 0)
