"""Every route in the URL map, as every role: deny by default, and a new route without an
expectation here fails the suite."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson, Quiz
from conftest import ROLES, login, post_form

ANON = "anonymous"
LOGIN = "login"  # redirect to /login

# endpoint -> {role: expected GET status}; LOGIN means a redirect to the log-in page.
EXPECTED = {
    "main.home": dict.fromkeys([ANON, *ROLES], 200),
    "catalogue.courses": dict.fromkeys([ANON, *ROLES], 200),
    "catalogue.course": dict.fromkeys([ANON, *ROLES], 200),
    "auth.login": dict.fromkeys([ANON, *ROLES], 200),
    "auth.register": {ANON: 200, **dict.fromkeys(ROLES, 302)},
    "account.edit_preferences": dict.fromkeys([ANON, *ROLES], 200),
    "account.profile": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    "account.change_password": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    "auth.forgot_password": dict.fromkeys([ANON, *ROLES], 200),
    # An unknown reset link: 404 with what to do (the page is the same for everyone).
    "auth.reset_password": dict.fromkeys([ANON, *ROLES], 404),
    "auth.logout": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    "main.dashboard": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    # A learner who is not enrolled is sent to the course page to enrol.
    "catalogue.lesson": {ANON: LOGIN, "learner": 302, "content": 200, "examiner": 200,
                         "admin": 200},
    "catalogue.lesson_captions": {ANON: LOGIN, "learner": 404, "content": 200,
                                  "examiner": 200, "admin": 200},
    "media.media_file": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                         "admin": 200},
    "studio.index": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403, "admin": 200},
    "studio.job_list": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                        "admin": 200},
    "studio.lesson_page": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                           "admin": 200},
    "studio.lesson_job": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                          "admin": 200},
    "studio.edit_captions": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                             "admin": 200},
    "studio.track_vtt": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                         "admin": 200},
    "studio.descriptions_page": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                                 "admin": 200},
    "studio.descriptions_job": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                                "admin": 200},
    "studio.description_suggestions": {ANON: LOGIN, "learner": 403, "content": 200,
                                       "examiner": 403, "admin": 200},
    # Without text there is nothing to speak: 400 with the reason.
    "studio.preview_description": {ANON: LOGIN, "learner": 403, "content": 400,
                                   "examiner": 403, "admin": 400},
    # The first demo lesson has a published audio description.
    "catalogue.lesson_descriptions": {ANON: LOGIN, "learner": 404, "content": 200,
                                      "examiner": 200, "admin": 200},
    "player.transcript_page": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                               "admin": 200},
    "player.transcript_text": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                               "admin": 200},
    "main.player_help": dict.fromkeys([ANON, *ROLES], 200),
    # The first demo lesson has chapters.
    "catalogue.lesson_chapters": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                                  "admin": 200},
    "examiner.index": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 200,
                       "admin": 200},
    "admin.index": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403, "admin": 200},
    "admin.users": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403, "admin": 200},
    # The demo quiz belongs to a course the demo learner is not enrolled in.
    "quizzes.quiz_page": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                          "admin": 200},
    # Attempts and certificates exist only for their learner (none in the demo).
    "quizzes.attempt_page": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "quizzes.result": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "certificates.certificate_page": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "certificates.certificate_pdf": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "certificates.verify": dict.fromkeys([ANON, *ROLES], 200),
    "quiz_studio.course_quizzes": {ANON: LOGIN, "learner": 403, "content": 200,
                                   "examiner": 403, "admin": 200},
    "quiz_studio.edit_quiz": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                              "admin": 200},
    "quiz_studio.edit_question": {ANON: LOGIN, "learner": 403, "content": 200,
                                  "examiner": 403, "admin": 200},
    "quiz_studio.practical_settings": {ANON: LOGIN, "learner": 403, "content": 200,
                                       "examiner": 403, "admin": 200},
    # The first demo course has no practical assignment; submissions exist only for their
    # learner, the course's examiners and administrators (none in the demo).
    "practical.assignment": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "practical.submission_page": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "practical.submission_video": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "practical.submission_captions": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "examiner.review": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 404,
                        "admin": 404},
    "admin.reports_page": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                           "admin": 200},
    "admin.completions_csv": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                              "admin": 200},
}
# POST-only endpoints, checked in their own tests below.
POST_ONLY = {"main.set_language", "catalogue.enrol", "studio.probe_lesson_media",
             "studio.upload_media", "studio.make_captions", "studio.import_captions",
             "studio.publish_captions", "studio.add_description", "studio.remove_description",
             "studio.import_descriptions", "studio.publish_descriptions",
             "studio.suggest_descriptions", "account.player_preferences",
             "player.save_progress", "player.transcript_read", "player.voice_command",
             "studio.save_chapters", "quizzes.start", "quizzes.answer", "quizzes.autosave",
             "quizzes.extend", "quiz_studio.add_question", "quiz_studio.delete_question",
             "practical.hand_in", "admin.reset_link"}
NOT_PAGES = {"static"}


def _url_for_rule(app, rule) -> str:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        quiz = db.session.scalar(select(Quiz).order_by(Quiz.id))
        values = {"course_id": lesson.course_id, "lesson_id": lesson.id, "version": 1,
                  "sha256": lesson.media.sha256, "ext": lesson.media.extension,
                  "quiz_id": quiz.id, "question_id": quiz.questions[0].id,
                  "attempt_id": 1, "certificate_id": 1, "submission_id": 1,
                  "token": "not-a-reset-link", "user_id": 1}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = endpoints - set(EXPECTED) - POST_ONLY - NOT_PAGES
    assert not unknown, f"routes without an access expectation: {sorted(unknown)}"


def check_every_get_route(app, role: str) -> None:
    """GET every route of the URL map as ``role`` and compare with EXPECTED (also used by the
    PostgreSQL run in tests/scale)."""
    client = app.test_client()
    if role != ANON:
        login(client, role)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        url = _url_for_rule(app, rule)
        response = client.get(url)
        expected = EXPECTED[rule.endpoint][role]
        if expected == LOGIN:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == expected, (url, role, response.status_code)
        checked += 1
    assert checked == len(EXPECTED)


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_every_get_route_as_every_role(app, role):
    check_every_get_route(app, role)


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
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert vtt.get_data(as_text=True).startswith("WEBVTT")
    ranged = client.get(media_url, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100
    assert ranged.data[:4] == b"\x1a\x45\xdf\xa3"  # the EBML magic of a WebM file
