"""Authoring: creating, editing, ordering, publishing and archiving courses and lessons.

Each change is one transaction: it commits when it succeeds, and when a rule refuses it
(``AuthoringError``, with words to show the content team) nothing changes. The rules:

- a new course or lesson starts as a draft, which learners never see (``access``);
- a lesson can be published only with its media and a published caption version, so that no
  learner meets a lesson without captions; a course only with at least one published lesson;
- archiving unpublishes and keeps everything (learners' progress, certificates); an archived
  course or lesson comes back as a draft.

It must not decide who may make these changes (the studio's blueprint and ``access`` do).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Course, Lesson, utcnow


class AuthoringError(Exception):
    """A change the rules refuse; ``str()`` says why and what to do, for the content team."""


@dataclass(frozen=True)
class CourseDetails:
    title: str
    summary: str
    trade_id: int
    language: str


@dataclass(frozen=True)
class LessonDetails:
    title: str
    summary: str
    language: str


def courses() -> tuple[list[Course], list[Course]]:
    """The studio's courses by title: those in use, and the archived ones."""
    every = list(db.session.scalars(select(Course).order_by(Course.title)))
    return ([c for c in every if c.archived_at is None],
            [c for c in every if c.archived_at is not None])


def _apply_course(course: Course, details: CourseDetails) -> None:
    course.title = details.title.strip()
    course.summary = details.summary.strip()
    course.trade_id = details.trade_id
    course.language = details.language


def create_course(details: CourseDetails) -> Course:
    course = Course(published=False)
    _apply_course(course, details)
    db.session.add(course)
    db.session.commit()
    return course


def update_course(course: Course, details: CourseDetails) -> None:
    _apply_course(course, details)
    db.session.commit()


def _apply_lesson(lesson: Lesson, details: LessonDetails) -> None:
    lesson.title = details.title.strip()
    lesson.summary = details.summary.strip()
    lesson.language = details.language


def new_draft_lesson(course: Course, title: str, language: str, summary: str = "") -> Lesson:
    """A draft lesson at the end of the course, before it has any media (flushed, not
    committed: the caller's transaction)."""
    last = db.session.scalar(select(func.max(Lesson.position))
                             .where(Lesson.course_id == course.id)) or 0
    lesson = Lesson(course=course, position=last + 1, published=False)
    _apply_lesson(lesson, LessonDetails(title, summary, language))
    db.session.add(lesson)
    db.session.flush()
    return lesson


def create_lesson(course: Course, details: LessonDetails) -> Lesson:
    """A draft lesson at the end of the course, before it has any media."""
    lesson = new_draft_lesson(course, details.title, details.language, details.summary)
    db.session.commit()
    return lesson


def update_lesson(lesson: Lesson, details: LessonDetails) -> None:
    _apply_lesson(lesson, details)
    db.session.commit()


def working_lessons(course: Course) -> list[Lesson]:
    """The lessons that are not archived, in the order learners meet them."""
    return [lesson for lesson in course.all_lessons if lesson.archived_at is None]


def archived_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.all_lessons if lesson.archived_at is not None]


def move_lesson(lesson: Lesson, step: int) -> bool:
    """Swap the lesson with the one before it (``step`` -1) or after it (+1) among the
    lessons in use; False when it is already first or last."""
    lessons = working_lessons(lesson.course)
    index = lessons.index(lesson)
    other_index = index + step
    if step not in (-1, 1) or not 0 <= other_index < len(lessons):
        return False
    other = lessons[other_index]
    mine, theirs = lesson.position, other.position
    # Positions are unique in a course: move this one out of the way first.
    lesson.position = -mine
    db.session.flush()
    other.position = mine
    db.session.flush()
    lesson.position = theirs
    db.session.commit()
    return True


def _refuse(message: str) -> None:
    db.session.rollback()
    raise AuthoringError(message)


def publish_lesson(lesson: Lesson) -> None:
    if lesson.archived_at is not None:
        _refuse(_("An archived lesson cannot be published. Bring it back first; it returns "
                   "as a draft."))
    if lesson.media is None:
        _refuse(_("The lesson has no media yet. Upload its video or audio, review its "
                   "captions and publish them, then publish the lesson."))
    if lesson.published_captions is None:
        _refuse(_("The lesson has no published captions. Review a caption version and publish "
                   "it first, so that no learner meets the lesson without captions."))
    lesson.published = True
    db.session.commit()


def unpublish_lesson(lesson: Lesson) -> None:
    lesson.published = False
    db.session.commit()


def archive_lesson(lesson: Lesson) -> None:
    lesson.published = False
    lesson.archived_at = utcnow()
    db.session.commit()


def restore_lesson(lesson: Lesson) -> None:
    lesson.archived_at = None
    db.session.commit()


def publish_course(course: Course) -> None:
    if course.archived_at is not None:
        _refuse(_("An archived course cannot be published. Bring it back first; it returns "
                   "as a draft."))
    if not any(lesson.published for lesson in course.all_lessons):
        _refuse(_("The course has no published lesson. Publish at least one of its lessons "
                   "first."))
    course.published = True
    db.session.commit()


def unpublish_course(course: Course) -> None:
    course.published = False
    db.session.commit()


def archive_course(course: Course) -> None:
    course.published = False
    course.archived_at = utcnow()
    db.session.commit()


def restore_course(course: Course) -> None:
    course.archived_at = None
    db.session.commit()


COURSE_ACTIONS = {"publish": publish_course, "unpublish": unpublish_course,
                  "archive": archive_course, "restore": restore_course}
LESSON_ACTIONS = {"publish": publish_lesson, "unpublish": unpublish_lesson,
                  "archive": archive_lesson, "restore": restore_lesson}
