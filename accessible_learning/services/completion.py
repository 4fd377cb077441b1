"""A learner's progress through a course, and the certificate when it is completed.

The rule, stated on the course page: a course is completed when every lesson is completed, every
quiz is passed and, when the course has a practical assignment, an examiner has passed it. The
certificate is issued at that moment, once.
It must not decide access.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from .. import driver_sql
from ..extensions import db
from ..models import (
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    User,
)
from . import certificates, practical, quizzes


@dataclass
class QuizStatus:
    quiz: Quiz
    best: QuizAttempt | None
    passed: bool
    attempts: int
    open_attempt: QuizAttempt | None


@dataclass
class CourseStatus:
    course: Course
    lessons_done: set[int] = field(default_factory=set)
    quizzes: list[QuizStatus] = field(default_factory=list)
    certificate: Certificate | None = None
    practical_required: bool = False
    practical_passed: bool = False

    @property
    def lessons_total(self) -> int:
        return len(self.course.lessons)

    @property
    def lessons_completed(self) -> int:
        return sum(1 for lesson in self.course.lessons if lesson.id in self.lessons_done)

    @property
    def quizzes_passed(self) -> int:
        return sum(1 for q in self.quizzes if q.passed)

    @property
    def steps_total(self) -> int:
        return self.lessons_total + len(self.quizzes) + int(self.practical_required)

    @property
    def steps_done(self) -> int:
        return (self.lessons_completed + self.quizzes_passed
                + int(self.practical_required and self.practical_passed))

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def complete(self) -> bool:
        return self.steps_total > 0 and self.steps_done == self.steps_total

    @property
    def next_lesson(self) -> Lesson | None:
        return next((x for x in self.course.lessons if x.id not in self.lessons_done), None)

    @property
    def next_quiz(self) -> Quiz | None:
        return next((q.quiz for q in self.quizzes if not q.passed), None)

    def quiz_status(self, quiz: Quiz) -> QuizStatus | None:
        return next((q for q in self.quizzes if q.quiz.id == quiz.id), None)


def status(user: User, course: Course) -> CourseStatus:
    lesson_ids = [lesson.id for lesson in course.lessons]
    done = set(db.session.scalars(
        select(LessonProgress.lesson_id).where(
            LessonProgress.user_id == user.id, LessonProgress.completed.is_(True),
            LessonProgress.lesson_id.in_(lesson_ids))
    )) if lesson_ids else set()
    result = CourseStatus(course, done)
    for quiz in course.quizzes:
        tries = quizzes.attempts(user, quiz)
        submitted = [a for a in tries if a.submitted_at is not None]
        result.quizzes.append(QuizStatus(
            quiz, quizzes.best_of(tries), any(a.passed for a in submitted), len(submitted),
            next((a for a in tries if a.submitted_at is None), None)))
    result.practical_required = bool(course.practical_brief)
    result.practical_passed = result.practical_required and practical.has_passed(user, course)
    result.certificate = certificates.for_learner(user, course)
    return result


def _rows(kind: str, table: str, *values: str) -> str:
    """One part of ``_PERSONAL``: a label and five typed values (NULL where none)."""
    types = ("INTEGER", "INTEGER", "INTEGER", "BOOLEAN", "TIMESTAMP")
    columns = [*values, *(f"CAST(NULL AS {t})" for t in types[len(values):])]
    return f"SELECT '{kind}', {', '.join(columns)} FROM {table}"  # noqa: S608 (our own names)


# What a course page shows of a learner, in one query through the database driver (see
# ``driver_sql``; the course page runs it for every request): the course's published state, the
# enrolment, the lessons completed, every quiz attempt, a passed practical assignment and the
# certificate. Parameters: the course, then the user and the course for each other part.
_PERSONAL = " UNION ALL ".join([
    _rows("course", "courses c", "c.id", "CAST(NULL AS INTEGER)", "CAST(NULL AS INTEGER)",
          "c.published") + " WHERE c.id = ?",
    _rows("enrolled", "enrolments e", "e.id") + " WHERE e.user_id = ? AND e.course_id = ?",
    _rows("lesson", "lesson_progress lp JOIN lessons l ON l.id = lp.lesson_id", "lp.lesson_id")
    + " WHERE lp.user_id = ? AND l.course_id = ? AND lp.completed = TRUE",
    _rows("attempt", "quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id", "a.id", "a.quiz_id",
          "a.score", "a.passed", "a.submitted_at") + " WHERE a.user_id = ? AND q.course_id = ?",
    _rows("practical", "submissions s", "s.id")
    + " WHERE s.user_id = ? AND s.course_id = ? AND s.passed = TRUE",
    _rows("certificate", "certificates cert", "cert.id")
    + " WHERE cert.user_id = ? AND cert.course_id = ?",
])


@dataclass(frozen=True)
class Fingerprint:
    """Everything ``status`` reads of a learner for a course, as plain values, with the course's
    published state and the enrolment. Two moments with the same fingerprint have the same
    status. ``published`` is None when there is no such course."""

    published: bool | None
    enrolled: bool
    learner: tuple  # lessons completed, quiz attempts, practical passed, certificate


def fingerprint(user: User | None, course_id: int) -> Fingerprint:
    user_id = user.id if user is not None and user.is_authenticated else -1
    rows = driver_sql.fetch_all(_PERSONAL, (course_id, *(user_id, course_id) * 5))
    published = next((bool(r[4]) for r in rows if r[0] == "course"), None)
    enrolled = any(r[0] == "enrolled" for r in rows)
    # Sorted by kind and id (the UNION's order is the database's choice). The values are as the
    # driver gives them: the same values give the same fingerprint.
    learner = tuple(sorted((tuple(r) for r in rows if r[0] not in ("course", "enrolled")),
                           key=lambda row: (row[0], row[1])))
    return Fingerprint(published, enrolled, learner)


def update(user: User, course: Course) -> Certificate | None:
    """Issues the certificate when the course has just been completed; returns it if new."""
    current = status(user, course)
    if current.complete and current.certificate is None:
        return certificates.issue(user, course)
    return None
