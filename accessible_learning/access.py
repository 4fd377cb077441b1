"""Who may see what: the one answer for courses, lessons, quizzes and their attempts, practical
submissions, certificates and media files, and one checked loader for each.

The rules:

- a course: published, or any to the content team (and administrators); archiving a course
  unpublishes it;
- its quizzes, live classes and practical assignment: learners enrolled in the published course,
  and always the content team, examiners and administrators (``can_study``);
- a lesson: the same, and the lesson itself published (drafts and archived lessons only to the
  content team and administrators);
- a quiz attempt: only its learner;
- a practical submission: its learner, the course's examiners and administrators;
- a certificate: its holder and administrators (anyone may check a code at ``/verify``, which
  tells nothing about the person);
- an account, to act on it: administrators (their blueprint lets nobody else in);
- an organisation's staff and their progress: administrators, and the organisation's own
  employer contacts (another organisation's contact gets 404);
- a media file: whoever may see a lesson it belongs to, as the lesson's video or as a version of
  its audio description or a sign-language video of it (a version not yet published, new media
  waiting for its captions, earlier media and sign videos made for it only to the content team).

The loaders (``*_or_404``) answer 404 when the thing does not exist or is not the user's to
see, so that its existence is not told; only an examiner of another course gets 403. Views and
the media route ask here and nowhere else; services do not decide access. This module must not
change data.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from . import driver_sql
from .extensions import db
from .models import (
    CaptionTrack,
    Certificate,
    Course,
    DescriptionTrack,
    Lesson,
    LiveClass,
    MediaAsset,
    Organisation,
    Question,
    Quiz,
    QuizAttempt,
    SignVideo,
    Submission,
    User,
)
from .services import catalogue, quizzes


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _studies_every_course(user) -> bool:
    """Staff who open any course's lessons and quizzes, enrolled or not."""
    return user.has_role("content", "examiner")


def can_see_course(user, published: bool) -> bool:
    return published or (_signed_in(user) and user.has_role("content"))


def can_study(user: User | None, course: Course) -> bool:
    """Lessons, quizzes and the practical assignment of the course."""
    if not _signed_in(user):
        return False
    return _studies_every_course(user) or (course.published
                                           and catalogue.is_enrolled(user, course))


def _sees_drafts(user) -> bool:
    return user.has_role("content")


def can_view_lesson(user: User | None, lesson: Lesson) -> bool:
    return can_study(user, lesson.course) and (lesson.published or _sees_drafts(user))


class LessonAccess(NamedTuple):
    course_id: int
    published: bool  # the course and the lesson
    allowed: bool  # what ``can_view_lesson`` says
    duration_s: float | None  # the video's length (None: no video yet)
    # What the lesson page shows of the learner's progress: completed, how, the part played
    # and the position (see ``progress``); None when the learner has not started the lesson.
    progress: tuple | None


# One query, through the database driver (see ``driver_sql``; the lesson page and each progress
# report run it): the lesson's course, its video's length, whether the learner is enrolled in the
# course, and their progress.
_LESSON_ACCESS = (
    "SELECT l.course_id, c.published, l.published, m.duration_s, e.id, "
    "p.completed, p.completed_by, p.watched_s, p.position_s "
    "FROM lessons l JOIN courses c ON c.id = l.course_id "
    "LEFT JOIN media_assets m ON m.id = l.media_id "
    "LEFT JOIN enrolments e ON e.course_id = l.course_id AND e.user_id = ? "
    "LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = ? "
    "WHERE l.id = ?"
)


def lesson_access(user: User, lesson_id: int) -> LessonAccess | None:
    """Whether a signed-in user may open the lesson, without loading it (None: no such lesson).
    The same rule as ``can_study``, from one row."""
    row = driver_sql.fetch_one(_LESSON_ACCESS, (user.id, user.id, lesson_id))
    if row is None:
        return None
    course_id, course_published, lesson_published, duration_s, enrolment, completed, *progress = row
    published = bool(course_published) and bool(lesson_published)
    if lesson_published:
        allowed = _studies_every_course(user) or (published and enrolment is not None)
    else:
        allowed = _sees_drafts(user)
    started = completed is not None
    return LessonAccess(course_id, published, allowed, duration_s,
                        (bool(completed), *progress) if started else None)


def can_examine(user: User, course: Course) -> bool:
    if not _signed_in(user):
        return False
    if user.role == "admin":
        return True
    return user.role == "examiner" and any(e.id == user.id for e in course.examiners)


def can_see_submission(user: User, submission: Submission) -> bool:
    return _signed_in(user) and (submission.user_id == user.id
                                 or can_examine(user, submission.course))


def can_see_certificate(user: User, certificate: Certificate) -> bool:
    return _signed_in(user) and (certificate.user_id == user.id or user.has_role("admin"))


def can_fetch_media(user: User, asset: MediaAsset) -> bool:
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.media_id == asset.id)))
    if user.has_role("content"):  # new media waiting for its captions, and earlier media
        lessons += db.session.scalars(select(Lesson).where(Lesson.new_media_id == asset.id))
        lessons += [t.lesson for t in db.session.scalars(
            select(CaptionTrack).where(CaptionTrack.media_id == asset.id))]
    # The described and extended versions of a lesson and its description stem: learners only
    # get published ones.
    described = db.session.scalars(select(DescriptionTrack).where(
        (DescriptionTrack.mixed_media_id == asset.id)
        | (DescriptionTrack.extended_media_id == asset.id)
        | (DescriptionTrack.stem_media_id == asset.id)))
    lessons += [t.lesson for t in described
                if t.status == "published" or user.has_role("content")]
    # A sign-language video: learners only get one made for the lesson's media.
    signs = db.session.scalars(select(SignVideo).where(SignVideo.asset_id == asset.id))
    lessons += [s.lesson for s in signs
                if s.media_id == s.lesson.media_id or user.has_role("content")]
    return any(can_view_lesson(user, lesson) for lesson in lessons)


# ---------------------------------------------------------------------------------------------
# Checked loaders, for the signed-in user of the request.

def _found(thing, allowed) -> object:
    if thing is None or not allowed(thing):
        abort(404)
    return thing


def course_or_404(course_id: int, options=()) -> Course:
    return _found(db.session.get(Course, course_id, options=options),
                  lambda course: can_see_course(current_user, course.published))


def lesson_or_404(lesson_id: int, options=catalogue.LESSON_BASICS) -> Lesson:
    return _found(catalogue.get_lesson(lesson_id, options),
                  lambda lesson: can_view_lesson(current_user, lesson))


def live_class_or_404(live_class_id: int) -> LiveClass:
    """A live class: to whoever may study its course (the quizzes' rule)."""
    return _found(db.session.get(LiveClass, live_class_id),
                  lambda found: can_study(current_user, found.course))


def quiz_or_404(quiz_id: int) -> Quiz:
    return _found(quizzes.get(quiz_id), lambda quiz: can_study(current_user, quiz.course))


def question_or_404(quiz: Quiz, question_id: int) -> Question:
    return _found(db.session.get(Question, question_id),
                  lambda question: question.quiz_id == quiz.id)


def attempt_or_404(attempt_id: int) -> QuizAttempt:
    """Only the learner's own attempts exist for them: another learner's is a 404."""
    return _found(db.session.get(QuizAttempt, attempt_id),
                  lambda attempt: attempt.user_id == current_user.id)


def practical_course_or_404(course_id: int) -> Course:
    return _found(db.session.get(Course, course_id),
                  lambda course: bool(course.practical_brief)
                  and can_study(current_user, course))


def submission_or_404(submission_id: int) -> Submission:
    return _found(db.session.get(Submission, submission_id),
                  lambda submission: can_see_submission(current_user, submission))


def submission_to_examine(submission_id: int) -> Submission:
    """404 when there is no such submission, 403 for an examiner of another course."""
    found = _found(db.session.get(Submission, submission_id), lambda _submission: True)
    if not can_examine(current_user, found.course):
        abort(403)
    return found


def certificate_or_404(certificate_id: int) -> Certificate:
    return _found(db.session.get(Certificate, certificate_id),
                  lambda certificate: can_see_certificate(current_user, certificate))


def media_or_404(sha256: str, extension: str) -> MediaAsset:
    return _found(db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha256)),
                  lambda asset: asset.extension == extension
                  and can_fetch_media(current_user, asset))


def media_by_hash_or_404(sha256: str) -> MediaAsset:
    """A media file by its hash alone (its smaller versions are named by it)."""
    return _found(db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha256)),
                  lambda asset: can_fetch_media(current_user, asset))


def user_or_404(user_id: int) -> User:
    return _found(db.session.get(User, user_id), lambda _user: current_user.has_role("admin"))


def can_see_organisation(user, organisation: Organisation) -> bool:
    if not _signed_in(user):
        return False
    if user.role == "admin":
        return True
    return user.role == "employer" and user.record().organisation_id == organisation.id


def organisation_or_404(organisation_id: int) -> Organisation:
    return _found(db.session.get(Organisation, organisation_id),
                  lambda organisation: can_see_organisation(current_user, organisation))
