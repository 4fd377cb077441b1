"""The job queue with a real huey worker process (SQLite storage, the embedded default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import Job, Lesson
from conftest import login, post_form, wait_for_job


def latest_job_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Job.id)))


def test_worker_checks_media_and_a_broken_file_fails_with_a_clear_message(worker_app):
    app = worker_app
    client = app.test_client()
    login(client, "content")
    with app.app_context():
        lessons = db.session.scalars(select(Lesson).order_by(Lesson.id)).all()
        good, broken = lessons[0], lessons[1]
        good_id, broken_id, good_duration = good.id, broken.id, good.media.duration_s
        broken_path = Path(app.config["MEDIA_ROOT"]) / broken.media.filename

    response = post_form(client, f"/studio/lessons/{good_id}/probe", {}, token_page="/studio/")
    assert response.status_code == 302
    with app.app_context():  # (the probe queues another job when it is done)
        job = wait_for_job(app, db.session.scalar(select(Job.id).where(Job.kind == "probe")))
    assert job.state == "done", job.message
    assert job.progress == 1.0
    assert job.result["duration_s"] == pytest.approx(good_duration, abs=0.01)
    assert "seconds long" in job.message

    # A readable lesson file also gets its smaller versions (tests/app/test_rendition_sets.py):
    # the probe queued them; they finish before the rest.
    with app.app_context():
        renditions_id = db.session.scalar(select(Job.id).where(Job.kind == "renditions"))
    assert wait_for_job(app, renditions_id, timeout=120).state == "done"

    # Asking again while nothing is running re-runs the same job row: no duplicates.
    post_form(client, f"/studio/lessons/{good_id}/probe", {}, token_page="/studio/")
    wait_for_job(app, job.id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 2
        assert db.session.scalar(select(func.count()).select_from(Job)
                                 .where(Job.kind == "probe")) == 1

    broken_path.write_bytes(b"\x00garbage" * 100)
    post_form(client, f"/studio/lessons/{broken_id}/probe", {}, token_page="/studio/")
    failed = wait_for_job(app, latest_job_id(app))
    assert failed.state == "failed"
    assert "not a video or audio file that can be read" in failed.message

    fragment = client.get("/studio/jobs", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html
    assert 'data-announce="0 jobs waiting or running, 1 failed"' in html
    assert "not a video or audio file" in html
    assert f"The media file is readable: {good_duration:.1f} seconds long." in html

    # In Chinese, the worker's message is shown in Chinese with its values; a media error's own
    # explanation (no catalogue words) is shown as it is.
    post_form(client, "/language", {"language": "zh", "next": "/"}, token_page="/")
    chinese = client.get("/studio/jobs").get_data(as_text=True)
    assert f"媒体文件可以读取：时长 {good_duration:.1f} 秒。" in chinese
    assert "The media file is readable" not in chinese
    assert "not a video or audio file" in chinese
    post_form(client, "/language", {"language": "en", "next": "/"}, token_page="/")


def test_a_retry_message_is_translated_with_its_cause(app):
    """A message whose value is itself catalogue words (the cause of a retry) is translated
    whole; a translation that does not fit its values falls back to the English message."""
    from accessible_learning import jobs

    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        job = Job(kind="probe", key="probe:retry-words", payload={"media_id": lesson.media.id},
                  state="queued", **jobs.say(
                      jobs.N_("%(cause)s; it will be tried again in %(delay)d seconds (attempt "
                              "%(attempt)d of %(attempts)d)."),
                      cause=jobs.N_("The server's disk is full"), delay=20, attempt=2,
                      attempts=3))
        db.session.add(job)
        db.session.commit()
        assert job.message == ("The server's disk is full; it will be tried again in 20 seconds "
                               "(attempt 2 of 3).")
        with app.test_request_context("/"):
            from flask_babel import force_locale

            with force_locale("zh"):
                assert jobs.message_text(job) == ("服务器的磁盘已满；将在 20 秒后重试"
                                                  "（第 2 次，共 3 次）。")
            with force_locale("en"):
                assert jobs.message_text(job) == job.message
            job.message_i18n = {"id": job.message_i18n["id"], "args": {"cause": "x"}}
            with force_locale("zh"):  # a value missing: the English message, not an error
                assert jobs.message_text(job) == job.message


def test_a_message_with_counts_takes_each_count_in_the_singular_or_the_plural(app):
    """The describe job's message counts three things; each part agrees with its own number
    ("1 was spoken a little faster", not "1 were"), in English and in the reader's language."""
    from accessible_learning import jobs

    def described(placed: int, faster: int, extended: int) -> Job:
        return Job(kind="describe", key=f"describe:{placed}{faster}{extended}", payload={},
                   state="done", **jobs.say(
                       jobs.N_("Version %(version)d is published: %(placed)s, %(faster)s, "
                               "%(extended)s."), version=1,
                       placed=jobs.N_plural("%(num)d description fits the pauses",
                                            "%(num)d descriptions fit the pauses", placed),
                       faster=jobs.N_plural("%(num)d was spoken a little faster",
                                            "%(num)d were spoken a little faster", faster),
                       extended=jobs.N_plural("%(num)d pauses the video",
                                              "%(num)d pause the video", extended)))

    one, many = described(1, 1, 1), described(2, 0, 3)
    assert one.message == ("Version 1 is published: 1 description fits the pauses, 1 was "
                           "spoken a little faster, 1 pauses the video.")
    assert many.message == ("Version 1 is published: 2 descriptions fit the pauses, 0 were "
                            "spoken a little faster, 3 pause the video.")
    with app.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("en"):
            assert jobs.message_text(one) == one.message
            assert jobs.message_text(many) == many.message
        with force_locale("zh"):
            chinese = jobs.message_text(one)
        assert "1 was" not in chinese and "版本 1" in chinese, chinese


def test_a_job_left_running_by_a_dead_worker_is_requeued_and_completed(worker_app):
    """What a worker killed mid-task leaves behind: a running job with a stale heartbeat and no
    huey message. The next worker start (and a periodic check) picks it up again."""
    from datetime import timedelta

    from accessible_learning.models import utcnow

    app = worker_app
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        job = Job(kind="probe", key=f"probe:{lesson.media.sha256}",
                  payload={"media_id": lesson.media.id}, state="running", attempts=1,
                  heartbeat_at=utcnow() - timedelta(minutes=10))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        from accessible_learning import jobs

        assert jobs.requeue_stale() == [job_id]
    finished = wait_for_job(app, job_id)
    assert finished.state == "done"
    assert finished.attempts == 2


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (its decoding processes, an ffmpeg), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_killed_mid_captioning_leaves_no_process_no_scratch_and_one_version(
        demo_template, tmp_path):
    """A real worker recognises four minutes of speech with two decoding processes. Its
    heartbeat goes on during recognition, so a second worker that starts meanwhile does not
    take the job for lost; the progress moves while chunks decode. Then SIGKILL: its decoding
    processes and any ffmpeg end with it; the next worker to start removes its scratch folder
    and picks the job up (its heartbeat went stale); the job finishes once, with one version."""
    import io
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from accessible_learning import create_app
    from accessible_learning.models import CaptionTrack
    from conftest import SHARED_DATA, clone_instance, csrf_from

    config = clone_instance(demo_template, tmp_path / "instance", copy_media=True)
    app = create_app(config)
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "JOB_STALE_SECONDS": "2",
           "RECOGNITION_JOBS": "2"}
    scratch = Path(os.environ["INSTANCE_PATH"]) / "scratch"
    long_wav = tmp_path / "long.wav"
    speech = SHARED_DATA / "speech" / "ko" / "long" / "dev_concat.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(speech), "-i", str(speech),
                    "-filter_complex", "[0][1]concat=n=2:v=0:a=1", str(long_wav)], check=True)

    def start_worker():
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "huey_consumer"), "accessible_learning.worker.huey",
             "--workers", "1", "--delay", "0.1", "--max-delay", "0.5"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def job_now():
        with app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge(job)
            return job

    workers = [start_worker()]
    try:
        client = app.test_client()
        login(client, "content")
        token = csrf_from(client, "/studio/lessons/1")
        response = client.post("/studio/lessons/1/media", data={
            "csrf_token": token, "script": "", "media": (io.BytesIO(long_wav.read_bytes()),
                                                         "long.wav")},
            content_type="multipart/form-data")
        assert response.status_code == 302
        with app.app_context():
            job_id = db.session.scalar(select(func.max(Job.id)))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # wait until it is recognising speech
            job = job_now()
            if job.state == "running" and job.message == "Recognising speech.":
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the job never started recognising: {job_now().message}")
        first = workers[0]
        own_scratch = scratch / f"{socket.gethostname()}-{first.pid}"
        assert own_scratch.is_dir() and list(own_scratch.iterdir())  # the extracted sound

        # A second worker starts (and sweeps) while the job runs: three times the stale time
        # later, the job is still the first worker's, on its first attempt.
        workers.append(start_worker())
        # (The decoding processes load the model first: on a machine whose disk cache is cold
        # that took more than those 6 s once, so the progress is waited for up to 40 s.)
        seen = set()
        began = time.monotonic()
        while time.monotonic() < began + 40:
            job = job_now()
            assert (job.state, job.attempts) == ("running", 1), (job.state, job.message)
            seen.add(job.progress)
            if time.monotonic() > began + 6 and any(0.10 < p < 0.90 for p in seen):
                break
            time.sleep(0.2)
        assert any(0.10 < p < 0.90 for p in seen), seen  # the progress moved while decoding
        assert own_scratch.is_dir()  # a live worker's folder is kept

        children = _descendants(first.pid)
        assert len(children) >= 2, children  # the decoding processes
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if _running(pid)], "orphans of the killed worker"
        assert job_now().state == "running"  # left behind by the kill
        time.sleep(2.5)  # the heartbeat goes stale
        workers.append(start_worker())  # re-queues stale jobs as it starts
        finished = wait_for_job(app, job_id, timeout=300)
        assert finished.state == "done", finished.message
        assert finished.attempts == 2
        assert not own_scratch.exists()  # swept by the worker that started after the kill
        with app.app_context():
            tracks = db.session.scalars(select(CaptionTrack).where(
                CaptionTrack.lesson_id == 1, CaptionTrack.source == "auto")).all()
            assert len(tracks) == 1  # exactly one new version
        media_root = Path(config["MEDIA_ROOT"])
        assert not [p for p in media_root.rglob("*") if p.name.endswith(".tmp")]
        assert not list((media_root / ".incoming").iterdir())
        for worker in workers[1:]:  # the live workers' folders hold nothing left over
            folder = scratch / f"{socket.gethostname()}-{worker.pid}"
            assert folder.is_dir() and not list(folder.iterdir()), folder
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_transient_fault_is_retried_with_growing_delays_then_fails_clearly(app, monkeypatch):
    """An OSError inside the job (injected: a fault the test cannot cause otherwise)."""
    from datetime import timedelta

    from accessible_learning import jobs
    from accessible_learning.jobs.queue import huey

    def broken_probe(*_args, **_kwargs):
        raise OSError("disk went away")

    monkeypatch.setattr(jobs.runners, "probe", broken_probe)
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        job = Job(kind="probe", key="probe:test", payload={"media_id": lesson.media.id})
        db.session.add(job)
        db.session.commit()
        jobs.run(job.id)
        assert job.state == "queued" and job.attempts == 1
        assert "tried again in 10 seconds (attempt 1 of 3)" in job.message
        jobs.run(job.id)
        assert "tried again in 20 seconds (attempt 2 of 3)" in job.message
        retries = [m for m in huey.pending() if m.args == (job.id,) and m.eta is not None]
        assert len(retries) == 2  # scheduled for later, not run at once
        assert retries[1].eta - retries[0].eta > timedelta(seconds=5)
        jobs.run(job.id)
        assert job.state == "failed" and job.attempts == 3
        assert "failed 3 times" in job.message and "nothing was saved" in job.message
    huey.flush()  # these retries belong to this test's database only


def test_the_latest_job_of_a_lesson_is_found_among_other_lessons_jobs(app):
    from accessible_learning import jobs

    with app.app_context():
        first, second = db.session.scalars(select(Lesson).order_by(Lesson.id).limit(2)).all()
        made = {}
        for n, (lesson, kind) in enumerate([(first, "caption"), (second, "caption"),
                                            (first, "caption"), (second, "describe"),
                                            (first, "suggest")]):
            job = Job(kind=kind, key=f"test:{n}", payload={"lesson_id": lesson.id},
                      state="done")
            db.session.add(job)
            db.session.flush()
            made[n] = job.id
        db.session.commit()
        found = {(lesson.id, kind): getattr(jobs.latest_for_lesson(lesson, kind), "id", None)
                 for lesson in (first, second) for kind in ("caption", "describe", "suggest")}
    assert found == {(first.id, "caption"): made[2], (second.id, "caption"): made[1],
                     (first.id, "describe"): None, (second.id, "describe"): made[3],
                     (first.id, "suggest"): made[4], (second.id, "suggest"): None}


def test_a_probe_queued_after_long_jobs_is_taken_first(app):
    """A worker takes the waiting job of the highest priority first: a probe before lesson
    captions, and a learner's practical video after them (huey's SQLite queue orders by
    priority, then by age)."""
    from accessible_learning.jobs import records
    from accessible_learning.jobs.queue import huey

    huey.flush()
    with app.app_context():
        made = []
        for kind in ("caption-submission", "caption", "probe"):  # oldest first
            job = Job(kind=kind, key=f"{kind}:priority-test", payload={})
            db.session.add(job)
            db.session.commit()
            records.put(job)
            made.append((kind, job.id))
        taken = [huey.dequeue().args[0] for _ in made]
    huey.flush()
    by_id = {job_id: kind for kind, job_id in made}
    assert [by_id[job_id] for job_id in taken] == ["probe", "caption", "caption-submission"]


def test_a_probe_does_not_wait_for_a_long_recognition(demo_template, tmp_path):
    """A worker with two threads, as make run starts it: while one recognises four minutes of
    speech, a probe asked for afterwards is done by the other; a second caption job waits
    for the first instead of running beside it."""
    import os
    import subprocess
    import sys
    import time

    from accessible_learning import create_app, jobs
    from accessible_learning.models import MediaAsset
    from accessible_learning.services import media
    from conftest import SHARED_DATA, clone_instance

    config = clone_instance(demo_template, tmp_path / "instance", copy_media=True)
    app = create_app(config)
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "RECOGNITION_JOBS": "2"}
    long_wav = tmp_path / "long.wav"
    speech = SHARED_DATA / "speech" / "ko" / "long" / "dev_concat.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(speech), "-i", str(speech),
                    "-filter_complex", "[0][1]concat=n=2:v=0:a=1", str(long_wav)], check=True)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "huey_consumer"), "accessible_learning.worker.huey",
         "--workers", "2", "--delay", "0.1", "--max-delay", "0.5"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with app.app_context():
            first, second = db.session.scalars(select(Lesson).order_by(Lesson.id).limit(2))
            asset = media.store_file(long_wav, "wav", original_name="long.wav")
            db.session.flush()
            first.new_media, second.new_media = asset, asset
            first.script = ""
            second.script = "다른 대본"  # another key: a second caption job of its own
            db.session.commit()
            long_id = jobs.enqueue_caption(first).id
            other_id = jobs.enqueue_caption(second).id
        # Both were queued together: either may be the one a thread takes first.
        deadline = time.monotonic() + 90
        recognising = None
        while recognising is None and time.monotonic() < deadline:
            with app.app_context():
                recognising = next((job_id for job_id in (long_id, other_id)
                                    if db.session.get(Job, job_id).message
                                    == "Recognising speech."), None)
            time.sleep(0.2)
        if recognising is None:
            raise AssertionError("no caption job started recognising")
        if recognising == other_id:
            long_id, other_id = other_id, long_id
        with app.app_context():
            probe_id = jobs.enqueue_probe(db.session.scalar(
                select(MediaAsset).order_by(MediaAsset.id))).id
        probed = wait_for_job(app, probe_id, timeout=30)
        assert probed.state == "done", probed.message
        with app.app_context():
            running = db.session.get(Job, long_id)
            waiting = db.session.get(Job, other_id)
            assert running.state == "running"  # the probe did not wait for it
            # Nor did the other caption job run beside it: it is still waiting.
            assert (waiting.state, waiting.attempts) == ("queued", 0), waiting.message
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still recognising: do not hide why the test failed
            worker.kill()
            worker.wait()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
