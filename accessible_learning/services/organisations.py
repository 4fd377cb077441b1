"""Organisations (employers) and their staff: making them, putting people in them, and what an
employer contact sees of their own staff (enrolments, progress, completions, certificates).

Changes are one transaction each and go to the audit log when they change an account. The
staff list is read a page at a time with a few grouped queries, however large the employer. It
must not decide who may see an organisation (``access`` does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    AuditEntry,
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Organisation,
    User,
)

STAFF_PER_PAGE = 50


class OrganisationError(Exception):
    """A change refused; ``str()`` says why, for the administrator."""


def all_with_counts() -> list[tuple[Organisation, int]]:
    staff = (select(User.organisation_id, func.count().label("n"))
             .where(User.organisation_id.is_not(None)).group_by(User.organisation_id).subquery())
    return [(organisation, count or 0) for organisation, count in db.session.execute(
        select(Organisation, staff.c.n).outerjoin(staff, staff.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)).all()]


def by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name.strip()))


def create(name: str) -> Organisation:
    name = name.strip()
    if by_name(name) is not None:
        raise OrganisationError(_("There is already an organisation called “%(name)s”.",
                                  name=name))
    organisation = Organisation(name=name)
    db.session.add(organisation)
    try:
        db.session.commit()
    except IntegrityError as exc:  # made at the same moment by another request
        db.session.rollback()
        raise OrganisationError(_("There is already an organisation called “%(name)s”.",
                                  name=name)) from exc
    return organisation


def set_for_user(admin: User, user: User, organisation: Organisation | None) -> bool:
    """Put the user in the organisation (None: in none); False when nothing changes."""
    new_id = organisation.id if organisation else None
    if user.organisation_id == new_id:
        return False
    db.session.add(AuditEntry(actor_id=admin.id, target_id=user.id, action="organisation",
                              detail={"before": user.organisation_id, "after": new_id,
                                      "name": organisation.name if organisation else None}))
    user.organisation_id = new_id
    db.session.commit()
    return True


@dataclass
class CourseProgress:
    course_id: int
    title: str
    lessons_done: int
    lessons_total: int
    certificate_code: str | None = None
    completed_on: str | None = None

    @property
    def percent(self) -> int:
        if self.certificate_code:
            return 100
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


@dataclass
class StaffMember:
    user: User
    courses: list[CourseProgress] = field(default_factory=list)


def staff_page(organisation: Organisation, page: int, per_page: int = STAFF_PER_PAGE):
    """One page of the organisation's staff by name (a ``Pagination``) and, for each of them,
    their courses with progress and certificates: four queries a page."""
    found = db.paginate(select(User).where(User.organisation_id == organisation.id)
                        .order_by(User.display_name, User.id),
                        page=page, per_page=per_page, error_out=False)
    ids = [user.id for user in found.items]
    members = {user.id: StaffMember(user) for user in found.items}
    if not ids:
        return found, []
    published = Lesson.published.is_(True)
    totals = dict(db.session.execute(select(Lesson.course_id, func.count())
                                     .where(published).group_by(Lesson.course_id)).all())
    done = defaultdict(int)
    for user_id, course_id, count in db.session.execute(
            select(LessonProgress.user_id, Lesson.course_id, func.count())
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id.in_(ids), LessonProgress.completed.is_(True), published)
            .group_by(LessonProgress.user_id, Lesson.course_id)).all():
        done[(user_id, course_id)] = count
    certificates = {(c.user_id, c.course_id): c for c in db.session.scalars(
        select(Certificate).where(Certificate.user_id.in_(ids)))}
    for user_id, course_id, title in db.session.execute(
            select(Enrolment.user_id, Course.id, Course.title).join(Course)
            .where(Enrolment.user_id.in_(ids)).order_by(Course.title)).all():
        certificate = certificates.get((user_id, course_id))
        members[user_id].courses.append(CourseProgress(
            course_id, title, done[(user_id, course_id)], totals.get(course_id, 0),
            certificate.code if certificate else None,
            certificate.issued_at.strftime("%Y-%m-%d") if certificate else None))
    return found, [members[i] for i in ids]
