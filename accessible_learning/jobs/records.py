"""Job records: the ``jobs`` table is the source of truth, huey only carries job ids.

Owns each kind's key (the same work has the same key, so it never runs twice at once and a
finished result is reused), queueing a job (a row, then its id on the queue), finding a lesson's
or a submission's latest job, claiming a job for one worker, the heartbeat written with every
change of state and on a timer while the job runs, and re-queueing jobs whose worker
stopped. It must not run a job (``runners``
does) nor know how huey is set up (``queue`` does).
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import CaptionTrack, DescriptionTrack, Job, Lesson, MediaAsset, Submission, utcnow
from ..services import captions
from . import queue
from .messages import N_, say

# Which waiting job a worker takes first: a probe (seconds) before anything, then the short
# jobs, then lesson captions (the content team waits for them to review), the smaller versions
# for slow links, and a learner's practical video last, so that a long recognition queued
# earlier never holds up a probe that is waiting.
PRIORITY = {"probe": 100, "live-replay": 60, "suggest": 50, "describe": 20, "caption": 0,
            "renditions": -5, "caption-submission": -10}


def put(job: Job, delay: float | None = None) -> None:
    """Put the job on the queue, with its kind's priority."""
    queue.put(job.id, delay=delay, priority=PRIORITY.get(job.kind, 0))


PIPELINE_VERSION = "3"  # part of the caption job key: a new pipeline makes new captions


def recent(limit: int = 20) -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def _enqueue(kind: str, key: str, payload: dict, *, reuse_done: bool) -> Job:
    """Queue the job for ``key``. The same key never runs twice at once; with ``reuse_done`` a
    finished job's result is reused instead of running it again."""
    job = db.session.scalar(select(Job).where(Job.key == key))
    if job is not None and job.state in {"queued", "running"}:
        return job  # already on its way: never run the same work twice
    if job is not None and reuse_done and job.state == "done":
        return job
    if job is None:
        job = Job(kind=kind, key=key, payload=payload)
        db.session.add(job)
    job.state, job.progress, job.message, job.result = "queued", 0.0, None, None
    job.message_i18n = None
    job.started_at = job.finished_at = job.heartbeat_at = None
    try:
        db.session.commit()
    except IntegrityError:
        # Another web process inserted the same key at the same moment: that job is the one.
        db.session.rollback()
        existing = db.session.scalar(select(Job).where(Job.key == key))
        if existing is None:
            raise
        return existing
    put(job)
    return job


def requeue_stale(now=None) -> list[int]:
    """Put back on the queue the running jobs whose worker stopped beating (killed, crashed).
    A running job's worker beats on a timer (``heartbeat``), every JOB_HEARTBEAT_SECONDS;
    JOB_STALE_SECONDS (default 120) is how long a silent one is given before it is considered
    lost, so a job whose worker is alive is never queued again."""
    cutoff = (now or utcnow()) - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    stale = db.session.scalars(
        select(Job).where(Job.state == "running", Job.heartbeat_at < cutoff)
    ).all()
    for job in stale:
        job.state = "queued"
        for name, value in say(N_("The worker stopped while running this job; it was queued "
                                  "again.")).items():
            setattr(job, name, value)
    db.session.commit()
    for job in stale:
        put(job)
    return [job.id for job in stale]


def enqueue_probe(asset: MediaAsset) -> Job:
    # A check is asked for because the file may have changed on disk: it always runs again.
    return _enqueue("probe", f"probe:{asset.sha256}", {"media_id": asset.id}, reuse_done=False)


RENDITIONS_VERSION = "1"  # part of the renditions job key: a new ladder makes new renditions


def enqueue_renditions(asset: MediaAsset) -> Job:
    """Make the smaller versions of a lesson's media (HLS renditions and audio only). The same
    file and ladder give the same job, so a finished one is reused."""
    return _enqueue("renditions", f"renditions:{asset.sha256}:v{RENDITIONS_VERSION}",
                    {"media_id": asset.id}, reuse_done=True)


def enqueue_live_replay(live_class) -> Job:
    """Make the replay lesson of a live class from its recordings (once for the same ones)."""
    recordings = hashlib.sha256((live_class.recording or "").encode()).hexdigest()[:16]
    return _enqueue("live-replay", f"live-replay:{live_class.id}:{recordings}",
                    {"live_class_id": live_class.id}, reuse_done=True)


def caption_key(lesson: Lesson) -> str:
    script = hashlib.sha256((lesson.script or "").strip().encode()).hexdigest()[:16]
    media = lesson.new_media or lesson.media
    return f"caption:{media.sha256}:{lesson.language}:{script}:v{PIPELINE_VERSION}"


def enqueue_caption(lesson: Lesson) -> Job:
    """Caption the lesson's new media waiting for its captions, else its media (aligned to its
    script when it has one). The same media, language, script and pipeline give the same job,
    so its result is reused."""
    media = lesson.new_media or lesson.media
    return _enqueue("caption", caption_key(lesson),
                    {"lesson_id": lesson.id, "media_id": media.id}, reuse_done=True)


def describe_key(track: DescriptionTrack) -> str:
    cues = hashlib.sha256(track.vtt.encode()).hexdigest()[:16]
    words = track.lesson.published_captions
    return (f"describe:{track.id}:{track.lesson.media.sha256}:{cues}:"
            f"{words.id if words else 0}:v{PIPELINE_VERSION}")


def enqueue_describe(track: DescriptionTrack) -> Job:
    """Make the described versions of a description track and publish it."""
    return _enqueue("describe", describe_key(track),
                    {"lesson_id": track.lesson_id, "track_id": track.id}, reuse_done=True)


def timed_track(lesson: Lesson) -> CaptionTrack | None:
    """The captions whose word timings tell where the speech is: the published ones in the
    language spoken, else the latest (a translation only has the timings of those)."""
    return captions.own_captions(lesson)


def enqueue_suggest(lesson: Lesson) -> Job:
    """Look for picture changes in pauses of the speech: moments to consider describing."""
    timed = timed_track(lesson)
    return _enqueue("suggest", f"suggest:{lesson.media.sha256}:{timed.id if timed else 0}:"
                               f"v{PIPELINE_VERSION}",
                    {"lesson_id": lesson.id, "media_id": lesson.media.id}, reuse_done=True)


def enqueue_submission_captions(submission: Submission) -> Job:
    """Caption a learner's practical-assignment video (free recognition: there is no script)."""
    return _enqueue("caption-submission",
                    f"caption-submission:{submission.id}:{submission.media.sha256}:"
                    f"v{PIPELINE_VERSION}",
                    {"submission_id": submission.id}, reuse_done=True)


def latest_for_submission(submission: Submission) -> Job | None:
    # The key starts with the submission's id (see enqueue_submission_captions).
    return db.session.scalar(
        select(Job).where(Job.key.startswith(f"caption-submission:{submission.id}:"))
        .order_by(Job.id.desc()).limit(1))


def latest_for_lesson(lesson: Lesson, kind: str = "caption") -> Job | None:
    # The database picks the lesson's job out of the payloads: a studio with thousands of
    # lessons does not read every job of the kind to find one.
    return db.session.scalar(
        select(Job).where(Job.kind == kind, Job.payload["lesson_id"].as_integer() == lesson.id)
        .order_by(Job.id.desc()).limit(1))


def beat(job: Job, **values) -> None:
    """Change the job, write its heartbeat and commit: a running job's every step."""
    for name, value in values.items():
        setattr(job, name, value)
    job.heartbeat_at = utcnow()
    db.session.commit()


@contextmanager
def heartbeat(job_id: int) -> Iterator[None]:
    """While the block runs, a thread of this worker writes the job's heartbeat on a timer (on
    a connection of its own), so that a long stage that reports no progress (decoding a long
    file) never looks like a lost worker to another worker's stale check."""
    app = current_app._get_current_object()
    every = min(app.config["JOB_HEARTBEAT_SECONDS"], app.config["JOB_STALE_SECONDS"] / 4)
    stop = threading.Event()

    def beat_on_a_timer() -> None:
        with app.app_context():
            while not stop.wait(every):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(Job).where(
                            Job.id == job_id, Job.state == "running").values(
                                heartbeat_at=utcnow()))
                except Exception:  # a locked database: the next beat tries again
                    app.logger.warning("job %s: heartbeat not written", job_id, exc_info=True)

    thread = threading.Thread(target=beat_on_a_timer, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def worker_name() -> str:
    """Which worker process runs a job: host and process id, kept in the job's result."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job_id: int) -> bool:
    """Claim the job in one statement: of two workers handed the same id (a job re-queued by
    both workers' stale check), only the one that moves it from "queued" runs it."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                **say(N_("Started.")))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)
