"""Shared pages kept rendered (page_cache.py): a kept page is the page a fresh render gives, for
every kind of viewer; any change to the content, by any process, shows at once; a learner's own
progress shows at once; and nothing of one user (name, CSRF token, access) reaches another."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Course, Lesson
from conftest import csrf_from, login, post_form, selects_during

_TOKEN_VALUE = re.compile(r'((?:name="csrf_token" value=|"X-CSRFToken": )")[^"]+"')


def _same_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked: a token is signed with the time, so two renders a
    second apart carry different (equally valid) tokens."""
    return _TOKEN_VALUE.sub(r'\1TOKEN"', html)


def _store(app):
    return app.extensions["page_cache"]


def _first_lesson(app, course_id: int = 1) -> int:
    with app.app_context():
        return db.session.scalar(select(Lesson.id).where(Lesson.course_id == course_id)
                                 .order_by(Lesson.position))


@pytest.fixture
def viewers(app):
    """An anonymous visitor, the demo learner (enrolled in course 1, part of its first lesson
    played, Chinese interface), a second learner (not enrolled), and the examiner."""
    anonymous, learner, other, examiner = (app.test_client() for _ in range(4))
    login(learner, "learner")
    post_form(learner, "/courses/1/enrol", {}, token_page="/courses/1")
    lesson = _first_lesson(app)
    token = csrf_from(learner, f"/lessons/{lesson}")
    assert learner.post(f"/lessons/{lesson}/progress", headers={"X-CSRFToken": token},
                        json={"position": 8.0, "played": [[0.0, 8.0]]}).status_code == 200
    post_form(learner, "/language", {"language": "zh", "next": "/"}, token_page="/")
    post_form(other, "/register", {"display_name": "Second learner",
                                   "email": "second@example.org",
                                   "password": "second-learner-pass",
                                   "confirm": "second-learner-pass"})
    login(examiner, "examiner")
    for client in (learner, other, examiner):
        client.get("/")  # the messages of logging in and enrolling, shown once
    return {"anonymous": anonymous, "learner": learner, "other": other, "examiner": examiner}


def test_a_kept_page_is_the_page_a_fresh_render_gives_for_every_viewer(app, viewers):
    lesson = _first_lesson(app)
    pages = ["/courses", "/courses?q=noodle", "/courses?trade=food-safety", "/courses/1",
             "/courses/2", f"/lessons/{lesson}"]
    for name, client in viewers.items():
        for path in pages:
            for htmx in ({}, {"HX-Request": "true"}) if path.startswith("/courses?") else ({},):
                app.config["PAGE_CACHE_ENTRIES"] = 0
                fresh = client.get(path, headers=htmx)
                app.config["PAGE_CACHE_ENTRIES"] = 500
                renders = _store(app).renders if "page_cache" in app.extensions else 0
                first, kept = client.get(path, headers=htmx), client.get(path, headers=htmx)
                assert fresh.status_code == first.status_code == kept.status_code, (name, path)
                if fresh.status_code != 200:
                    assert fresh.headers.get("Location") == kept.headers.get("Location")
                    continue
                assert _store(app).renders == renders + 1, (name, path)  # rendered once
                assert _same_tokens(kept.get_data(as_text=True)) == _same_tokens(
                    fresh.get_data(as_text=True)), (name, path, htmx)
    # What the viewers saw differs where it should: progress, language, links to lessons.
    learner_lesson = viewers["learner"].get(f"/lessons/{lesson}").get_data(as_text=True)
    assert "data-resume-at=\"8.0\"" in learner_lesson and 'lang="zh-Hans"' in learner_lesson
    examiner_lesson = viewers["examiner"].get(f"/lessons/{lesson}").get_data(as_text=True)
    assert "data-resume-at" not in examiner_lesson and 'lang="en"' in examiner_lesson
    assert viewers["other"].get(f"/lessons/{lesson}").status_code == 302  # not enrolled


def test_nothing_of_one_user_is_kept(app, viewers):
    pages = [f"/lessons/{_first_lesson(app)}", "/courses/1", "/courses", "/courses?q=noodle"]
    for client in viewers.values():
        for path in pages:
            client.get(path)
    kept = "".join(part for parts in _store(app).pages.values() for part in parts)
    assert len(_store(app).pages) >= len(pages) and "csrf_token" in kept
    for client in viewers.values():
        for path in pages:
            response = client.get(path)
            if response.status_code != 200:  # a visitor sent to log in
                continue
            page = response.get_data(as_text=True)
            values = re.findall(r'(?:name="csrf_token" value=|"X-CSRFToken": )"([^"]+)"', page)
            assert values, path
            for token in values:
                assert token not in kept, path
    for name in ("Demo learner", "Demo examiner", "Second learner"):
        assert name not in kept
    other = viewers["other"].get("/courses/1").get_data(as_text=True)
    assert "Second learner" in other and "Demo learner" not in other
    assert "Enrol in this course" in other and "You are enrolled" not in other


def test_a_content_change_by_another_process_shows_at_once(app, viewers):
    """The job worker and ``flask`` commands change content through their own connections:
    another application object on the same database stands for them here."""
    learner = viewers["learner"]
    lesson = _first_lesson(app)
    before = learner.get("/courses/1").get_data(as_text=True)
    learner.get(f"/lessons/{lesson}")
    other_process = create_app({key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "MEDIA_ROOT")})
    with other_process.app_context():
        course = db.session.get(Course, 1)
        old_title = course.title
        course.title = "A renamed course"
        db.session.commit()
    after = learner.get("/courses/1").get_data(as_text=True)
    assert old_title in before and "A renamed course" in after and old_title not in after
    assert "A renamed course" in learner.get(f"/lessons/{lesson}").get_data(as_text=True)
    assert "A renamed course" in viewers["anonymous"].get("/courses").get_data(as_text=True)
    with other_process.app_context():  # a bulk UPDATE, not through loaded objects
        db.session.execute(update(Lesson).where(Lesson.id == lesson)
                           .values(title="A renamed lesson"))
        db.session.commit()
        db.engine.dispose()
    assert "A renamed lesson" in learner.get(f"/lessons/{lesson}").get_data(as_text=True)
    assert "A renamed lesson" in learner.get("/courses/1").get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_kept_pages(app, viewers):
    anonymous = viewers["anonymous"]
    anonymous.get("/courses")
    renders = _store(app).renders
    with app.app_context():
        db.session.get(Course, 1).title = "Never saved"
        db.session.flush()
        db.session.rollback()
    page = anonymous.get("/courses").get_data(as_text=True)
    assert "Never saved" not in page and _store(app).renders == renders


def test_unpublishing_a_course_closes_it_to_learners_at_once(app, viewers):
    learner, examiner = viewers["learner"], viewers["examiner"]
    lesson = _first_lesson(app)
    assert learner.get(f"/lessons/{lesson}").status_code == 200
    assert learner.get("/courses/1").status_code == 200
    with app.app_context():
        db.session.get(Course, 1).published = False
        db.session.commit()
    assert learner.get(f"/lessons/{lesson}").status_code == 404
    assert learner.get("/courses/1").status_code == 404
    assert viewers["anonymous"].get("/courses/1").status_code == 404
    assert examiner.get(f"/lessons/{lesson}").status_code == 200  # staff still see it


def test_a_learners_own_progress_and_messages_show_at_once(app, viewers):
    learner = viewers["learner"]
    lesson = _first_lesson(app)
    page = learner.get(f"/lessons/{lesson}").get_data(as_text=True)
    assert "data-completion-status" in page and 'data-resume-at="8.0"' in page
    token = csrf_from(learner, f"/lessons/{lesson}")
    learner.post(f"/lessons/{lesson}/progress", headers={"X-CSRFToken": token},
                 data=json.dumps({"position": 10.0, "played": [[8.0, 10.0]]}),
                 content_type="application/json")
    assert 'data-resume-at="10.0"' in learner.get(f"/lessons/{lesson}").get_data(as_text=True)
    done = post_form(learner, f"/lessons/{lesson}/transcript-read", {},
                     token_page=f"/lessons/{lesson}", follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert "notice-success" in shown and "data-resume-at" in shown  # the message, once
    again = learner.get(f"/lessons/{lesson}").get_data(as_text=True)
    assert again.count("notice-success") == shown.count("notice-success") - 1
    assert "✓" in learner.get("/courses/1").get_data(as_text=True)  # the lesson completed


def test_a_kept_page_takes_few_queries(app, viewers):
    """A kept lesson page is answered with three statements: the signed-in user with their
    preferences, one query for the access and the progress, and the content version."""
    learner = viewers["learner"]
    lesson = f"/lessons/{_first_lesson(app)}"
    learner.get(lesson)
    renders = _store(app).renders
    with selects_during(app) as selects:
        assert learner.get(lesson).status_code == 200
    assert _store(app).renders == renders
    assert len(selects) == 3, selects
    assert "FROM users" in selects[0] and "JOIN preferences" in selects[0]
    assert "FROM lessons" in selects[1] and "FROM content_version" in selects[2]
