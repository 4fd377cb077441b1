"""Shared fixtures. The instance folder is set before the app package is imported, because the
job queue (huey) reads it at import time."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="al-tests-"))
os.environ["INSTANCE_PATH"] = str(_SESSION_DIR / "instance")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("MEDIA_ROOT", None)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from accessible_learning import create_app  # noqa: E402
from accessible_learning.extensions import db  # noqa: E402
from accessible_learning.models import Job, Lesson, Quiz  # noqa: E402
from accessible_learning.services import demo  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]  # the project
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEMO_PASSWORDS = {role: password for role, _e, _n, password in demo.DEMO_USERS}
DEMO_EMAILS = {role: email for role, email, _n, _p in demo.DEMO_USERS}
ROLES = ["learner", "content", "examiner", "admin", "employer"]


def _config(db_path: Path, media_root: Path) -> dict:
    # Each instance has its own live folder: the live classes' event logs are named by class id,
    # and every copy of the demo numbers its classes from 1 (a shared folder gave one test's
    # dropped stream to another's page).
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "MEDIA_ROOT": str(media_root),
        "LIVE_ROOT": str(db_path.parent / "live"),
    }


@pytest.fixture(scope="session")
def demo_template() -> dict:
    """Migrate an empty database and seed the demo once; tests copy the result."""
    base = _SESSION_DIR / "template"
    base.mkdir(parents=True, exist_ok=True)
    db_path, media_root = base / "demo.sqlite", base / "media"
    app = create_app(_config(db_path, media_root))
    with app.app_context():
        upgrade()
        demo.seed(log=lambda *_: None)
        db.session.remove()
        db.engine.dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"db": db_path, "media": media_root}


def clone_instance(template: dict, target: Path, copy_media: bool = False) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    db_path = target / "app.sqlite"
    shutil.copyfile(template["db"], db_path)
    media_root = template["media"]
    if copy_media:
        media_root = target / "media"
        shutil.copytree(template["media"], media_root)
    return _config(db_path, media_root)


@contextmanager
def demo_app(template: dict, target: Path, copy_media: bool = False, **settings):
    """An app on a copy of the demo instance in ``target`` (with a copy of its media folder when
    asked), with ``settings`` over the test configuration; its database connections are closed
    afterwards."""
    application = create_app({**clone_instance(template, target, copy_media=copy_media),
                              **settings})
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(demo_template, tmp_path):
    with demo_app(demo_template, tmp_path / "instance") as application:
        yield application


@pytest.fixture
def own_media_app(demo_template, tmp_path):
    """The demo on a copy of its media folder, for tests that write media files (renditions)."""
    with demo_app(demo_template, tmp_path / "instance", copy_media=True) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client, url: str) -> str:
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, token_page: str | None = None, **kwargs):
    token = csrf_from(client, token_page or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


@contextmanager
def selects_during(app):
    """The SELECT statements sent to SQLite while the block runs (a list, filled in): those of
    SQLAlchemy and those run with the driver's own cursor (``driver_sql``), as SQLite's trace
    callback sees them on each connection the block checks out of the pool."""
    from sqlalchemy import event

    selects: list[str] = []
    traced = []

    def trace(statement):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    def checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(trace)
        traced.append(dbapi_connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", checkout)
    try:
        yield selects
    finally:
        event.remove(engine, "checkout", checkout)
        for connection in traced:
            connection.set_trace_callback(None)


def editor_form(client, url: str) -> dict:
    """The caption editor's fields as the page fills them in, to send back changed."""
    html = client.get(url).get_data(as_text=True)
    form = dict(re.findall(r'name="(cue-\d+-(?:start|end|origin|speaker))"[^>]*value="([^"]*)"',
                           html))
    form.update(re.findall(r'name="(cue-\d+-text)" rows="2"[^>]*>([^<]*)</textarea>', html))
    form.update(re.findall(r'name="(cue-\d+-confirmed)" value="(yes)"[^>]* checked', html))
    form["count"] = re.search(r'name="count" value="(\d+)"', html).group(1)
    return form


def login(client, role: str):
    response = post_form(client, "/login",
                         {"email": DEMO_EMAILS[role], "password": DEMO_PASSWORDS[role]})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def worker_app(demo_template, tmp_path):
    config = clone_instance(demo_template, tmp_path / "instance", copy_media=True)
    app = create_app(config)
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"]}
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "huey_consumer"), "accessible_learning.worker.huey",
         "--workers", "1", "--delay", "0.1", "--max-delay", "0.5"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    yield app
    worker.terminate()
    worker.wait(timeout=20)
    log.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def wait_for_job(app, job_id: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.state in {"done", "failed"}:
                db.session.expunge(job)
                return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


WORK_SPEECH = SHARED_DATA / "speech" / "ko" / "zeroth_104_003_0193.wav"  # 8.8 s, real Korean


def make_work_video(path: Path) -> Path:
    """A small video of "the work": a picture and real Korean speech."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "color=c=orange:s=160x90:r=10", "-i", str(WORK_SPEECH), "-shortest",
                    "-c:v", "libvpx", "-b:v", "50k", "-c:a", "libopus", str(path)], check=True)
    return path


def make_sign_video(path: Path, seconds: float = 5, audio: bool = False,
                    colour: str | None = None) -> Path:
    """A small real video (ffmpeg's test picture; no sound unless asked)."""
    source = f"testsrc=size=160x120:rate=10:duration={seconds}" if colour is None else \
        f"color=c={colour}:size=160x120:rate=10:duration={seconds}"
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source]
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:a", "libopus"]
    command += ["-c:v", "libvpx", "-b:v", "60k", str(path)]
    subprocess.run(command, check=True)
    return path


# --- Who may reach each route: app/test_access.py, and the PostgreSQL run in scale/ ----------

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
    "voice.teach": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
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
    # The demo's media has no smaller versions until they are made (tests/app/test_rendition_sets.py
    # makes them and fetches each kind of file).
    "media.rendition_file": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
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
    "admin.user_page": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                        "admin": 200},
    "admin.organisations_page": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                                 "admin": 200, "employer": 403},
    "employer.own_staff": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                           "admin": 302, "employer": 302},
    "employer.staff": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                       "admin": 200, "employer": 200},
    "admin.import_learners": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                              "admin": 200, "employer": 403},
    "admin.audit": {ANON: LOGIN, "learner": 403, "content": 403, "examiner": 403,
                    "admin": 200},
    # Live classes: the demo has none (class 1 does not exist); the studio schedules them.
    "live.new_class": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                       "admin": 200},
    "live.studio_class": {ANON: LOGIN, "learner": 403, "content": 404, "examiner": 403,
                          "admin": 404},
    "live.watch": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "live.hls_file": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "live.events": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "live.calendar": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "live.captions": {ANON: LOGIN, **dict.fromkeys(ROLES, 404)},
    "live.correct_caption": {ANON: LOGIN, "learner": 403, "content": 404, "examiner": 403,
                             "admin": 404},
    "authoring.new_course": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                             "admin": 200},
    "authoring.course": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                         "admin": 200},
    "authoring.new_lesson": {ANON: LOGIN, "learner": 403, "content": 200, "examiner": 403,
                             "admin": 200},
    "authoring.lesson_details": {ANON: LOGIN, "learner": 403, "content": 200,
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
    # Lessons to take away (tests/app/test_offline.py, tests/browser/test_offline_journey.py).
    "offline.service_worker": dict.fromkeys([ANON, *ROLES], 200),
    "offline.saved": dict.fromkeys([ANON, *ROLES], 200),
    "offline.kept": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    "offline.token": {ANON: LOGIN, **dict.fromkeys(ROLES, 200)},
    "offline.lesson_manifest": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                                "admin": 200},
    "offline.quiz_sheet": {ANON: LOGIN, "learner": 404, "content": 200, "examiner": 200,
                           "admin": 200},
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
             "studio.publish_captions", "studio.translate_captions", "studio.add_description",
             "studio.remove_description",
             "studio.import_descriptions", "studio.publish_descriptions",
             "studio.suggest_descriptions", "account.player_preferences",
             "player.save_progress", "player.transcript_read", "player.voice_command",
             "player.voice_wake",
             "studio.save_chapters", "quizzes.start", "quizzes.answer", "quizzes.autosave",
             "quizzes.extend", "quiz_studio.add_question", "quiz_studio.delete_question",
             "practical.hand_in", "admin.reset_link", "authoring.course_state",
             "authoring.lesson_state", "authoring.move_lesson", "admin.change_role",
             "admin.account_state", "admin.delete_account",
             "admin.change_organisation", "studio.upload_sign_video",
             "studio.remove_sign_video", "offline.offline_answers", "live.change_key",
             "live.ingest_publish", "live.ingest_publish_done", "live.ingest_recorded",
             "live.ask", "live.attendance", "live.answered", "live.browser_part",
             "live.browser_end", "live.end_class", "live.voice_command", "live.dictate",
             "voice.consent", "voice.record", "voice.upload", "voice.remove"}
NOT_PAGES = {"static"}


def _url_for_rule(app, rule) -> str:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        quiz = db.session.scalar(select(Quiz).order_by(Quiz.id))
        values = {"course_id": lesson.course_id, "lesson_id": lesson.id, "version": 1,
                  "sha256": lesson.media.sha256, "ext": lesson.media.extension,
                  "quiz_id": quiz.id, "question_id": quiz.questions[0].id,
                  "attempt_id": 1, "certificate_id": 1, "submission_id": 1,
                  "token": "not-a-reset-link", "user_id": 1, "organisation_id": 1,
                  "name": "master.m3u8", "live_class_id": 1,
                  "number": 1}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})


def check_every_get_route(app, role: str, markup: bool = False) -> None:
    """GET every route of the URL map as ``role`` and compare with EXPECTED (also used by the
    PostgreSQL run in tests/scale); with ``markup``, every HTML page it answers goes through the
    Nu Html Checker too."""
    client = app.test_client()
    if role != ANON:
        login(client, role)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        url = _url_for_rule(app, rule)
        response = client.get(url)
        # An employer contact reaches what a learner does, except where the table says.
        expected = EXPECTED[rule.endpoint].get(role, EXPECTED[rule.endpoint].get("learner"))
        if expected == LOGIN:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == expected, (url, role, response.status_code)
        if markup and is_document(response):
            assert_valid_markup(response.get_data(as_text=True), f"{url} as {role}")
        checked += 1
    assert checked == len(EXPECTED)


# --- Servers started by the tests ---------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_url(url: str, process: subprocess.Popen | None = None,
                 timeout: float = 60) -> None:
    """Until ``url`` answers at all (any status), or fail: the server did not start (or its
    ``process`` ended)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            ended = process is not None and process.poll() is not None
            if ended or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer: the server did not start") from None
            time.sleep(0.25)


# --- The W3C Nu Html Checker (vnu-jar from npm, made by `make setup-test`; VNU_JAR names it) ---

class _NuChecker:
    """vnu-jar's own HTTP service on a free local port, started on first use and stopped when
    the tests end: one Java start-up, then a few milliseconds a page."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url = ""

    @staticmethod
    def jar() -> Path:
        named = os.environ.get("VNU_JAR")
        if named:
            return Path(named) if Path(named).is_absolute() else ROOT / named
        found = sorted(ROOT.glob(".venv/vnu-*/node_modules/vnu-jar/build/dist/vnu.jar"))
        if not found:
            raise AssertionError("The Nu Html Checker is not installed: run make setup-test.")
        return found[-1]

    def start(self) -> None:
        import atexit

        port = free_port()
        self.process = subprocess.Popen(
            ["java", "-Xss4m", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp",
             str(self.jar()), "nu.validator.servlet.Main", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.process.terminate)
        self.url = f"http://127.0.0.1:{port}/?out=json"
        wait_for_url(f"http://127.0.0.1:{port}/", self.process, timeout=90)

    def errors(self, html: str) -> list[str]:
        import json
        import urllib.request

        if self.process is None:
            self.start()
        request = urllib.request.Request(self.url, data=html.encode("utf-8"), headers={
            "Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [f"line {m.get('lastLine', '?')}: {m['message']} "
                f"[{m.get('extract', '').strip()[:160]}]" for m in messages
                if m.get("type") == "error" and not _htmx_attribute(m)]


def _htmx_attribute(message: dict) -> bool:
    """htmx's attributes (hx-get, hx-target …), which HTML does not define, are ours to use."""
    return message.get("message", "").startswith("Attribute “hx-")


_NU = _NuChecker()


def nu_errors(html: str) -> list[str]:
    """The Nu Html Checker's errors in a whole HTML document, but for htmx's attributes."""
    return _NU.errors(html)


def is_document(response) -> bool:
    """A whole HTML page (not an htmx fragment, a file or a redirect)."""
    return (response.mimetype == "text/html"
            and response.get_data(as_text=True).lstrip()[:15].lower() == "<!doctype html>")


def assert_valid_markup(html: str, label: str) -> None:
    errors = nu_errors(html)
    assert not errors, f"{label}: the Nu Html Checker found:\n" + "\n".join(errors)
