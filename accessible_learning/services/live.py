"""Live classes (issue 28): scheduling them, the ingest's questions (may this stream key
publish now? the stream ended; its recording is ready), the closed live captions and the
teacher's corrections, learners' questions, attendance, upcoming classes for the catalogue and
"My learning", and the calendar file.

Each change commits when it succeeds (the project's transaction rule). It must not decide who
may see a class (``access`` does), run processes (``accessible_learning.live`` does) nor touch
the request.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from media_pipeline.captions import Cue, to_webvtt

from .. import jobs
from ..extensions import db
from ..live import nginx as ingest
from ..live.bus import bus_for
from ..models import (
    Course,
    Enrolment,
    LiveAttendance,
    LiveCaption,
    LiveClass,
    LiveQuestion,
    utcnow,
)

# A teacher may start streaming this long before the class's time, and until this long after its
# planned end (a class that runs over, or a stream started again after a dropped connection).
EARLY = timedelta(minutes=30)
LATE = timedelta(minutes=60)


def live_root() -> Path:
    root = Path(current_app.config["LIVE_ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def hls_folder(live_class: LiveClass) -> Path:
    """Where the ingest writes the class's HLS stream (``hls_nested``: one folder a key)."""
    return live_root() / "hls" / live_class.stream_key


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored (UTC) time in the training centre's time zone, without its zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def from_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time in the training centre's time zone as stored (UTC)."""
    return moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def state_of(live_class_id: int) -> str | None:
    """The class's state as stored now (for a long response that outlives its session)."""
    state = db.session.scalar(select(LiveClass.state).where(LiveClass.id == live_class_id))
    db.session.rollback()  # no transaction stays open while the response goes on
    return state


def ingest_problem() -> str | None:
    """Why this machine cannot take live streams (nginx or its RTMP module missing)."""
    return ingest.available()


def new_key() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class ClassDetails:
    title: str
    starts_at: datetime  # UTC
    minutes: int
    language: str


def schedule(course: Course, details: ClassDetails) -> LiveClass:
    live_class = LiveClass(course=course, title=details.title.strip(),
                           starts_at=details.starts_at, minutes=details.minutes,
                           language=details.language, stream_key=new_key())
    db.session.add(live_class)
    db.session.commit()
    return live_class


def update(live_class: LiveClass, details: ClassDetails) -> None:
    live_class.title = details.title.strip()
    live_class.starts_at, live_class.minutes = details.starts_at, details.minutes
    live_class.language = details.language
    db.session.commit()


class LiveError(Exception):
    """A request about a live class that cannot be done, in words for the person."""


def change_key(live_class: LiveClass) -> None:
    """A new stream key (the old one was shared by mistake): the old one no longer publishes.
    Not while the class is live: its stream and its viewers go by the key it started with."""
    if live_class.state == "live":
        raise LiveError(_("The class is live: its stream key can be changed once it has "
                          "ended or before it starts."))
    live_class.stream_key = new_key()
    db.session.commit()


def ends_at(live_class: LiveClass) -> datetime:
    return live_class.starts_at + timedelta(minutes=live_class.minutes)


def for_course(course: Course) -> list[LiveClass]:
    """The course's classes that are live or scheduled, soonest first (by state alone, not the
    clock: the course page is kept rendered until its content changes)."""
    return list(db.session.scalars(
        select(LiveClass).where(LiveClass.course_id == course.id, LiveClass.state != "ended")
        .order_by(LiveClass.starts_at, LiveClass.id)))


def all_for_course(course: Course) -> list[LiveClass]:
    return list(db.session.scalars(select(LiveClass).where(LiveClass.course_id == course.id)
                                   .order_by(LiveClass.starts_at.desc(), LiveClass.id)))


def upcoming_for(user, now: datetime | None = None) -> list[LiveClass]:
    """The live and coming classes of the published courses the learner is enrolled in."""
    if user is None or not user.is_authenticated:
        return []
    now = now or utcnow()
    found = db.session.scalars(
        select(LiveClass).join(Course, Course.id == LiveClass.course_id)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id, Course.published,
               LiveClass.state != "ended")
        .order_by(LiveClass.starts_at, LiveClass.id))
    return [c for c in found if c.state == "live" or ends_at(c) + LATE > now]


# -- the ingest --------------------------------------------------------------------------------
def by_key(key: str) -> LiveClass | None:
    if not key:
        return None
    return db.session.scalar(select(LiveClass).where(LiveClass.stream_key == key))


def may_publish(live_class: LiveClass | None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (live_class is not None and live_class.state != "ended"
            and live_class.starts_at - EARLY <= now <= ends_at(live_class) + LATE)


def start(key: str, now: datetime | None = None) -> LiveClass | None:
    """The ingest asks whether ``key`` may publish: yes for a class whose time it is and that
    has not ended, which is then live (again, after a dropped connection: viewers are told)."""
    now = now or utcnow()
    live_class = by_key(key)
    if not may_publish(live_class, now):
        return None
    resumed = live_class.interrupted_at is not None
    live_class.state = "live"
    live_class.started_at = live_class.started_at or now
    live_class.published_at, live_class.interrupted_at = now, None
    db.session.commit()
    if resumed:
        _publish(live_class.id, {"type": "state", "state": "live"})
    return live_class


def reconnect_grace() -> timedelta:
    return timedelta(seconds=current_app.config["LIVE_RECONNECT_GRACE_S"])


def stop(key: str, now: datetime | None = None) -> LiveClass | None:
    """The stream stopped. A dropped connection must not end the class: it waits for its
    teacher to stream again (viewers are told), and ends when the teacher says so (``end``) or
    after ``LIVE_RECONNECT_GRACE_S`` without a stream (``end_abandoned``)."""
    now = now or utcnow()
    live_class = by_key(key)
    if live_class is None or live_class.state != "live":
        return live_class
    live_class.interrupted_at = now
    db.session.commit()
    if live_class.end_requested_at is not None:
        end(live_class, now)
    else:
        _publish(live_class.id, {"type": "state", "state": "interrupted"})
    return live_class


def request_end(live_class: LiveClass, now: datetime | None = None) -> bool:
    """The teacher ends the class: at once when its stream is not coming in, else as soon as
    it stops. Returns whether it has ended."""
    if live_class.state == "ended":
        return True
    if live_class.state != "live":
        raise LiveError(_("The class has not started, so there is nothing to end."))
    if not live_class.streaming:
        end(live_class, now)
        return True
    live_class.end_requested_at = now or utcnow()
    db.session.commit()
    return False


def end(live_class: LiveClass, now: datetime | None = None) -> None:
    """The class ends (its teacher said so, or it waited too long for its stream): its
    recordings become the replay. Not while its stream still comes in."""
    if live_class.state == "ended":
        return
    if live_class.streaming:
        raise LiveError(_("The stream is still coming in. Stop streaming in your encoder or "
                          "browser first; then end the class."))
    now = now or utcnow()
    live_class.state = "ended"
    live_class.ended_at = live_class.interrupted_at or now
    db.session.commit()  # each viewer's event stream sees it and says so last (``events``)
    if _last_stream_recorded(live_class):  # else ``recorded`` queues it when the last one is in
        jobs.enqueue_live_replay(live_class)


def _last_stream_recorded(live_class: LiveClass) -> bool:
    """Whether the recording of the class's latest stream is in (nginx says the stream stopped
    and the recording is written at about the same moment, in either order)."""
    if live_class.published_at is None:
        return bool(live_class.recordings)
    published = int(live_class.published_at.replace(tzinfo=UTC).timestamp())
    return any((ingest.recording_started(Path(path), live_class.stream_key) or 0)
               >= published - 1 for path in live_class.recordings)


def end_abandoned(now: datetime | None = None) -> list[int]:
    """End each class whose stream dropped longer ago than the grace, or that was never
    streamed again until long after its planned end. Returns their ids (the ingest asks)."""
    now = now or utcnow()
    waiting = db.session.scalars(select(LiveClass).where(
        LiveClass.state == "live", LiveClass.interrupted_at.is_not(None)))
    ended = []
    for live_class in list(waiting):
        if (now - live_class.interrupted_at >= reconnect_grace()
                or now > ends_at(live_class) + LATE):
            end(live_class, now)
            ended.append(live_class.id)
    return ended


def recorded(key: str, path: str) -> LiveClass | None:
    """The ingest finished writing one of the class's recordings: it is kept for the replay,
    which is made once the class has ended."""
    live_class = by_key(key)
    if live_class is None:
        return None
    root = (live_root() / "recordings").resolve()
    found = Path(path).resolve()
    if root not in found.parents or not found.is_file():
        return live_class  # not a recording of ours
    if str(found) not in live_class.recordings:
        live_class.recording = "\n".join([*live_class.recordings, str(found)])
        db.session.commit()
    if live_class.state == "ended":
        jobs.enqueue_live_replay(live_class)
    return live_class


# -- captions ----------------------------------------------------------------------------------
def add_caption(live_class_id: int, number: int, start_s: float, end_s: float,
                text: str) -> None:
    """A closed live caption (from the captioner); the same number again changes nothing."""
    exists = db.session.scalar(select(LiveCaption.id).where(
        LiveCaption.live_class_id == live_class_id, LiveCaption.number == number))
    if exists is None:
        db.session.add(LiveCaption(live_class_id=live_class_id, number=number, start=start_s,
                                   end=end_s, text=text))
        db.session.commit()


def _publish(live_class_id: int, event: dict) -> None:
    bus_for(current_app.config).publish(live_class_id, {**event, "sent": time.time()})


def _stream_time(live_class: LiveClass) -> float | None:
    if live_class.started_at is None:
        return None
    return round((utcnow() - live_class.started_at).total_seconds(), 1)


def correct_caption(live_class: LiveClass, number: int, text: str) -> LiveCaption:
    """The teacher corrects a caption line; viewers see the correction at once."""
    text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
    if not text:
        raise LiveError(_("Write the line's corrected text."))
    caption = db.session.scalar(select(LiveCaption).where(
        LiveCaption.live_class_id == live_class.id, LiveCaption.number == number))
    if caption is None:
        raise LiveError(_("There is no such caption line."))
    caption.text, caption.corrected = text, True
    db.session.commit()
    _publish(live_class.id, {"type": "correction", "cue": number, "text": text})
    return caption


QUESTION_CHARS = 1000


def ask(live_class: LiveClass, user, text: str) -> LiveQuestion:
    """A learner's question for the teacher, while the class has not ended."""
    text = text.strip()
    if live_class.state == "ended":
        raise LiveError(_("The class has ended, so questions are no longer taken."))
    if not text:
        raise LiveError(_("Write your question first."))
    if len(text) > QUESTION_CHARS:
        raise LiveError(_("A question can be at most %(count)d characters long.",
                          count=QUESTION_CHARS))
    question = LiveQuestion(live_class_id=live_class.id, user_id=user.id, text=text,
                            at_s=_stream_time(live_class))
    db.session.add(question)
    db.session.commit()
    _publish(live_class.id, {"type": "question", "id": question.id, "text": text,
                             "name": user.display_name, "at": question.at_s})
    return question


def questions(live_class: LiveClass) -> list[LiveQuestion]:
    return list(db.session.scalars(select(LiveQuestion)
                                   .where(LiveQuestion.live_class_id == live_class.id)
                                   .order_by(LiveQuestion.id)))


def mark_answered(live_class: LiveClass, question_id: int) -> None:
    question = db.session.get(LiveQuestion, question_id)
    if question is None or question.live_class_id != live_class.id:
        raise LiveError(_("There is no such question."))
    question.answered_at = question.answered_at or utcnow()
    db.session.commit()


ATTENDANCE_STEP_MAX_S = 60  # one report of watching counts at most this long


def attend(live_class: LiveClass, user, seconds: float) -> float:
    """The learner watched the live class for ``seconds`` more (reported by the page while it
    plays). Counted only while the class is live, at most a minute a report and never more than
    the class lasted; returns the learner's total."""
    if live_class.state != "live":
        return 0.0
    seconds = max(0.0, min(float(seconds), ATTENDANCE_STEP_MAX_S))
    row = db.session.scalar(select(LiveAttendance).where(
        LiveAttendance.live_class_id == live_class.id, LiveAttendance.user_id == user.id))
    if row is None:
        row = LiveAttendance(live_class_id=live_class.id, user_id=user.id, watched_s=0.0)
        db.session.add(row)
    ceiling = (live_class.minutes * 60 + LATE.total_seconds())
    row.watched_s = min(ceiling, (row.watched_s or 0.0) + seconds)
    row.updated_at = utcnow()
    db.session.commit()
    return row.watched_s


# -- going live from the browser -----------------------------------------------------------------
BROWSER_PART_MAX_BYTES = 8 * 1024 * 1024  # half a second of a browser's recording is far less


def browser_stream_path(live_class_id: int) -> Path:
    """Where a teacher's browser recording is written as it comes (WebM), for the ingest's
    relay to send to nginx; ``.end`` beside it says the teacher stopped."""
    return live_root() / "browser" / f"{live_class_id}.webm"


def browser_part(live_class: LiveClass, part: int, data: bytes) -> None:
    """One part of the teacher's browser recording (MediaRecorder's, every half second), in
    order: part 0 starts a new stream, each next part is appended. Refused in words: a class
    that is not open for streaming, a part out of order, an empty or oversized part."""
    if not may_publish(live_class):
        raise LiveError(_("This class cannot be streamed now: it has ended, or its time is not "
                          "near."))
    if not data or len(data) > BROWSER_PART_MAX_BYTES:
        raise LiveError(_("The browser sent an empty or oversized part of the stream."))
    path = browser_stream_path(live_class.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    expected = path.with_suffix(".next")
    if part == 0:
        path.with_suffix(".end").unlink(missing_ok=True)
        path.write_bytes(data)
    else:
        if not expected.is_file() or expected.read_text() != str(part):
            raise LiveError(_("A part of the stream was lost; stop and start streaming again."))
        with open(path, "ab") as fh:
            fh.write(data)
    expected.write_text(str(part + 1))


def browser_end(live_class: LiveClass) -> None:
    """The teacher stopped streaming from the browser and so ended the class: the relay ends
    the stream, and with it the class."""
    path = browser_stream_path(live_class.id)
    if path.is_file():
        path.with_suffix(".end").write_text("end")
    if live_class.state == "live":
        request_end(live_class)


def captions_vtt(live_class: LiveClass) -> str:
    return to_webvtt([Cue(c.start, c.end, c.text) for c in live_class.captions],
                     live_class.language)


# -- the calendar ------------------------------------------------------------------------------
def _ics_text(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545 lines are at most 75 octets: longer ones go on with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            out.append(current)
            current = " "
        current += char
    out.append(current)
    return "\r\n".join(out)


def ics(live_class: LiveClass, url: str, host: str) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Accessible Learning//Live classes//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:live-class-{live_class.id}@{host}",
        f"DTSTAMP:{utcnow().strftime(stamp)}",
        f"DTSTART:{live_class.starts_at.strftime(stamp)}",
        f"DTEND:{ends_at(live_class).strftime(stamp)}",
        f"SUMMARY:{_ics_text(live_class.title)}",
        f"DESCRIPTION:{_ics_text(live_class.course.title + ' — ' + url)}",
        f"URL:{url}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
