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

from accessible_learning import create_app  # noqa: E402
from accessible_learning.extensions import db  # noqa: E402
from accessible_learning.models import Job  # noqa: E402
from accessible_learning.services import demo  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEMO_PASSWORDS = {role: password for role, _e, _n, password in demo.DEMO_USERS}
DEMO_EMAILS = {role: email for role, email, _n, _p in demo.DEMO_USERS}
ROLES = ["learner", "content", "examiner", "admin"]


def _config(db_path: Path, media_root: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "MEDIA_ROOT": str(media_root),
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
def demo_app(template: dict, target: Path, **settings):
    """An app on a copy of the demo instance in ``target``, with ``settings`` over the test
    configuration; its database connections are closed afterwards."""
    application = create_app({**clone_instance(template, target), **settings})
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
