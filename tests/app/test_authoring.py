"""Authoring in the studio: courses and lessons made from nothing, their details and order,
publishing, unpublishing and archiving; and drafts, unpublished and archived content invisible
to learners on every route they have."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import Course, Lesson, Trade
from conftest import NOT_PAGES, csrf_from, login, post_form


def _trade_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Trade.id).order_by(Trade.id))


def _new_course(client, app, **fields) -> object:
    data = {"title": "Pattern cutting for beginners", "summary": "Draft a skirt block.",
            "trade_id": _trade_id(app), "language": "ko", **fields}
    return post_form(client, "/studio/courses/new", data)


def _course_id(response) -> int:
    return int(re.search(r"/studio/courses/(\d+)$", response.headers["Location"]).group(1))


def _new_lesson(client, course_id: int, title: str):
    return post_form(client, f"/studio/courses/{course_id}/lessons/new",
                     {"title": title, "summary": "", "language": "ko"})


def _state(client, url: str, action: str):
    return post_form(client, url, {"action": action}, token_page="/studio/")


def test_a_course_and_two_lessons_from_nothing_stay_drafts_until_published(app):
    content, learner = app.test_client(), app.test_client()
    login(content, "content")
    login(learner, "learner")
    response = _new_course(content, app)
    assert response.status_code == 302
    course_id = _course_id(response)
    page = content.get(f"/studio/courses/{course_id}").get_data(as_text=True)
    assert "Draft: learners do not see it." in page and "No lessons yet." in page
    assert "Pattern cutting for beginners" in content.get("/studio/").get_data(as_text=True)

    first = _new_lesson(content, course_id, "Measuring")
    assert first.status_code == 302
    second = _new_lesson(content, course_id, "The skirt block")
    with app.app_context():
        course = db.session.get(Course, course_id)
        lessons = [(lesson.title, lesson.position, lesson.published, lesson.media_id)
                   for lesson in course.all_lessons]
        first_id, second_id = (lesson.id for lesson in course.all_lessons)
    assert lessons == [("Measuring", 1, False, None), ("The skirt block", 2, False, None)]
    assert second.headers["Location"].startswith(f"/studio/lessons/{second_id}")
    # A lesson before its media: the studio and the content team's preview both open it.
    assert content.get(f"/studio/lessons/{first_id}").status_code == 200
    assert content.get(f"/lessons/{first_id}").status_code == 200

    # Learners: no such course, no such lessons, nothing in the catalogue.
    assert learner.get(f"/courses/{course_id}").status_code == 404
    assert learner.get(f"/lessons/{first_id}").status_code == 404
    assert "Pattern cutting" not in learner.get("/courses").get_data(as_text=True)
    assert post_form(learner, f"/courses/{course_id}/enrol", {},
                     token_page="/courses").status_code == 404

    # Neither a lesson without media and captions nor a course without a lesson is published.
    refused = _state(content, f"/studio/lessons/{first_id}/state", "publish")
    assert refused.status_code == 400
    assert "The lesson has no media yet." in refused.get_data(as_text=True)
    refused = _state(content, f"/studio/courses/{course_id}/state", "publish")
    assert refused.status_code == 400
    assert "The course has no published lesson." in refused.get_data(as_text=True)
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert not course.published and not any(x.published for x in course.all_lessons)

    # Reordering: the second lesson moves up, and the first can go no further up.
    moved = post_form(content, f"/studio/lessons/{second_id}/move", {"direction": "up"},
                      token_page="/studio/", follow_redirects=True)
    assert "“The skirt block” is now lesson 1." in moved.get_data(as_text=True)
    again = post_form(content, f"/studio/lessons/{second_id}/move", {"direction": "up"},
                      token_page="/studio/", follow_redirects=True)
    assert "“The skirt block” is already the first lesson." in again.get_data(as_text=True)
    with app.app_context():
        order = [x.title for x in db.session.get(Course, course_id).all_lessons]
    assert order == ["The skirt block", "Measuring"]

    # Editing the details.
    edited = post_form(content, f"/studio/lessons/{first_id}/details",
                       {"title": "Measuring the body", "summary": "Tape and notes.",
                        "language": "zh"})
    assert edited.status_code == 302
    with app.app_context():
        lesson = db.session.get(Lesson, first_id)
        assert (lesson.title, lesson.summary, lesson.language) == (
            "Measuring the body", "Tape and notes.", "zh")


def _demo_lesson_with_media(app) -> tuple[int, int, int]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        return lesson.course_id, lesson.id, len(lesson.course.lessons)


def test_publishing_a_lesson_with_published_captions_and_a_course(app):
    content, learner = app.test_client(), app.test_client()
    login(content, "content")
    login(learner, "learner")
    course_id, lesson_id, _count = _demo_lesson_with_media(app)
    # A demo lesson has media and published captions; as a draft it can be published again.
    assert _state(content, f"/studio/lessons/{lesson_id}/state", "unpublish").status_code == 302
    published = _state(content, f"/studio/lessons/{lesson_id}/state", "publish")
    assert published.status_code == 302
    assert published.headers["Location"].endswith(f"/studio/courses/{course_id}")
    # Unpublishing the course hides it from the catalogue; publishing brings it back.
    assert _state(content, f"/studio/courses/{course_id}/state", "unpublish").status_code == 302
    assert learner.get(f"/courses/{course_id}").status_code == 404
    assert _state(content, f"/studio/courses/{course_id}/state", "publish").status_code == 302
    assert learner.get(f"/courses/{course_id}").status_code == 200


def test_archiving_hides_and_keeps_and_comes_back_as_a_draft(app):
    content = app.test_client()
    login(content, "content")
    course_id, lesson_id, count = _demo_lesson_with_media(app)
    assert _state(content, f"/studio/lessons/{lesson_id}/state", "archive").status_code == 302
    page = content.get(f"/studio/courses/{course_id}").get_data(as_text=True)
    assert "Archived lessons" in page
    refused = _state(content, f"/studio/lessons/{lesson_id}/state", "publish")
    assert refused.status_code == 400 and "Bring it back first" in refused.get_data(as_text=True)
    assert _state(content, f"/studio/lessons/{lesson_id}/state", "restore").status_code == 302
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson.archived_at is None and not lesson.published
        assert lesson.caption_tracks and lesson.media_id is not None  # nothing was lost
        assert len(lesson.course.lessons) == count - 1

    assert _state(content, f"/studio/courses/{course_id}/state", "archive").status_code == 302
    studio = content.get("/studio/").get_data(as_text=True)
    assert "Archived courses" in studio
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert course.archived_at is not None and not course.published


# --- Learners never see drafts, unpublished or archived content, on any route ----------------

LEARNER_BLUEPRINTS_EXCLUDED = ("studio.", "authoring.", "quiz_studio.", "examiner.", "admin.")


def _learner_routes(app, argument: str, value: int) -> list[str]:
    """Every GET route a learner has that names a lesson (or a course), for that one."""
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint not in NOT_PAGES and "GET" in rule.methods
             and not rule.endpoint.startswith(LEARNER_BLUEPRINTS_EXCLUDED)
             and argument in rule.arguments]
    assert all(rule.arguments == {argument} for rule in rules), rules  # nothing else to fill
    with app.test_request_context():
        return [url_for(rule.endpoint, **{argument: value}) for rule in rules]


def _enrolled_learner(app, course_id: int):
    learner = app.test_client()
    login(learner, "learner")
    assert post_form(learner, f"/courses/{course_id}/enrol", {},
                     token_page=f"/courses/{course_id}").status_code == 302
    return learner


def _lesson_posts(learner, lesson_id: int) -> list[int]:
    """The player's requests: a progress report, a voice command (both JSON, token in the
    header as the player sends it)."""
    headers = {"X-CSRFToken": csrf_from(learner, "/dashboard")}
    return [
        learner.post(f"/lessons/{lesson_id}/progress", headers=headers,
                     json={"position": 1, "played": [[0, 1]]}).status_code,
        learner.post(f"/lessons/{lesson_id}/voice", headers=headers, data=b"\0" * 3200,
                     content_type="application/octet-stream").status_code,
    ]


@pytest.mark.parametrize("how", ["unpublish", "archive"])
def test_an_unpublished_or_archived_lesson_is_not_found_on_every_learner_route(app, how):
    content = app.test_client()
    login(content, "content")
    course_id, lesson_id, _count = _demo_lesson_with_media(app)
    learner = _enrolled_learner(app, course_id)
    urls = _learner_routes(app, "lesson_id", lesson_id)
    assert len(urls) >= 6, urls  # the lesson, its captions, descriptions, chapters, transcript…
    before = {url: learner.get(url).status_code for url in urls}
    assert all(status == 200 for status in before.values()), before
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        media_url = f"/media/{lesson.media.sha256}.{lesson.media.extension}"
        title = lesson.title
    assert learner.get(media_url, headers={"Range": "bytes=0-9"}).status_code == 206

    assert _state(content, f"/studio/lessons/{lesson_id}/state", how).status_code == 302
    after = {url: learner.get(url).status_code for url in urls}
    assert all(status == 404 for status in after.values()), after
    assert learner.get(media_url).status_code == 404
    assert all(status == 404 for status in _lesson_posts(learner, lesson_id))
    course_page = learner.get(f"/courses/{course_id}").get_data(as_text=True)
    assert title not in course_page
    # The content team still previews it.
    assert content.get(f"/lessons/{lesson_id}").status_code == 200


@pytest.mark.parametrize("how", ["unpublish", "archive"])
def test_an_unpublished_or_archived_course_is_not_found_on_every_learner_route(app, how):
    content = app.test_client()
    login(content, "content")
    with app.app_context():  # the course with a practical assignment, for its routes too
        course = db.session.scalar(select(Course).where(Course.practical_brief.is_not(None)))
        course_id, lesson_id = course.id, course.lessons[0].id
    learner = _enrolled_learner(app, course_id)
    urls = (_learner_routes(app, "lesson_id", lesson_id)
            + _learner_routes(app, "course_id", course_id))
    # Those this lesson has (it has no description or chapters): 200 before, 404 after.
    urls = [url for url in urls if learner.get(url).status_code == 200]
    assert {f"/lessons/{lesson_id}", f"/lessons/{lesson_id}/captions.vtt",
            f"/courses/{course_id}", f"/courses/{course_id}/practical"} <= set(urls), urls
    with app.app_context():
        title = db.session.get(Course, course_id).title
    assert title in learner.get("/dashboard").get_data(as_text=True)

    assert _state(content, f"/studio/courses/{course_id}/state", how).status_code == 302
    after = {url: learner.get(url).status_code for url in urls}
    assert all(status == 404 for status in after.values()), after
    assert title not in learner.get("/courses").get_data(as_text=True)
    assert title not in learner.get("/dashboard").get_data(as_text=True)
    assert all(status == 404 for status in _lesson_posts(learner, lesson_id))


# --- Bad input: a clear error, read out, and nothing saved ------------------------------------

@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "Give the course a title."),
    ({"title": "x" * 201}, "The title must be 200 characters or fewer."),
    ({"title": "Cutting\u202egnittuc"}, "The title cannot contain control or text-direction"),
    ({"summary": "y" * 5001}, "The description must be 5,000 characters or fewer."),
    ({"trade_id": "999999"}, "Choose the trade the course teaches."),
    ({"trade_id": "not a number"}, "Choose the trade the course teaches."),
    ({"language": "xx"}, "Choose the language spoken in the media."),
])
def test_a_wrong_course_form_says_what_is_wrong_and_saves_nothing(app, fields, message):
    content = app.test_client()
    login(content, "content")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Course))
    response = _new_course(content, app, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in page and message in page
    assert "<title>Error:" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == before


def test_a_wrong_lesson_form_keeps_the_saved_details(app):
    content = app.test_client()
    login(content, "content")
    _course_id_, lesson_id, _count = _demo_lesson_with_media(app)
    with app.app_context():
        saved = db.session.get(Lesson, lesson_id).title
    response = post_form(content, f"/studio/lessons/{lesson_id}/details",
                         {"title": "   ", "summary": "", "language": "ko"})
    assert response.status_code == 400
    assert "Give the lesson a title." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).title == saved


def test_forged_state_and_move_requests_are_refused(app):
    content = app.test_client()
    login(content, "content")
    course_id, lesson_id, _count = _demo_lesson_with_media(app)
    assert _state(content, f"/studio/courses/{course_id}/state", "delete").status_code == 400
    assert _state(content, f"/studio/lessons/{lesson_id}/state", "").status_code == 400
    assert post_form(content, f"/studio/lessons/{lesson_id}/move", {"direction": "sideways"},
                     token_page="/studio/").status_code == 400
    assert _state(content, "/studio/lessons/999999/state", "publish").status_code == 404
    learner = app.test_client()
    login(learner, "learner")
    for url in (f"/studio/courses/{course_id}/state", f"/studio/lessons/{lesson_id}/state",
                f"/studio/lessons/{lesson_id}/move", "/studio/courses/new"):
        assert post_form(learner, url, {"action": "archive", "direction": "up"},
                         token_page="/").status_code == 403, url
