"""The same app on PostgreSQL, with Redis carrying the job queue and two worker processes: the
core journeys, every page as every role, and a batch of lessons captioned by both workers with no
work done twice. PostgreSQL and Redis are started by tests/scale/conftest.py."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from accessible_learning import jobs
from accessible_learning.extensions import db
from accessible_learning.jobs.queue import make_huey
from accessible_learning.models import (
    CaptionTrack,
    Certificate,
    Course,
    Job,
    Lesson,
    LessonProgress,
    MediaAsset,
    User,
)
from accessible_learning.paths import MIGRATIONS_DIR
from conftest import ANON, ROLES, SHARED_DATA, check_every_get_route, csrf_from, login, post_form

from .conftest import TIMINGS

pytestmark = pytest.mark.scale

SPEECH = SHARED_DATA / "speech" / "ko"
BATCH = ["zeroth_104_003_0019.wav", "zeroth_104_003_0193.wav", "zeroth_104_003_0280.wav",
         "zeroth_104_003_0294.wav", "zeroth_104_003_0352.wav", "zeroth_104_003_0360.wav"]


def _heads() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_heads()


def test_migrations_and_demo_seed_on_postgresql(pg_app):
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert [version] == _heads()  # at the latest migration
        assert db.session.scalar(select(func.count()).select_from(Course)) == 3
        assert db.session.scalar(select(func.count()).select_from(User)) == len(ROLES)
        first = db.session.scalar(select(Lesson).order_by(Lesson.id))
        assert first.published_captions is not None and first.published_descriptions is not None
    print(f"\nPostgreSQL: flask db upgrade {TIMINGS['migrate_s']:.1f} s, "
          f"demo seed {TIMINGS['seed_s']:.1f} s")


@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_every_get_route_as_every_role_on_postgresql(pg_app, role):
    check_every_get_route(pg_app, role)


def test_learner_journey_on_postgresql(pg_app):
    client = pg_app.test_client()
    response = post_form(client, "/register", {
        "email": "Ana.Costa@example.org", "display_name": "김지은 🧵", "real_name": "",
        "password": "sewing machines hum softly", "confirm": "sewing machines hum softly",
        "language": "en", "needs": ["screen_reader"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert post_form(client, "/logout", {}, token_page="/logout").status_code == 302
    response = post_form(client, "/login", {"email": "ana.costa@EXAMPLE.org",
                                            "password": "sewing machines hum softly"})
    assert response.status_code == 302  # the address is compared without case

    def titles(url):
        return re.findall(r'<h3><a href="/courses/\d+">([^<]+)</a>',
                          client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True))

    assert titles("/courses?trade=tailoring") == ["Garment pattern-making basics"]
    assert titles("/courses?q=food+SAFETY") == ["Food safety for kitchen staff"]
    assert titles("/courses?q=%25") == [] and titles("/courses?q=_") == []
    assert len(titles("/courses")) == 3

    with pg_app.app_context():
        course = db.session.scalar(select(Course).where(Course.title.like("Food safety%")))
        course_id, lesson_ids = course.id, [lesson.id for lesson in course.lessons]
        quiz = course.quizzes[0]
        answers = {}
        for question in quiz.questions:
            right = [str(c.id) for c in question.choices if c.correct]
            answers[f"q-{question.id}"] = (right[0] if question.kind == "single" else right
                                           if question.kind == "multiple" else "5 °C")
        quiz_id = quiz.id
    assert client.get(f"/lessons/{lesson_ids[0]}").status_code == 302  # not enrolled yet
    assert post_form(client, f"/courses/{course_id}/enrol", {},
                     token_page=f"/courses/{course_id}").status_code == 302
    page = client.get(f"/lessons/{lesson_ids[0]}")
    assert page.status_code == 200 and "<video" in page.get_data(as_text=True)

    token = csrf_from(client, f"/lessons/{lesson_ids[0]}")
    response = client.post(f"/lessons/{lesson_ids[0]}/progress",
                           headers={"X-CSRFToken": token},
                           json={"position": 2.5, "played": [[0, 2.5]], "features": ["captions"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["watched"] == 2.5 and response.json["completed"] is False
    with pg_app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.lesson_id == lesson_ids[0]))
        assert row.position_s == 2.5 and row.watched == [[0, 2.5]]

    for lesson_id in lesson_ids:
        assert post_form(client, f"/lessons/{lesson_id}/transcript-read", {},
                         token_page=f"/lessons/{lesson_id}").status_code == 302
    response = post_form(client, f"/quizzes/{quiz_id}/start", {},
                         token_page=f"/quizzes/{quiz_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    attempt = int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))
    token = csrf_from(client, f"/attempts/{attempt}")
    response = client.post(f"/attempts/{attempt}",
                           data={**answers, "action": "submit", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    result = client.get(f"/attempts/{attempt}/result").get_data(as_text=True)
    assert "Passed." in result and "3 of 3" in result
    with pg_app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate.course_id == course_id and certificate.holder_name == "김지은 🧵"
        code = certificate.code
    course_page = client.get(f"/courses/{course_id}").get_data(as_text=True)
    assert "Course completed." in course_page
    verified = pg_app.test_client().get("/verify", query_string={"code": code.lower()})
    assert "This certificate is genuine" in verified.get_data(as_text=True)
    admin = pg_app.test_client()
    login(admin, "admin")
    assert admin.get("/admin/reports").status_code == 200


def test_studio_caption_upload_on_postgresql(pg_app):
    client = pg_app.test_client()
    login(client, "content")
    with pg_app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
        before = db.session.scalar(select(func.max(CaptionTrack.version)).where(
            CaptionTrack.lesson_id == lesson_id))
    token = csrf_from(client, f"/studio/lessons/{lesson_id}")
    srt = "1\n00:00:00,500 --> 00:00:03,000\n치수를 <i>잽니다</i>\n\n".encode()
    response = client.post(f"/studio/lessons/{lesson_id}/captions/import", data={
        "csrf_token": token, "captions": (io.BytesIO(srt), "captions.srt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with pg_app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(CaptionTrack.lesson_id == lesson_id)
                                  .order_by(CaptionTrack.version.desc()))
        assert track.version == before + 1
        assert track.status == "draft" and track.source == "edited" and "치수를 잽니다" in track.vtt
    response = post_form(client, f"/studio/lessons/{lesson_id}/captions/{before + 1}/publish",
                         {}, token_page=f"/studio/lessons/{lesson_id}")
    assert response.status_code == 302
    vtt = client.get(f"/lessons/{lesson_id}/captions.vtt").get_data(as_text=True)
    assert "치수를 잽니다" in vtt


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "huey_consumer"), "accessible_learning.worker.huey",
             "-w", "1", "--delay", "0.1", "--max-delay", "0.5"],
            env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_for(app, job_ids: list[int], timeout: float) -> list[Job]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            found = db.session.scalars(select(Job).where(Job.id.in_(job_ids))
                                       .order_by(Job.id)).all()
            if all(job.state in {"done", "failed"} for job in found):
                for job in found:
                    db.session.expunge(job)
                return found
        time.sleep(0.25)
    raise AssertionError(f"jobs {job_ids} did not finish in {timeout} s")


def _race(app, asset_id: int, monkeypatch) -> list[int]:
    """Two requests enqueue the same key at once. Both look for the key before either inserts
    (a barrier holds each just before its insert), so the database's unique key decides."""
    barrier = threading.Barrier(2, timeout=20)
    original_add = db.session.add

    def add_after_both_looked(instance, *args, **kwargs):
        if isinstance(instance, Job):
            barrier.wait()
        return original_add(instance, *args, **kwargs)

    original_rollback = db.session.rollback
    rollbacks: list[int] = []

    def counted_rollback():
        rollbacks.append(1)
        return original_rollback()

    monkeypatch.setattr(db.session, "add", add_after_both_looked)
    monkeypatch.setattr(db.session, "rollback", counted_rollback)
    ids: list[int] = []
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            with app.app_context():
                ids.append(jobs.enqueue_probe(db.session.get(MediaAsset, asset_id)).id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=enqueue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.undo()
    assert not errors, errors
    assert len(rollbacks) == 1  # the second insert hit the unique key and took the first job
    return ids


def test_a_batch_is_shared_by_two_workers_without_double_work(pg_app, tmp_path, monkeypatch):
    app = pg_app
    started = time.monotonic()
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title.like("Garment%")))
        last = max(lesson.position for lesson in course.lessons)
        batch = [Lesson(course=course, position=last + n, title=f"Batch lesson {n}",
                        language="ko") for n in range(1, len(BATCH) + 1)]
        db.session.add_all(batch)
        db.session.commit()
        lesson_ids = [lesson.id for lesson in batch]

    # The content team uploads a recording for each lesson; each upload queues a caption job.
    client = app.test_client()
    login(client, "content")
    for lesson_id, name in zip(lesson_ids, BATCH, strict=True):
        token = csrf_from(client, f"/studio/lessons/{lesson_id}")
        response = client.post(f"/studio/lessons/{lesson_id}/media", data={
            "csrf_token": token, "script": "",
            "media": (io.BytesIO((SPEECH / name).read_bytes()), name)},
            content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with app.app_context():
        caption_jobs = db.session.scalars(select(Job).where(Job.kind == "caption")
                                          .order_by(Job.id)).all()
        by_lesson = {job.payload["lesson_id"]: job.id for job in caption_jobs}
        assert sorted(by_lesson) == sorted(lesson_ids) and len(caption_jobs) == len(BATCH)
        # Each upload also queues its smaller versions for slow links (audio only for these).
        smaller = db.session.scalars(select(Job.id).where(Job.kind == "renditions")).all()
        assert len(smaller) == len(BATCH)
    redis_queue = make_huey(app.config["REDIS_URL"])
    assert redis_queue.pending_count() == 2 * len(BATCH)  # on Redis, not the SQLite file

    env = app.config["WORKER_ENV"]
    workers = [_start_worker(env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    try:
        done = _wait_for(app, list(by_lesson.values()), timeout=240)
        batch_s = time.monotonic() - started
        for job in done:
            assert job.state == "done", (job.id, job.message,
                                         (tmp_path / "worker-1.log").read_text()[-3000:],
                                         (tmp_path / "worker-2.log").read_text()[-3000:])
            assert job.attempts == 1, (job.id, job.attempts)
        with app.app_context():
            for lesson_id, job_id in by_lesson.items():
                job = next(j for j in done if j.id == job_id)
                tracks = db.session.scalars(select(CaptionTrack).where(
                    CaptionTrack.lesson_id == lesson_id)).all()
                assert [t.id for t in tracks] == [job.result["track_id"]], lesson_id
                assert tracks[0].source == "auto" and "-->" in tracks[0].vtt
        host_pids = {f":{worker.pid}" for worker in workers}
        ran_by = [job.result["worker"] for job in done]
        assert {name[name.rindex(":"):] for name in ran_by} == host_pids, ran_by
        share = {pid: sum(name.endswith(pid) for name in ran_by) for pid in sorted(host_pids)}

        assert all(job.state == "done" for job in _wait_for(app, smaller, timeout=120))

        # The same key enqueued twice at the same moment: one job, run once.
        with app.app_context():
            asset_id = db.session.get(Lesson, lesson_ids[0]).media_id
        ids = _race(app, asset_id, monkeypatch)
        assert len(ids) == 2 and ids[0] == ids[1]
        with app.app_context():
            key = f"probe:{db.session.get(MediaAsset, asset_id).sha256}"
            assert db.session.scalar(select(func.count()).select_from(Job)
                                     .where(Job.key == key)) == 1
        (probe,) = _wait_for(app, [ids[0]], timeout=60)
        assert probe.state == "done" and probe.attempts == 1
        assert redis_queue.pending_count() == 0
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    print(f"\nbatch of {len(BATCH)} caption jobs on two workers: {batch_s:.1f} s, "
          f"jobs per worker {share}")


ADDED_AT = datetime(2026, 12, 1, 0, 30)


def test_lists_of_people_a_page_at_a_time_on_postgresql(pg_app):
    """Administration › Users and the reports with more learners, on PostgreSQL (ILIKE, COUNT
    DISTINCT over a UNION, OFFSET paging); the last test here, as it adds users."""
    from accessible_learning.services import demo, reports

    with pg_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(User))
        # A fixed moment (a month's first day, just after midnight), not the calendar's.
        demo.add_learners(120, now=ADDED_AT)
        total = db.session.scalar(select(func.count()).select_from(User))
        report = reports.build(reports.default_period(ADDED_AT.date()))
    assert total == before + 120
    assert report.totals.registered >= 120
    admin = pg_app.test_client()
    login(admin, "admin")
    pages = -(-total // 50)
    last = admin.get(f"/admin/users?page={pages}").get_data(as_text=True)
    assert f"Page {pages} of {pages}" in last and last.count("Make a reset link") == total - 100
    found = admin.get("/admin/users?q=LEARNER00042%40SCALE").get_data(as_text=True)
    assert "1 user found" in found and "learner00042@scale.example.org" in found
    assert admin.get("/admin/users?q=%25").get_data(as_text=True).count("0 users found") == 1
    assert admin.get(f"/admin/users?page={pages + 1}").status_code == 404
    assert admin.get("/examiner/").status_code == 200
