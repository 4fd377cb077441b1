"""Background jobs: the ``jobs`` table is the source of truth, huey only carries job ids."""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import tempfile
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from media_pipeline.captions import to_webvtt
from media_pipeline.errors import MediaError
from media_pipeline.extract import extract_pcm
from media_pipeline.gaps import find_gaps
from media_pipeline.pipeline import caption
from media_pipeline.probe import probe
from media_pipeline.recognise import recognise
from media_pipeline.scenes import scene_changes, suggestions
from media_pipeline.speech_models import find_model
from media_pipeline.words import Word, rejoin

from ..extensions import db
from ..models import (
    CaptionTrack,
    DescriptionTrack,
    Job,
    Lesson,
    MediaAsset,
    Submission,
    utcnow,
)
from . import captions, descriptions
from .media import media_root

MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 10  # then 20: waits double between attempts
PIPELINE_VERSION = "3"  # part of the caption job key: a new pipeline makes new captions


def N_(text: str) -> str:
    """Marks a job message for the translation catalogue (pybabel extracts ``N_``)."""
    return text


STAGE_MESSAGES = {
    "probe": N_("Reading the media file."),
    "extract": N_("Extracting the sound."),
    "recognise": N_("Recognising speech."),
    "segment": N_("Making caption cues."),
    "write": N_("Writing the captions."),
    "gaps": N_("Finding the pauses in the speech."),
    "synthesise": N_("Speaking the descriptions."),
    "mix": N_("Mixing the described versions."),
}


def _say(msgid: str, **args) -> dict:
    """A job's message: ``message`` in English (logs, the command line), and ``message_i18n``,
    the catalogue's words and their values, shown in each reader's language by
    ``message_text``."""
    return {"message": msgid % args if args else msgid,
            "message_i18n": {"id": msgid, "args": args}}


def message_text(job: Job) -> str:
    """The job's message in the reader's language. Messages without catalogue words (a media
    error's own explanation) are shown as they are."""
    from flask_babel import gettext

    key = job.message_i18n
    if not key or not job.message:
        return job.message or ""
    args = {name: gettext(value) if isinstance(value, str) else value  # e.g. a cause's words
            for name, value in (key.get("args") or {}).items()}
    try:
        return gettext(key["id"], **args)
    except (KeyError, TypeError, ValueError):  # a translation that does not fit its values
        return job.message


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
    from ..tasks import enqueue

    enqueue(job.id)
    return job


def requeue_stale(now=None) -> list[int]:
    """Put back on the queue the running jobs whose worker stopped beating (killed, crashed).
    Running jobs beat at least every few seconds; JOB_STALE_SECONDS (default 120) is how long
    a silent one is given before it is considered lost."""
    cutoff = (now or utcnow()) - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    stale = db.session.scalars(
        select(Job).where(Job.state == "running", Job.heartbeat_at < cutoff)
    ).all()
    from ..tasks import run_job

    for job in stale:
        job.state = "queued"
        for name, value in _say(N_("The worker stopped while running this job; it was queued "
                                   "again.")).items():
            setattr(job, name, value)
    db.session.commit()
    for job in stale:
        run_job(job.id)
    return [job.id for job in stale]


def enqueue_probe(asset: MediaAsset) -> Job:
    # A check is asked for because the file may have changed on disk: it always runs again.
    return _enqueue("probe", f"probe:{asset.sha256}", {"media_id": asset.id}, reuse_done=False)


def caption_key(lesson: Lesson) -> str:
    script = hashlib.sha256((lesson.script or "").strip().encode()).hexdigest()[:16]
    return f"caption:{lesson.media.sha256}:{lesson.language}:{script}:v{PIPELINE_VERSION}"


def enqueue_caption(lesson: Lesson) -> Job:
    """Caption the lesson's media (aligned to its script when it has one). The same media,
    language, script and pipeline give the same job, so its result is reused."""
    return _enqueue("caption", caption_key(lesson),
                    {"lesson_id": lesson.id, "media_id": lesson.media.id}, reuse_done=True)


def describe_key(track: DescriptionTrack) -> str:
    cues = hashlib.sha256(track.vtt.encode()).hexdigest()[:16]
    words = track.lesson.published_captions
    return (f"describe:{track.id}:{track.lesson.media.sha256}:{cues}:"
            f"{words.id if words else 0}:v{PIPELINE_VERSION}")


def enqueue_describe(track: DescriptionTrack) -> Job:
    """Make the described versions of a description track and publish it."""
    return _enqueue("describe", describe_key(track),
                    {"lesson_id": track.lesson_id, "track_id": track.id}, reuse_done=True)


def enqueue_suggest(lesson: Lesson) -> Job:
    """Look for picture changes in pauses of the speech: moments to consider describing."""
    timed = _timed_track(lesson)
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


def _set(job: Job, **values) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    job.heartbeat_at = utcnow()
    db.session.commit()


def _storage_problem(exc: BaseException) -> str | None:
    """A disk or folder fault in words, or None for any other error."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return N_("The server's disk is full")
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            return N_("The media or temporary folder cannot be written")
    return None


def worker_name() -> str:
    """Which worker process runs a job: host and process id, kept in the job's result."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run(job_id: int) -> None:
    # Claim the job in one statement: of two workers handed the same id (a job re-queued by
    # both workers' stale check), only the one that moves it from "queued" runs it.
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                **_say(N_("Started.")))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return
    job = db.session.get(Job, job_id)
    try:
        if job.kind == "probe":
            _run_probe(job)
        elif job.kind == "caption":
            _run_caption(job)
        elif job.kind == "describe":
            _run_describe(job)
        elif job.kind == "suggest":
            _run_suggest(job)
        elif job.kind == "caption-submission":
            _run_submission_captions(job)
        else:
            raise MediaError(f"Unknown job kind {job.kind!r}.")
        if job.state == "done":
            job.result = {**(job.result or {}), "worker": worker_name()}
            db.session.commit()
    except MediaError as exc:
        db.session.rollback()  # nothing the job had added (a media row, a track) is kept
        job = db.session.get(Job, job_id)
        _set(job, state="failed", message=str(exc), message_i18n=None, finished_at=utcnow())
    except Exception as exc:
        # A transient fault (a locked database, a full disk, a crashed subprocess): try again
        # later, waiting longer each time, and give up with a clear message after MAX_ATTEMPTS.
        db.session.rollback()
        current_app.logger.exception("job %s failed (attempt %s)", job.id, job.attempts)
        cause = _storage_problem(exc)
        if job.attempts < MAX_ATTEMPTS:
            delay = RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
            _set(job, state="queued", **_say(
                N_("%(cause)s; it will be tried again in %(delay)d seconds (attempt "
                   "%(attempt)d of %(attempts)d)."),
                cause=cause or N_("A temporary problem stopped the job"), delay=delay,
                attempt=job.attempts, attempts=MAX_ATTEMPTS))
            from ..tasks import enqueue

            enqueue(job.id, delay=delay)
        elif cause:
            _set(job, state="failed", finished_at=utcnow(), **_say(
                N_("%(cause)s, so the job stopped after %(attempts)d attempts. Earlier captions "
                   "and media are unchanged. Free some space or fix the folder's permissions "
                   "(or ask an administrator), then run the job again."),
                cause=cause, attempts=MAX_ATTEMPTS))
        else:
            _set(job, state="failed", finished_at=utcnow(), **_say(
                N_("The job failed %(attempts)d times because of an internal error, so nothing "
                   "was saved from it. Ask an administrator to look at the worker's log."),
                attempts=MAX_ATTEMPTS))


def _run_probe(job: Job) -> None:
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if asset is None:
        raise MediaError("The media file of this job no longer exists.")
    _set(job, progress=0.5, **_say(N_("Reading the media file.")))
    info = probe(Path(media_root()) / asset.filename)
    asset.duration_s = info.duration_s
    _set(job, state="done", progress=1.0, finished_at=utcnow(),
         result={"duration_s": info.duration_s, "has_video": info.has_video},
         **_say(N_("The media file is readable: %(seconds).1f seconds long."),
                seconds=info.duration_s))


def _caption_progress(job: Job):
    """The captioning pipeline's progress callback: the job's stage and fraction, written at
    most once a second unless the stage changes."""
    last = {"stage": None, "at": 0.0}

    def progress(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - last["at"] > 1.0:
            _set(job, progress=round(min(fraction, 0.99), 3),
                 **_say(STAGE_MESSAGES.get(stage, stage)))
            last.update(stage=stage, at=now)

    return progress


def _run_caption(job: Job) -> None:
    lesson = db.session.get(Lesson, job.payload["lesson_id"])
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if lesson is None or asset is None:
        raise MediaError("The lesson or its media file no longer exists.")
    existing = (job.result or {}).get("track_id")
    if existing and db.session.get(CaptionTrack, existing) is not None:
        _set(job, state="done", progress=1.0, finished_at=utcnow())  # rerun: reuse the result
        return
    progress = _caption_progress(job)
    result = caption(Path(media_root()) / asset.filename, lesson.language, script=lesson.script,
                     jobs=current_app.config.get("RECOGNITION_JOBS"),
                     configured_models=current_app.config.get("VOSK_MODELS"), progress=progress)
    track = captions.add_track(
        lesson, result.cues, source="aligned" if result.aligned else "auto", publish=False,
        words=[w.as_dict() for w in result.words],
        report=[asdict(r) for r in result.report],
    )
    db.session.flush()
    job.result = {"track_id": track.id, "version": track.version, "summary": result.summary(),
                  "missing_words": result.missing_words, "unscripted": result.unscripted}
    _set(job, state="done", progress=1.0, finished_at=utcnow(),
         **_say(N_("Captions ready as version %(version)d: %(cues)d cues, %(check)d to "
                   "check."), version=track.version, cues=len(result.cues),
                check=len(result.report)))


def _run_submission_captions(job: Job) -> None:
    submission = db.session.get(Submission, job.payload["submission_id"])
    if submission is None:
        raise MediaError("The submission no longer exists.")
    if submission.captions_vtt:
        _set(job, state="done", progress=1.0, finished_at=utcnow())  # rerun: reuse the result
        return
    progress = _caption_progress(job)
    result = caption(Path(media_root()) / submission.media.filename, submission.course.language,
                     jobs=current_app.config.get("RECOGNITION_JOBS"),
                     configured_models=current_app.config.get("VOSK_MODELS"), progress=progress)
    submission.captions_vtt = to_webvtt(result.cues)
    job.result = {"submission_id": submission.id, "cues": len(result.cues)}
    _set(job, state="done", progress=1.0, finished_at=utcnow(),
         **_say(N_("Captions ready: %(cues)d cues."), cues=len(result.cues)))


def _run_describe(job: Job) -> None:
    track = db.session.get(DescriptionTrack, job.payload["track_id"])
    if track is None or track.lesson.media is None:
        raise MediaError("The description version or the lesson's media no longer exists.")
    if track.placed_vtt and track.mixed_media_id:
        _set(job, state="done", progress=1.0, finished_at=utcnow())  # rerun: reuse the result
        return
    lesson = track.lesson
    stages = ["probe", "gaps", "synthesise", "mix"]

    def progress(stage: str) -> None:
        _set(job, progress=round(stages.index(stage) / len(stages), 3) if stage in stages
             else job.progress, **_say(STAGE_MESSAGES.get(stage, stage)))

    result = descriptions.make_described(track, _lesson_words(lesson), progress=progress)
    db.session.flush()
    counts = {kind: sum(1 for p in result.placements if p.kind == kind)
              for kind in ("placed", "sped-up", "extended")}
    job.result = {"track_id": track.id, "version": track.version, "summary": result.summary(),
                  "report": result.report()}
    _set(job, state="done", progress=1.0, finished_at=utcnow(),
         **_say(N_("Version %(version)d is published: %(placed)d descriptions fit the "
                   "pauses, %(faster)d were spoken a little faster, %(extended)d pause the "
                   "video."), version=track.version, placed=counts["placed"],
                faster=counts["sped-up"], extended=counts["extended"]))


def _timed_track(lesson: Lesson) -> CaptionTrack | None:
    """The captions whose word timings tell where the speech is: the published ones, else the
    latest."""
    return lesson.published_captions or (lesson.caption_tracks[-1] if lesson.caption_tracks
                                         else None)


def _lesson_words(lesson: Lesson) -> list[Word] | None:
    timed = _timed_track(lesson)
    if timed is None or not timed.words:
        return None  # the pipeline recognises the speech itself
    return [Word(w["word"], w["start"], w["end"], w.get("conf", 1.0)) for w in timed.words]


def _run_suggest(job: Job) -> None:
    lesson = db.session.get(Lesson, job.payload["lesson_id"])
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if lesson is None or asset is None:
        raise MediaError("The lesson or its media file no longer exists.")
    source = Path(media_root()) / asset.filename
    _set(job, progress=0.1, **_say(N_("Reading the media file.")))
    info = probe(source)
    if not info.has_video:
        job.result = {"suggestions": [], "changes": 0}
        _set(job, state="done", progress=1.0, finished_at=utcnow(),
             **_say(N_("The media has no picture, so there are no picture changes to "
                       "describe.")))
        return
    _set(job, progress=0.3, **_say(N_("Finding the pauses in the speech.")))
    with tempfile.TemporaryDirectory(prefix="suggest-") as tmp:
        wav = extract_pcm(source, Path(tmp) / "audio.wav", duration_s=info.duration_s)
        words = _lesson_words(lesson)
        if words is None:
            words = rejoin(recognise(wav, find_model(lesson.language, current_app.config.get(
                "VOSK_MODELS")).path), lesson.language)
        gaps = find_gaps(wav, words, info.duration_s)
    _set(job, progress=0.6, **_say(N_("Looking for changes of picture.")))
    changes = scene_changes(source)
    moments = suggestions(changes, gaps)
    job.result = {"suggestions": moments, "changes": len(changes)}
    _set(job, state="done", progress=1.0, finished_at=utcnow(),
         **_say(N_("%(moments)d moments found where the picture changes while nothing is "
                   "said (%(changes)d changes of picture in all)."), moments=len(moments),
                changes=len(changes)))
