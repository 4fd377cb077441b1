"""Read models for the studio, examiner and admin areas."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, Course, Enrolment, Lesson, LessonProgress, User


def all_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.title)))


def admin_summary() -> dict:
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return {
        "users_by_role": [(role, by_role.get(role, 0)) for role in ROLES],
        "courses": db.session.scalar(select(func.count()).select_from(Course)),
        "lessons": db.session.scalar(select(func.count()).select_from(Lesson)),
        "enrolments": db.session.scalar(select(func.count()).select_from(Enrolment)),
        "lessons_completed": db.session.scalar(
            select(func.count()).select_from(LessonProgress).where(LessonProgress.completed)
        ),
    }
