"""Every route in the URL map, as every role: deny by default, and a new route without an
expectation (``EXPECTED`` in tests/conftest.py, shared with the PostgreSQL run) fails the
suite."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson
from conftest import (
    ANON,
    EXPECTED,
    NOT_PAGES,
    POST_ONLY,
    ROLES,
    check_every_get_route,
    login,
    post_form,
)


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = endpoints - set(EXPECTED) - POST_ONLY - NOT_PAGES
    assert not unknown, f"routes without an access expectation: {sorted(unknown)}"


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_every_get_route_as_every_role(app, role):
    """… and every page it answers is valid HTML to the W3C's Nu Html Checker."""
    check_every_get_route(app, role, markup=True)


def test_post_routes_refuse_anonymous_and_wrong_roles(app):
    client = app.test_client()
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
    response = post_form(client, f"/studio/lessons/{lesson_id}/probe", {}, token_page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = post_form(client, "/courses/1/enrol", {}, token_page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login(client, "learner")
    for action in ("probe", "media", "caption", "captions/import", "captions/1/publish",
                   "descriptions", "descriptions/0/remove", "descriptions/import",
                   "descriptions/1/publish", "descriptions/suggest"):
        response = post_form(client, f"/studio/lessons/{lesson_id}/{action}", {},
                             token_page="/")
        assert response.status_code == 403, action
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_enrolled_learner_reaches_lesson_media_and_captions(app):
    client = app.test_client()
    login(client, "learner")
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        course_id, lesson_id = lesson.course_id, lesson.id
        media_url = f"/media/{lesson.media.sha256}.{lesson.media.extension}"
    response = post_form(client, f"/courses/{course_id}/enrol", {},
                         token_page=f"/courses/{course_id}")
    assert response.status_code == 302
    assert client.get(f"/lessons/{lesson_id}").status_code == 200
    vtt = client.get(f"/lessons/{lesson_id}/captions.vtt")
    assert vtt.status_code == 200 and vtt.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt.get_data(as_text=True).startswith("WEBVTT")
    ranged = client.get(media_url, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100
    assert ranged.data[:4] == b"\x1a\x45\xdf\xa3"  # the EBML magic of a WebM file
    # A signed-in learner's media is for their browser only, never a shared cache.
    cache = ranged.headers["Cache-Control"]
    assert "private" in cache and "public" not in cache and "max-age=3600" in cache
