"""Finding courses and lessons, enrolling, and a learner's progress.

It must not decide who may see a lesson (``access`` does).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    CaptionTrack,
    Course,
    DescriptionTrack,
    Enrolment,
    Lesson,
    SignVideo,
    Trade,
    User,
)
from .search import contains

# What a lesson's requests always need (its course for the access check, its video): loaded
# with the lesson in one query instead of one query each.
LESSON_BASICS = (joinedload(Lesson.course), joinedload(Lesson.media))
# Its caption versions, joined in the same query, without the word timings and the rule report
# of each version (JSON that can run to hundreds of kilobytes a version, and that the learners'
# pages never read; loaded if something does read them).
LESSON_CAPTIONS = (*LESSON_BASICS, joinedload(Lesson.caption_tracks)
                   .defer(CaptionTrack.words).defer(CaptionTrack.report))
# The lesson page also shows the published audio description with its two videos. Of the caption
# versions it needs only which one is published and its language (the player fetches the text
# from captions.vtt), so no version's text is read either.
LESSON_PAGE = (*LESSON_BASICS, joinedload(Lesson.caption_tracks).defer(CaptionTrack.words)
               .defer(CaptionTrack.report).defer(CaptionTrack.vtt),
               selectinload(Lesson.description_tracks).joinedload(DescriptionTrack.mixed_media),
               selectinload(Lesson.description_tracks).joinedload(DescriptionTrack.extended_media),
               selectinload(Lesson.description_tracks).joinedload(DescriptionTrack.stem_media))
# And the sign-language videos, with their files (one query for all of them).
LESSON_PAGE = (*LESSON_PAGE, selectinload(Lesson.sign_videos).joinedload(SignVideo.asset))
# The home page counts each trade's published courses: one query for all the trades.
HOME_PAGE = (selectinload(Trade.courses),)
# The catalogue shows each course's number of lessons: one query for all the courses.
CATALOGUE_PAGE = (selectinload(Course.lessons),)
# The course page lists the trade, and the lessons with their videos' lengths.
COURSE_PAGE = (joinedload(Course.trade), selectinload(Course.lessons).joinedload(Lesson.media))


def get_lesson(lesson_id: int, options=LESSON_BASICS) -> Lesson | None:
    return db.session.get(Lesson, lesson_id, options=options)


def get_course(course_id: int) -> Course | None:
    return db.session.get(Course, course_id)


def trades(options=()) -> list[Trade]:
    return list(db.session.scalars(select(Trade).order_by(Trade.name).options(*options)))


def search(query: str = "", trade_slug: str = "", options=()) -> list[Course]:
    stmt = select(Course).join(Trade).where(Course.published.is_(True))
    query = (query or "").strip()
    if query:
        stmt = stmt.where(or_(contains(Course.title, query), contains(Course.summary, query),
                              contains(Trade.name, query)))
    if trade_slug:
        stmt = stmt.where(Trade.slug == trade_slug)
    return list(db.session.scalars(stmt.order_by(Course.title).options(*options)))


def is_enrolled(user: User | None, course: Course) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        select(Enrolment.id).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    ) is not None


def enrol(user: User, course: Course) -> bool:
    """Enrol; returns False when the user was already enrolled."""
    if is_enrolled(user, course):
        return False
    db.session.add(Enrolment(user_id=user.id, course_id=course.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the other one enrolled
        db.session.rollback()
        return False
    return True


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The published lessons before and after it (none for a draft, which only the content
    team previews)."""
    lessons = lesson.course.lessons
    if lesson not in lessons:
        return None, None
    index = lessons.index(lesson)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def enrolled_courses(user: User) -> list[Course]:
    """The published courses the learner is enrolled in (an unpublished or archived course's
    records are kept, but it is no longer shown; certificates stay on their own list)."""
    return list(db.session.scalars(
        select(Course).join(Enrolment).where(Enrolment.user_id == user.id,
                                             Course.published.is_(True))
        .order_by(Enrolment.created_at)))
