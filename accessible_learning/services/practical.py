"""Practical assignments: the learner films the work, the pipeline captions the video so that
deaf examiners can follow it, and an examiner of the course scores it against the rubric.

Learners only ever see their own submissions; examiners only those of the courses they examine
(administrators see all).
It must not decide who may see a submission (``access`` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from media_pipeline.captions import parse_webvtt
from media_pipeline.errors import MediaError

from .. import jobs
from ..extensions import db
from ..models import Course, MediaAsset, Submission, User, utcnow
from . import media

MAX_CRITERIA = 12
MAX_POINTS = 100
MAX_NOTE = 2000
MAX_FEEDBACK = 5000
_LINE = re.compile(r"^(?P<criterion>.+?)\s*[:：]\s*(?P<max>\S+)\s*$")


class PracticalError(ValueError):
    """Something to tell the person in words; nothing was changed."""


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


def parse_rubric(text: str) -> tuple[list[dict], list[LineError]]:
    """One criterion a line, "Even thickness: 10" (the points after the last colon)."""
    rubric, errors = [], []
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1)
             if line.strip()]
    if len(lines) > MAX_CRITERIA:
        errors.append(LineError(lines[MAX_CRITERIA][0],
                                _("A rubric has at most %(count)d criteria.", count=MAX_CRITERIA)))
        return [], errors
    for number, line in lines:
        match = _LINE.match(line)
        if match is None:
            errors.append(LineError(number, _("Write the criterion, a colon, then its points, "
                                              "for example “Even thickness: 10”.")))
            continue
        points = match.group("max")
        if not points.isdigit() or not 1 <= int(points) <= MAX_POINTS:
            errors.append(LineError(number, _("The points must be a whole number from 1 to "
                                              "%(max)d.", max=MAX_POINTS)))
            continue
        if len(match.group("criterion")) > 200:
            errors.append(LineError(number, _("The criterion is longer than 200 characters.")))
            continue
        rubric.append({"criterion": match.group("criterion"), "max": int(points)})
    return rubric, errors


def rubric_text(course: Course) -> str:
    return "\n".join(f"{c['criterion']}: {c['max']}" for c in course.rubric or [])


def examiners() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "examiner")
                                   .order_by(User.display_name)))


def save_settings(course: Course, brief: str, rubric_source: str,
                  examiner_ids: list[int]) -> list[LineError]:
    """Sets (or, with an empty brief, removes) the course's practical assignment. On any error
    nothing is saved."""
    brief = (brief or "").strip()
    rubric, errors = parse_rubric(rubric_source)
    if brief and not rubric and not errors:
        errors.append(LineError(0, _("A practical assignment needs a rubric of at least one "
                                     "criterion.")))
    allowed = {u.id: u for u in examiners()}
    if any(i not in allowed for i in examiner_ids):
        errors.append(LineError(0, _("Only people with the examiner role can examine a course.")))
    if errors:
        return errors
    course.practical_brief = brief or None
    course.rubric = rubric if brief else None
    course.examiners = [allowed[i] for i in sorted(set(examiner_ids))]
    db.session.commit()
    return []


def submit(user: User, course: Course, upload, note: str) -> Submission:
    """Store the video (probed first: anything that is not readable media is refused and
    nothing is kept) and queue its captions."""
    if not course.practical_brief:
        raise PracticalError(_("This course has no practical assignment."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PracticalError(_("The note must be %(count)d characters or fewer.", count=MAX_NOTE))
    config = current_app.config
    day_ago = utcnow() - timedelta(days=1)
    count, seconds = db.session.execute(
        select(func.count(), func.coalesce(func.sum(MediaAsset.duration_s), 0.0))
        .select_from(Submission).join(MediaAsset, Submission.media_id == MediaAsset.id)
        .where(Submission.user_id == user.id, Submission.submitted_at >= day_ago)).one()
    if count >= config["PRACTICAL_UPLOADS_PER_DAY"]:
        raise PracticalError(ngettext(
            "You have handed in %(num)d practical video in the last 24 hours, the most a day "
            "allows. Hand in the next one tomorrow.",
            "You have handed in %(num)d practical videos in the last 24 hours, the most a day "
            "allows. Hand in the next one tomorrow.", count))

    def within_limits(info) -> None:
        """Checked on what the probe found, before the video is kept."""
        longest = config["PRACTICAL_MAX_MINUTES"] * 60
        if info.duration_s > longest:
            raise PracticalError(_(
                "A practical video may be at most %(limit)s minutes long; this one is "
                "%(minutes)s minutes. Film the task again more briefly, or cut the video, then "
                "hand it in.", limit=_minutes(longest), minutes=_minutes(info.duration_s)))
        allowed = config["PRACTICAL_MINUTES_PER_DAY"] * 60
        if seconds + info.duration_s > allowed:
            raise PracticalError(_(
                "With this video, your practical videos of the last 24 hours would last "
                "%(minutes)s minutes; a day allows %(limit)s. Hand it in tomorrow, or a shorter "
                "one now.", minutes=_minutes(seconds + info.duration_s),
                limit=_minutes(allowed)))

    try:
        # MediaError for anything that is not usable media; PracticalError over the limits.
        asset = media.store_upload(upload, check=within_limits)
    except (MediaError, PracticalError):
        db.session.rollback()
        raise
    db.session.flush()
    submission = Submission(user_id=user.id, course_id=course.id, media_id=asset.id, note=note,
                            status="waiting")
    db.session.add(submission)
    db.session.commit()
    jobs.enqueue_submission_captions(submission)
    return submission


def _minutes(seconds: float) -> str:
    """Minutes for a person to read: whole ones, or one decimal under ten."""
    minutes = seconds / 60
    return f"{minutes:.0f}" if minutes >= 10 or minutes == int(minutes) else f"{minutes:.1f}"


def of_learner(user: User, course: Course | None = None) -> list[Submission]:
    stmt = select(Submission).where(Submission.user_id == user.id)
    if course is not None:
        stmt = stmt.where(Submission.course_id == course.id)
    return list(db.session.scalars(stmt.order_by(Submission.submitted_at.desc(),
                                                 Submission.id.desc())))


def has_passed(user: User, course: Course) -> bool:
    return db.session.scalar(select(Submission.id).where(
        Submission.user_id == user.id, Submission.course_id == course.id,
        Submission.passed.is_(True)).limit(1)) is not None


SUBMISSIONS_PER_PAGE = 50
RECENTLY_REVIEWED = 20


def queue(user: User, page: int = 1, per_page: int = SUBMISSIONS_PER_PAGE):
    """One page of the submissions waiting for review, oldest first (a Flask-SQLAlchemy
    ``Pagination``), and the ``RECENTLY_REVIEWED`` last reviewed, of the courses this person
    examines. Only those rows are loaded, however many have been handed in."""
    stmt = (select(Submission).join(Submission.course)
            .options(contains_eager(Submission.course), joinedload(Submission.user)))
    if user.role != "admin":
        stmt = stmt.where(Course.examiners.any(User.id == user.id))
    waiting = db.paginate(stmt.where(Submission.status == "waiting")
                          .order_by(Submission.submitted_at, Submission.id),
                          page=page, per_page=per_page, error_out=False)
    reviewed = list(db.session.scalars(
        stmt.where(Submission.status == "reviewed")
        .order_by(Submission.reviewed_at.desc(), Submission.id.desc()).limit(RECENTLY_REVIEWED)))
    return waiting, reviewed


def examined_courses(user: User) -> list[Course]:
    if user.role == "admin":
        return list(db.session.scalars(select(Course).where(Course.practical_brief.is_not(None))
                                       .order_by(Course.title)))
    return list(db.session.scalars(select(Course).where(Course.examiners.any(User.id == user.id))
                                   .order_by(Course.title)))


def review(submission: Submission, examiner: User, scores_raw: list[str], outcome: str,
           feedback: str) -> list[tuple[str, str]]:
    """Score against the rubric. Returns the problems as (id of the field, message); with any,
    nothing is saved."""
    rubric = submission.course.rubric or []
    problems: list[tuple[str, str]] = []
    scores: list[int] = []
    if len(scores_raw) != len(rubric):
        problems.append(("score-1", _("The form does not match this course's rubric. Reload "
                                      "the page and score again.")))
    for number, (criterion, raw) in enumerate(zip(rubric, scores_raw, strict=False), 1):
        raw = (raw or "").strip()
        if not re.fullmatch(r"\d{1,3}", raw) or int(raw) > criterion["max"]:
            problems.append((f"score-{number}",
                             _("Score “%(criterion)s” with a whole number from 0 to %(max)d.",
                               criterion=criterion["criterion"], max=criterion["max"])))
            continue
        scores.append(int(raw))
    if outcome not in ("passed", "not-yet"):
        problems.append(("outcome-passed", _("Choose whether the assignment is passed.")))
    feedback = (feedback or "").strip()
    if not feedback:
        problems.append(("feedback", _("Write feedback for the learner.")))
    elif len(feedback) > MAX_FEEDBACK:
        problems.append(("feedback", _("Feedback must be %(count)d characters or fewer.",
                                       count=MAX_FEEDBACK)))
    if problems:
        return problems
    submission.scores, submission.total = scores, sum(scores)
    submission.passed = outcome == "passed"
    submission.feedback, submission.examiner_id = feedback, examiner.id
    submission.status, submission.reviewed_at = "reviewed", utcnow()
    submission.learner_seen_at = None
    db.session.commit()
    return []


def mark_seen(submission: Submission) -> None:
    if submission.status == "reviewed" and submission.learner_seen_at is None:
        submission.learner_seen_at = utcnow()
        db.session.commit()


def unseen_reviews(user: User) -> list[Submission]:
    return list(db.session.scalars(select(Submission).where(
        Submission.user_id == user.id, Submission.status == "reviewed",
        Submission.learner_seen_at.is_(None)).order_by(Submission.reviewed_at)))


def caption_lines(submission: Submission) -> list:
    """The captions as cues, for the transcript beside the examiner's player."""
    if not submission.captions_vtt:
        return []
    return parse_webvtt(submission.captions_vtt)


def caption_job(submission: Submission):
    return jobs.latest_for_submission(submission)
