"""Lessons to take away (issue 29), the server's part: what a lesson needs offline (its media
choices with their real sizes, each file fetchable), the playlist naming the saved rendition
only, the service worker's address, and quiz answers given offline: scored once however often
they are sent, refused with a reason when they cannot be taken."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson, Quiz, QuizAttempt
from accessible_learning.services import renditions
from conftest import csrf_from, login, post_form

LESSON_TITLE = "Clean hands and cold storage"  # the demo's lesson with a quiz after it


def _lesson(app) -> tuple[int, int, int]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == LESSON_TITLE))
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == lesson.course_id))
        return lesson.id, lesson.course_id, quiz.id


def _learner(app, course_id: int):
    client = app.test_client()
    login(client, "learner")
    post_form(client, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")
    return client


def _right_answers(app, quiz_id: int) -> dict:
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        form = {}
        for question in quiz.questions:
            if question.kind == "text":
                form[f"q-{question.id}"] = "5"
            else:
                form[f"q-{question.id}"] = [str(c.id) for c in question.choices if c.correct]
        return form


def test_a_lesson_with_smaller_versions_says_what_it_needs_offline(own_media_app):
    app = own_media_app
    lesson_id, course_id, quiz_id = _lesson(app)
    client = _learner(app, course_id)
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "data-offline-save" not in page  # no smaller versions yet: nothing to take away
    with app.app_context():
        renditions.make(db.session.get(Lesson, lesson_id).media)
        db.session.commit()

    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "Take this lesson away" in page and 'id="offline-choice-audio"' in page
    manifest = client.get(f"/lessons/{lesson_id}/offline.json").get_json()
    assert manifest["page"] == f"/lessons/{lesson_id}"
    assert manifest["fragments"] == [f"/lessons/{lesson_id}/transcript"]
    assert manifest["quizzes"] == [{"page": f"/quizzes/{quiz_id}",
                                    "sheet": f"/quizzes/{quiz_id}/offline"}]
    names = [c["name"] for c in manifest["choices"]]
    assert names == ["audio", "240p", "360p"]  # smallest first; the original is never offered
    sizes = {}
    for choice in manifest["choices"]:
        got = 0
        for url in choice["files"]:
            response = client.get(url)
            assert response.status_code == 200, url
            got += len(response.data)
        assert got == choice["bytes"] > 0  # the sizes offered are the bytes fetched
        sizes[choice["name"]] = got
        # The label on the page offers the same size.
        assert f"{choice['bytes'] / 1e6:.1f} MB" in page
    assert sizes["audio"] < sizes["240p"] < sizes["360p"]
    rendition = manifest["choices"][1]
    assert any(url.endswith("/240p/index.m3u8") for url in rendition["files"])
    assert any(url.endswith(".m4s") for url in rendition["files"])
    master = client.get(rendition["playlist"]).get_data(as_text=True)
    assert "240p/index.m3u8" in master and "360p" not in master
    assert master.count("#EXT-X-STREAM-INF") == 1
    full = client.get(manifest["master"]).get_data(as_text=True)
    assert full.count("#EXT-X-STREAM-INF") == 2
    assert client.get(manifest["master"] + "?only=480p").status_code == 404
    assert client.get(rendition["files"][0] + "?only=240p").status_code == 404


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert b'addEventListener("fetch"' in response.data


def test_answers_given_offline_are_scored_once_however_often_they_are_sent(app):
    lesson_id, course_id, quiz_id = _lesson(app)
    client = _learner(app, course_id)
    sheet = client.get(f"/quizzes/{quiz_id}/offline").get_data(as_text=True)
    assert "This answer sheet works without a connection" in sheet
    assert 'name="offline_id"' in sheet
    device_id = str(uuid.uuid4())
    form = {**_right_answers(app, quiz_id), "offline_id": device_id,
            "answered_at": "1765000000000"}
    token = csrf_from(client, f"/quizzes/{quiz_id}/offline")
    replay = {"X-Offline-Replay": "1", "X-CSRFToken": token}
    first = client.post(f"/quizzes/{quiz_id}/offline-answers", data=form, headers=replay)
    assert first.status_code == 200
    body = first.get_json()
    assert body["ok"] and "were sent: 100 %" in body["message"]
    # Sent again (the reply was lost on the way): the same attempt, no second one.
    again = client.post(f"/quizzes/{quiz_id}/offline-answers", data=form, headers=replay)
    assert again.get_json()["result"] == body["result"]
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt)).all()
        assert len(attempts) == 1
        attempt = attempts[0]
        assert attempt.offline_id == device_id and attempt.passed and attempt.score == 100
        assert attempt.answered_offline_at.year == 2025
    # Sent by the learner from the sheet with a connection: to the result, as any attempt.
    plain = post_form(client, f"/quizzes/{quiz_id}/offline-answers",
                      {**_right_answers(app, quiz_id), "offline_id": str(uuid.uuid4())},
                      token_page=f"/quizzes/{quiz_id}/offline")
    assert plain.status_code == 302 and "/attempts/" in plain.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 2


def test_offline_answers_that_cannot_be_taken_are_refused_with_the_reason(app):
    lesson_id, course_id, quiz_id = _lesson(app)
    client = _learner(app, course_id)
    token = csrf_from(client, f"/quizzes/{quiz_id}/offline")
    replay = {"X-Offline-Replay": "1", "X-CSRFToken": token}
    answers = _right_answers(app, quiz_id)
    one_missing = dict(list(answers.items())[:-1])
    refused = client.post(f"/quizzes/{quiz_id}/offline-answers",
                          data={**one_missing, "offline_id": str(uuid.uuid4())}, headers=replay)
    assert refused.status_code == 409
    assert "Some questions are not answered" in refused.get_json()["message"]
    bad_id = client.post(f"/quizzes/{quiz_id}/offline-answers",
                         data={**answers, "offline_id": "not-a-device-id"}, headers=replay)
    assert bad_id.status_code == 409 and "device id" in bad_id.get_json()["message"]
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        quiz.time_limit_min = 10
        db.session.commit()
    timed = client.post(f"/quizzes/{quiz_id}/offline-answers",
                        data={**answers, "offline_id": str(uuid.uuid4())}, headers=replay)
    assert timed.status_code == 409 and "time limit" in timed.get_json()["message"]
    assert "can only be taken with a connection" in client.get(
        f"/quizzes/{quiz_id}/offline").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.submitted_at.is_not(None))) == 0
    # Another learner's device id is not theirs to reuse.
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        quiz.time_limit_min = None
        db.session.commit()
    device_id = str(uuid.uuid4())
    assert client.post(f"/quizzes/{quiz_id}/offline-answers",
                       data={**answers, "offline_id": device_id},
                       headers=replay).status_code == 200
    other = app.test_client()
    login(other, "admin")
    token = csrf_from(other, f"/quizzes/{quiz_id}/offline")
    stolen = other.post(f"/quizzes/{quiz_id}/offline-answers",
                        data={**answers, "offline_id": device_id},
                        headers={"X-Offline-Replay": "1", "X-CSRFToken": token})
    assert stolen.status_code == 409
