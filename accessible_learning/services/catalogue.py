"""Finding courses and lessons, enrolling, and a learner's progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Course, Enrolment, Lesson, LessonProgress, Trade, User


def trades() -> list[Trade]:
    return list(db.session.scalars(select(Trade).order_by(Trade.name)))


def search(query: str = "", trade_slug: str = "") -> list[Course]:
    stmt = select(Course).join(Trade).where(Course.published.is_(True))
    query = (query or "").strip()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                Course.title.ilike(pattern, escape="\\"),
                Course.summary.ilike(pattern, escape="\\"),
                Trade.name.ilike(pattern, escape="\\"),
            )
        )
    if trade_slug:
        stmt = stmt.where(Trade.slug == trade_slug)
    return list(db.session.scalars(stmt.order_by(Course.title)))


def visible_course(course_id: int, user: User | None) -> Course | None:
    course = db.session.get(Course, course_id)
    if course is None:
        return None
    if course.published or (user is not None and user.is_authenticated
                            and user.has_role("content")):
        return course
    return None


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
    db.session.commit()
    return True


def can_view_lesson(user: User | None, lesson: Lesson) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.has_role("content", "examiner"):
        return True
    return lesson.course.published and is_enrolled(user, lesson.course)


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    lessons = lesson.course.lessons
    index = lessons.index(lesson)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


@dataclass
class CourseProgress:
    course: Course
    completed: int
    total: int
    next_lesson: Lesson | None

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def my_learning(user: User) -> list[CourseProgress]:
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.created_at)
    )
    done = {
        p.lesson_id
        for p in db.session.scalars(
            select(LessonProgress).where(
                LessonProgress.user_id == user.id, LessonProgress.completed.is_(True)
            )
        )
    }
    result = []
    for enrolment in enrolments:
        lessons = enrolment.course.lessons
        completed = sum(1 for lesson in lessons if lesson.id in done)
        next_lesson = next((lesson for lesson in lessons if lesson.id not in done), None)
        result.append(CourseProgress(enrolment.course, completed, len(lessons), next_lesson))
    return result
