"""A learner's progress through a course, and the certificate when it is completed.

The rule, stated on the course page: a course is completed when every lesson is completed, every
quiz is passed and, when the course has a practical assignment, an examiner has passed it. The
certificate is issued at that moment, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Certificate, Course, Lesson, LessonProgress, Quiz, QuizAttempt, User
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


def update(user: User, course: Course) -> Certificate | None:
    """Issues the certificate when the course has just been completed; returns it if new."""
    current = status(user, course)
    if current.complete and current.certificate is None:
        return certificates.issue(user, course)
    return None
