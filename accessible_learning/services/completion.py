"""A learner's progress through a course, and the certificate when it is completed.

The rule, stated on the course page: a course is completed when every lesson is completed, every
quiz is passed and, when the course has a practical assignment, an examiner has passed it. The
certificate is issued at that moment, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)

from ..extensions import db
from ..models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    Submission,
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


def _rows(kind: str, *columns):
    """One part of ``_PERSONAL``: a label and up to five typed values (NULL where none)."""
    types = (Integer, Integer, Integer, Boolean, DateTime)
    values = list(columns) + [cast(null(), t) for t in types[len(columns):]]
    return select(literal(kind, String).label("kind"),
                  *[v.label(f"v{i}") for i, v in enumerate(values)])


_USER, _COURSE = bindparam("user_id", type_=Integer), bindparam("course_id", type_=Integer)
# What a course page shows of a learner, in one query: the course's published state, the
# enrolment, the lessons completed, every quiz attempt, a passed practical assignment and the
# certificate.
_PERSONAL = union_all(
    _rows("course", Course.id, cast(null(), Integer), cast(null(), Integer), Course.published)
    .where(Course.id == _COURSE),
    _rows("enrolled", Enrolment.id)
    .where(Enrolment.user_id == _USER, Enrolment.course_id == _COURSE),
    _rows("lesson", LessonProgress.lesson_id).join(Lesson, Lesson.id == LessonProgress.lesson_id)
    .where(LessonProgress.user_id == _USER, Lesson.course_id == _COURSE,
           LessonProgress.completed.is_(True)),
    _rows("attempt", QuizAttempt.id, QuizAttempt.quiz_id, QuizAttempt.score, QuizAttempt.passed,
          QuizAttempt.submitted_at).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
    .where(QuizAttempt.user_id == _USER, Quiz.course_id == _COURSE),
    _rows("practical", Submission.id)
    .where(Submission.user_id == _USER, Submission.course_id == _COURSE,
           Submission.passed.is_(True)),
    _rows("certificate", Certificate.id)
    .where(Certificate.user_id == _USER, Certificate.course_id == _COURSE),
)


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
    rows = db.session.execute(_PERSONAL, {"user_id": user_id, "course_id": course_id}).all()
    published = next((bool(r.v3) for r in rows if r.kind == "course"), None)
    enrolled = any(r.kind == "enrolled" for r in rows)
    # Sorted by kind and id (the UNION's order is the database's choice).
    learner = tuple(sorted((tuple(r) for r in rows if r.kind not in ("course", "enrolled")),
                           key=lambda row: (row[0], row[1])))
    return Fingerprint(published, enrolled, learner)


def update(user: User, course: Course) -> Certificate | None:
    """Issues the certificate when the course has just been completed; returns it if new."""
    current = status(user, course)
    if current.complete and current.certificate is None:
        return certificates.issue(user, course)
    return None
