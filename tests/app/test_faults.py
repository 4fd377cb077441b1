"""Faults (issue 7): the database locked by another process, briefly or for too long, and a disk
that fills up while a job writes. Requests fail cleanly with a retry message and nothing
half-written; earlier outputs stay intact."""

from __future__ import annotations

import errno
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accessible_learning import jobs
from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Enrolment, Job, Lesson
from conftest import csrf_from, demo_app, login


@pytest.fixture
def short_wait_app(demo_template, tmp_path):
    with demo_app(demo_template, tmp_path / "instance", SQLITE_BUSY_TIMEOUT_MS=300) as app:
        yield app


def _database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def _lock(app) -> sqlite3.Connection:
    """Another process's write transaction (as a worker or a backup tool would hold)."""
    other = sqlite3.connect(_database_file(app), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def _enrolments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enrolment))


def test_a_database_locked_too_long_gives_a_retry_message_and_writes_nothing(short_wait_app):
    app = short_wait_app
    client = app.test_client()
    login(client, "learner")
    token = csrf_from(client, "/courses/2")
    before = _enrolments(app)
    other = _lock(app)
    try:
        response = client.post("/courses/2/enrol", data={"csrf_token": token})
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "nothing was saved" in page and "try again" in page
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _enrolments(app) == before
    # Once the lock is gone the same request succeeds.
    response = client.post("/courses/2/enrol", data={"csrf_token": token})
    assert response.status_code == 302 and _enrolments(app) == before + 1


def test_progress_json_gets_a_json_retry_message(short_wait_app):
    app = short_wait_app
    client = app.test_client()
    login(client, "content")  # staff may open every lesson
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
    token = csrf_from(client, f"/lessons/{lesson_id}")
    other = _lock(app)
    try:
        response = client.post(f"/lessons/{lesson_id}/progress", json={"position": 1,
                                                                       "played": [[0, 1]]},
                               headers={"X-CSRFToken": token})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    assert "nothing was saved" in response.get_json()["error"]


def test_a_brief_lock_is_waited_out(app):
    """Within the busy timeout (10 s by default) a write waits for the lock instead of failing:
    web and worker writing at once do not produce "database is locked" errors."""
    client = app.test_client()
    login(client, "learner")
    token = csrf_from(client, "/courses/2")
    before = _enrolments(app)
    other = _lock(app)
    release = threading.Timer(0.8, lambda: (other.execute("ROLLBACK"), other.close()))
    release.start()
    started = time.monotonic()
    response = client.post("/courses/2/enrol", data={"csrf_token": token})
    waited = time.monotonic() - started
    release.join()
    assert response.status_code == 302 and _enrolments(app) == before + 1
    assert waited >= 0.5  # it really waited for the other writer


def test_concurrent_writers_do_not_see_database_is_locked(app):
    """Eight threads saving progress while another connection keeps writing, as a worker's
    heartbeats do: every request succeeds."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        lesson_id = lesson.id
    clients = []
    for _ in range(8):
        client = app.test_client()
        login(client, "content")
        clients.append((client, csrf_from(client, f"/lessons/{lesson_id}")))
    stop = threading.Event()

    def heartbeat():
        writer = sqlite3.connect(_database_file(app), timeout=10)
        while not stop.is_set():
            writer.execute("UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP")
            writer.commit()
            time.sleep(0.005)
        writer.close()

    statuses: list[int] = []

    def learner(client, token):
        for n in range(10):
            response = client.post(f"/lessons/{lesson_id}/progress",
                                   json={"position": n, "played": [[n, n + 1]]},
                                   headers={"X-CSRFToken": token})
            statuses.append(response.status_code)

    beat = threading.Thread(target=heartbeat)
    beat.start()
    threads = [threading.Thread(target=learner, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    beat.join()
    assert statuses == [200] * 80


def test_a_full_disk_during_a_caption_job_fails_clearly_and_keeps_earlier_outputs(
        app, monkeypatch):
    """The disk filling up cannot be produced safely here, so the write that would hit it is made
    to fail with ENOSPC (the fault alone is injected; the job, pipeline and database are real)."""
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        versions = [t.version for t in lesson.caption_tracks]
        published = lesson.published_captions.vtt
        media = Path(app.config["MEDIA_ROOT"])
        files_before = sorted(p.name for p in media.rglob("*") if p.is_file())
        import media_pipeline.pipeline as pipeline

        def disk_full(*_args, **_kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(pipeline, "extract_pcm", disk_full)
        monkeypatch.setattr(jobs.runners, "RETRY_BASE_SECONDS", 0)
        lesson.script = (lesson.script or "") + "\n한 줄 더."  # a new job key: really run
        db.session.commit()
        job = jobs.enqueue_caption(lesson)
        for _ in range(jobs.MAX_ATTEMPTS):
            jobs.run(job.id)
        job = db.session.get(Job, job.id)
        assert job.state == "failed", job.message
        assert "disk" in job.message and "full" in job.message, job.message
        assert "unchanged" in job.message
        lesson = db.session.get(Lesson, lesson.id)
        assert [t.version for t in lesson.caption_tracks] == versions
        assert lesson.published_captions.vtt == published
        assert db.session.scalar(select(func.count()).select_from(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson.id)) == len(versions)
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_before


def test_what_a_killed_upload_left_in_incoming_is_swept_when_a_server_starts(demo_template,
                                                                               tmp_path):
    """A web process killed while it stored an upload leaves its file in ``.incoming``: the
    next server process to start removes such files once they are a day old, and leaves a
    younger one (an upload another process may be storing now)."""
    import os

    from accessible_learning import create_app
    from conftest import clone_instance

    config = clone_instance(demo_template, tmp_path / "instance", copy_media=True)  # its own
    incoming = Path(config["MEDIA_ROOT"]) / ".incoming"
    incoming.mkdir(exist_ok=True)
    old, young = incoming / "tmpold1234.webm", incoming / "tmpnew5678.webm"
    for path in (old, young):
        path.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(1000))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    app = create_app(config)
    assert not old.exists() and young.exists()
    with app.app_context():
        db.engine.dispose()


def test_a_web_process_killed_while_it_stores_an_upload(demo_template, tmp_path):
    """SIGKILL the server process while it stores a large upload in ``.incoming`` (probing and
    hashing it before it is kept): the half-stored file is left behind, nothing is in the
    media library, and once it is a day old the next server process to start removes it."""
    import os
    import re
    import signal
    import subprocess
    import sys

    from accessible_learning import create_app
    from accessible_learning.models import MediaAsset
    from conftest import DEMO_EMAILS, DEMO_PASSWORDS, clone_instance, free_port, wait_for_url

    config = clone_instance(demo_template, tmp_path / "instance", copy_media=True)
    media_root = Path(config["MEDIA_ROOT"])
    incoming = media_root / ".incoming"
    big = tmp_path / "big.wav"  # 40 minutes of 48 kHz stereo: some 460 MB
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000:duration=2400", "-ac", "2",
                    str(big)], check=True)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": str(media_root), "SECRET_KEY": "a test secret",
           "VOICE_CHECK_AT_STARTUP": "0"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "accessible_learning",
                               "run", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, jar = f"http://127.0.0.1:{port}", str(tmp_path / "cookies")

    def curl(*args: str) -> str:
        return subprocess.run(["curl", "-s", "-b", jar, "-c", jar, *args], capture_output=True,
                              text=True, timeout=120).stdout

    upload = None
    try:
        wait_for_url(f"{url}/login", server)
        page = curl(f"{url}/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        curl("-d", f"email={DEMO_EMAILS['content']}", "-d",
             f"password={DEMO_PASSWORDS['content']}", "-d", f"csrf_token={token}",
             f"{url}/login")
        page = curl(f"{url}/studio/lessons/1")
        assert "Upload the lesson" in page
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        upload = subprocess.Popen(
            ["curl", "-s", "-b", jar, "-F", f"csrf_token={token}", "-F", "script=",
             "-F", f"media=@{big}", f"{url}/studio/lessons/1/media"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not list(incoming.glob("tmp*")):  # the server is storing it
            assert time.monotonic() < deadline and upload.poll() is None, "never stored"
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
        if upload is not None:
            upload.wait(timeout=30)
        big.unlink()
    left = list(incoming.glob("tmp*"))
    assert len(left) == 1  # what the kill left
    app = create_app(config)
    assert left[0].exists()  # younger than a day: perhaps another process is storing it
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MediaAsset).where(
            MediaAsset.original_name == "big.wav")) == 0
        db.engine.dispose()
    a_day_ago = time.time() - 25 * 3600
    os.utime(left[0], (a_day_ago, a_day_ago))
    app = create_app(config)  # the next server process starts
    assert not left[0].exists()
    with app.app_context():
        db.engine.dispose()
