"""Running a job: what each kind does, and what happens when it fails.

Owns the runner of each kind (probe, caption, caption-submission, describe, suggest,
renditions, live-replay), each a thin wrapper that reads its rows, calls one pipeline of
``media_pipeline`` (or one service) and records the result, and ``run``: claim, dispatch, and
the retry policy (a media error fails at once with its own words; any other fault is tried again
with growing delays, then fails with a clear message).
It must not string pipeline stages together itself (the pipelines do that) nor set up the queue.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from pathlib import Path

from flask import current_app

from media_pipeline.captions import to_webvtt
from media_pipeline.errors import MediaError
from media_pipeline.pipeline import caption
from media_pipeline.probe import probe
from media_pipeline.suggest import suggest
from media_pipeline.words import Word

from ..extensions import db
from ..models import (
    CaptionTrack,
    DescriptionTrack,
    Job,
    Lesson,
    LiveClass,
    MediaAsset,
    Submission,
    utcnow,
)
from ..services import captions, descriptions, live_replay, renditions
from ..services.media import media_root
from .messages import N_, STAGE_MESSAGES, N_plural, say, storage_problem
from .records import (
    beat,
    claim,
    enqueue_caption,
    enqueue_renditions,
    heartbeat,
    put,
    timed_track,
    worker_name,
)

MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 10  # then 20: waits double between attempts
# The kinds that take minutes and every core (recognition, mixing): a worker process runs one
# of them at a time, so its other thread is free for probes and the short jobs.
LONG_KINDS = {"caption", "caption-submission", "describe", "renditions"}
LONG_BUSY_DELAY_S = 5  # a long job that finds the slot taken waits this long on the queue
_long_slot = threading.Lock()


def run(job_id: int) -> None:
    """Run the job if this worker claims it; a transient fault puts it back with a delay. A
    long job while another long job runs in this process goes back on the queue for a few
    seconds instead of taking a second thread's place."""
    waiting = db.session.get(Job, job_id)
    if waiting is None:
        return
    long_job = waiting.kind in LONG_KINDS
    if long_job and not _long_slot.acquire(blocking=False):
        if waiting.state == "queued":
            put(waiting, delay=LONG_BUSY_DELAY_S)
        db.session.rollback()
        return
    try:
        _run(job_id)
    finally:
        if long_job:
            _long_slot.release()


def _run(job_id: int) -> None:
    if not claim(job_id):
        return
    job = db.session.get(Job, job_id)
    try:
        runner = RUNNERS.get(job.kind)
        if runner is None:
            raise MediaError(f"Unknown job kind {job.kind!r}.")
        with heartbeat(job_id):
            runner(job)
    except MediaError as exc:
        db.session.rollback()  # nothing the job had added (a media row, a track) is kept
        job = db.session.get(Job, job_id)
        beat(job, state="failed", message=str(exc), message_i18n=None, finished_at=utcnow())
    except Exception as exc:
        # A transient fault (a locked database, a full disk, a crashed subprocess): try again
        # later, waiting longer each time, and give up with a clear message after MAX_ATTEMPTS.
        db.session.rollback()
        current_app.logger.exception("job %s failed (attempt %s)", job.id, job.attempts)
        cause = storage_problem(exc)
        if job.attempts < MAX_ATTEMPTS:
            delay = RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
            beat(job, state="queued", **say(
                N_("%(cause)s; it will be tried again in %(delay)d seconds (attempt "
                   "%(attempt)d of %(attempts)d)."),
                cause=cause or N_("A temporary problem stopped the job"), delay=delay,
                attempt=job.attempts, attempts=MAX_ATTEMPTS))
            put(job, delay=delay)
        elif cause:
            beat(job, state="failed", finished_at=utcnow(), **say(
                N_("%(cause)s, so the job stopped after %(attempts)d attempts. Earlier captions "
                   "and media are unchanged. Free some space or fix the folder's permissions "
                   "(or ask an administrator), then run the job again."),
                cause=cause, attempts=MAX_ATTEMPTS))
        else:
            beat(job, state="failed", finished_at=utcnow(), **say(
                N_("The job failed %(attempts)d times because of an internal error, so nothing "
                   "was saved from it. Ask an administrator to look at the worker's log."),
                attempts=MAX_ATTEMPTS))


def _done(job: Job, **values) -> None:
    """The job is done, with the worker that ran it in its result, in one commit: anyone who
    sees it done sees who ran it (two commits let a reader see "done" without the worker)."""
    result = {**(values.pop("result", None) or job.result or {}), "worker": worker_name()}
    beat(job, state="done", progress=1.0, finished_at=utcnow(), result=result, **values)


def _run_probe(job: Job) -> None:
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if asset is None:
        raise MediaError("The media file of this job no longer exists.")
    beat(job, progress=0.5, **say(STAGE_MESSAGES["probe"]))
    info = probe(Path(media_root()) / asset.filename)
    asset.duration_s = info.duration_s
    if renditions.for_media(asset) is None and renditions.is_lesson_media(asset):
        enqueue_renditions(asset)  # then the smaller versions for slow links (queued first:
        # a probe seen done has queued them)
    _done(job, result={"duration_s": info.duration_s, "has_video": info.has_video},
          **say(N_("The media file is readable: %(seconds).1f seconds long."),
                seconds=info.duration_s))


def _run_renditions(job: Job) -> None:
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if asset is None:
        raise MediaError("The media file of this job no longer exists.")
    stages = {"probe": 0.05, "encode": 0.1}
    made = renditions.make(asset, progress=lambda stage: beat(
        job, progress=stages.get(stage, job.progress),
        **say(STAGE_MESSAGES[f"renditions-{stage}"])))
    db.session.flush()
    job.result = {"rendition_set_id": made.id,
                  "variants": [v["name"] for v in made.variants],
                  "bytes": made.total_bytes}
    names = ", ".join(v["name"] for v in made.variants)
    if made.variants and made.audio_bytes:
        _done(job, **say(N_("Smaller versions ready: %(names)s and audio only, %(mb).1f MB in "
                            "all."), names=names, mb=made.total_bytes / 1e6))
    elif made.variants:
        _done(job, **say(N_("Smaller versions ready: %(names)s (the media has no sound), "
                            "%(mb).1f MB in all."), names=names, mb=made.total_bytes / 1e6))
    else:
        _done(job, **say(N_("The media has no picture, so only an audio version was made: "
                            "%(mb).1f MB."), mb=made.total_bytes / 1e6))


def _caption_progress(job: Job):
    """The captioning pipeline's progress callback: the job's stage and fraction, written at
    most once a second unless the stage changes."""
    last = {"stage": None, "at": 0.0}

    def progress(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - last["at"] > 1.0:
            beat(job, progress=round(min(fraction, 0.99), 3),
                 **say(STAGE_MESSAGES.get(stage, stage)))
            last.update(stage=stage, at=now)

    return progress


def _caption(job: Job, media: MediaAsset, language: str, script: str | None = None):
    return caption(Path(media_root()) / media.filename, language, script=script,
                   jobs=current_app.config.get("RECOGNITION_JOBS"),
                   configured_models=current_app.config.get("VOSK_MODELS"),
                   progress=_caption_progress(job))


def _run_caption(job: Job) -> None:
    lesson = db.session.get(Lesson, job.payload["lesson_id"])
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if lesson is None or asset is None:
        raise MediaError("The lesson or its media file no longer exists.")
    existing = (job.result or {}).get("track_id")
    if existing and db.session.get(CaptionTrack, existing) is not None:
        _done(job)  # rerun: reuse the result
        return
    result = _caption(job, asset, lesson.language, lesson.script)
    track = captions.add_track(
        lesson, result.cues, source="aligned" if result.aligned else "auto", publish=False,
        words=[w.as_dict() for w in result.words],
        report=[asdict(r) for r in result.report], media_id=asset.id,
    )
    db.session.flush()
    job.result = {"track_id": track.id, "version": track.version, "summary": result.summary(),
                  "missing_words": result.missing_words, "unscripted": result.unscripted}
    _done(job, **say(N_("Captions ready as version %(version)d: %(cues)d cues, %(check)d to "
                        "check."), version=track.version, cues=len(result.cues),
                     check=len(captions.open_cues(track))))


def _run_submission_captions(job: Job) -> None:
    submission = db.session.get(Submission, job.payload["submission_id"])
    if submission is None:
        raise MediaError("The submission no longer exists.")
    if submission.captions_vtt:
        _done(job)  # rerun: reuse the result
        return
    result = _caption(job, submission.media, submission.course.language)
    submission.captions_vtt = to_webvtt(result.cues, submission.course.language)
    job.result = {"submission_id": submission.id, "cues": len(result.cues)}
    _done(job, **say(N_("Captions ready: %(cues)d cues."), cues=len(result.cues)))


def _run_describe(job: Job) -> None:
    track = db.session.get(DescriptionTrack, job.payload["track_id"])
    if track is None or track.lesson.media is None:
        raise MediaError("The description version or the lesson's media no longer exists.")
    if track.placed_vtt and track.mixed_media_id:
        _done(job)  # rerun: reuse the result
        return
    lesson = track.lesson
    stages = ["probe", "gaps", "synthesise", "mix"]

    def progress(stage: str) -> None:
        beat(job, progress=round(stages.index(stage) / len(stages), 3) if stage in stages
             else job.progress, **say(STAGE_MESSAGES.get(stage, stage)))

    result = descriptions.make_described(track, _lesson_words(lesson), progress=progress)
    db.session.flush()
    counts = {kind: sum(1 for p in result.placements if p.kind == kind)
              for kind in ("placed", "sped-up", "extended")}
    job.result = {"track_id": track.id, "version": track.version, "summary": result.summary(),
                  "report": result.report()}
    values = {"version": track.version,
              "placed": N_plural("%(num)d description fits the pauses",
                                 "%(num)d descriptions fit the pauses", counts["placed"]),
              "faster": N_plural("%(num)d was spoken a little faster",
                                 "%(num)d were spoken a little faster", counts["sped-up"]),
              "extended": N_plural("%(num)d pauses the video", "%(num)d pause the video",
                                   counts["extended"])}
    if counts["extended"]:
        # Those are not in the described audio: say so, and what learners get instead.
        _done(job, **say(N_("Version %(version)d is published: %(placed)s, %(faster)s, "
                            "%(extended)s. The described audio lacks those %(lacking)d of the "
                            "%(total)d descriptions, so learners who chose it get the extended "
                            "version."), lacking=counts["extended"],
                         total=len(result.placements), **values))
    else:
        _done(job, **say(N_("Version %(version)d is published: %(placed)s, %(faster)s, "
                            "%(extended)s."), **values))


def _lesson_words(lesson: Lesson) -> list[Word] | None:
    timed = timed_track(lesson)
    if timed is None or not timed.words:
        return None  # the pipeline recognises the speech itself
    return [Word(w["word"], w["start"], w["end"], w.get("conf", 1.0)) for w in timed.words]


_SUGGEST_PROGRESS = {"probe": 0.1, "gaps": 0.3, "scenes": 0.6}


def _run_suggest(job: Job) -> None:
    lesson = db.session.get(Lesson, job.payload["lesson_id"])
    asset = db.session.get(MediaAsset, job.payload["media_id"])
    if lesson is None or asset is None:
        raise MediaError("The lesson or its media file no longer exists.")
    found = suggest(Path(media_root()) / asset.filename, lesson.language,
                    words=_lesson_words(lesson),
                    configured_models=current_app.config.get("VOSK_MODELS"),
                    progress=lambda stage: beat(job, progress=_SUGGEST_PROGRESS[stage],
                                                **say(STAGE_MESSAGES[stage])))
    job.result = {"suggestions": found.moments, "changes": found.changes}
    if not found.has_video:
        _done(job, **say(N_("The media has no picture, so there are no picture changes to "
                            "describe.")))
        return
    _done(job, **say(N_("%(moments)d moments found where the picture changes while nothing is "
                        "said (%(changes)d changes of picture in all)."),
                     moments=len(found.moments), changes=found.changes))


def _run_live_replay(job: Job) -> None:
    live_class = db.session.get(LiveClass, job.payload["live_class_id"])
    if live_class is None:
        raise MediaError("The live class of this job no longer exists.")
    live_replay.make_replay(live_class)
    lesson = live_class.replay_lesson
    if renditions.for_media(lesson.media) is None:
        enqueue_renditions(lesson.media)
    enqueue_caption(lesson)  # captioned by the batch pipeline, for review like any upload
    _done(job, result={"lesson_id": live_class.replay_lesson_id}, **say(
        N_("The replay lesson “%(title)s” is made as a draft; its captions are being made."),
        title=live_class.replay_lesson.title))


RUNNERS = {"probe": _run_probe, "caption": _run_caption, "describe": _run_describe,
           "suggest": _run_suggest, "caption-submission": _run_submission_captions,
           "renditions": _run_renditions, "live-replay": _run_live_replay}
