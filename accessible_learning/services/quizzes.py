"""Quizzes: authoring, attempts saved as the learner goes, scoring and review.

Every question is worth one point. A single-choice question is right when the right choice is
chosen; a multiple-choice question when exactly the right choices are chosen; a short-text
question when the answer matches an accepted answer, compared without case, spacing or
punctuation. The score is the percentage of questions right; the quiz is passed at its pass mark.

No time limit unless the quiz sets one. With a limit, the learner is warned before it runs out
and can extend it (WCAG 2.2.1) up to ``MAX_EXTENSIONS`` times, each time by the whole limit again.
It must not decide who may take a quiz (``access`` does).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Choice, Course, Question, Quiz, QuizAttempt, User, utcnow

MAX_EXTENSIONS = 10
WARN_BEFORE_S = 120  # the page warns this long before the time runs out
MAX_TEXT_ANSWER = 500
MAX_CHOICES = 8


class QuizError(ValueError):
    """A request the learner or content team should be told about; nothing was changed."""


# ---------------------------------------------------------------------------------------------
# Reading


def get(quiz_id: int) -> Quiz | None:
    return db.session.get(Quiz, quiz_id)


def attempts(user: User, quiz: Quiz) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
        .order_by(QuizAttempt.number)
    ))


def after_lesson(lesson) -> list[Quiz]:
    """The quizzes learners take after this lesson: those set after it, and on the course's
    last lesson those set after none."""
    lessons = lesson.course.lessons
    last = bool(lessons) and lessons[-1].id == lesson.id
    return [q for q in lesson.course.quizzes
            if q.lesson_id == lesson.id or (last and q.lesson_id is None)]


def open_attempt(user: User, quiz: Quiz) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id,
                                  QuizAttempt.submitted_at.is_(None))
    )


def has_passed(user: User, quiz: Quiz) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.passed.is_(True))
    ) > 0


def best_of(tries: list[QuizAttempt]) -> QuizAttempt | None:
    """The best sent attempt (the earliest of equal scores)."""
    done = [a for a in tries if a.submitted_at is not None]
    return max(done, key=lambda a: (a.score or 0, -a.number)) if done else None


# ---------------------------------------------------------------------------------------------
# Attempts


def start(user: User, quiz: Quiz) -> QuizAttempt:
    """The learner's open attempt, or a new one."""
    if not quiz.questions:
        raise QuizError(_("This quiz has no questions yet."))
    current = open_attempt(user, quiz)
    if current is not None:
        return current
    number = (db.session.scalar(
        select(func.max(QuizAttempt.number)).where(QuizAttempt.user_id == user.id,
                                                   QuizAttempt.quiz_id == quiz.id)
    ) or 0) + 1
    now = utcnow()
    attempt = QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=number, answers={},
                          started_at=now)
    if quiz.time_limit_min:
        attempt.deadline_at = now + timedelta(minutes=quiz.time_limit_min)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # "Start" pressed twice at once: the other request made it
        db.session.rollback()
        current = open_attempt(user, quiz)
        if current is None:
            raise
        return current
    return attempt


def seconds_left(attempt: QuizAttempt, now: datetime | None = None) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


def timed_out(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    return attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at


def extend(attempt: QuizAttempt) -> QuizAttempt:
    if attempt.submitted_at is not None:
        raise QuizError(_("This attempt was already sent."))
    if attempt.deadline_at is None:
        raise QuizError(_("This quiz has no time limit."))
    if attempt.extensions >= MAX_EXTENSIONS:
        raise QuizError(_("The time cannot be extended again."))
    start_from = max(attempt.deadline_at, utcnow())
    attempt.deadline_at = start_from + timedelta(minutes=attempt.quiz.time_limit_min)
    attempt.extensions += 1
    db.session.commit()
    return attempt


def parse_answers(quiz: Quiz, form) -> dict[str, list[int] | str]:
    """Answers from a form (``q-<question id>`` fields). Anything that is not an answer to one
    of this quiz's questions is refused, so a tampered or misdirected form changes nothing."""
    questions = {f"q-{q.id}": q for q in quiz.questions}
    answers: dict[str, list[int] | str] = {}
    for name in form:
        if name in ("csrf_token", "action"):
            continue
        question = questions.get(name)
        if question is None:
            raise QuizError(_("The form contained an answer to a question that is not in this "
                            "quiz. Reload the quiz and answer again."))
        values = [v for v in form.getlist(name)]
        if question.kind == "text":
            if len(values) != 1:
                raise QuizError(_("A short-text question takes one answer."))
            text = values[0].strip()
            if len(text) > MAX_TEXT_ANSWER:
                raise QuizError(_("Answers are at most %(count)d characters long.",
                                  count=MAX_TEXT_ANSWER))
            if text:
                answers[str(question.id)] = text
            continue
        ids = {c.id for c in question.choices}
        chosen: list[int] = []
        for value in values:
            if not value.isdigit() or int(value) not in ids:
                raise QuizError(_("The form contained a choice that does not belong to its "
                                "question. Reload the quiz and answer again."))
            if int(value) not in chosen:
                chosen.append(int(value))
        if question.kind == "single" and len(chosen) > 1:
            raise QuizError(_("A single-choice question takes one answer."))
        if chosen:
            answers[str(question.id)] = chosen
    return answers


def save(attempt: QuizAttempt, answers: dict) -> QuizAttempt:
    """Saves the answers given so far (the whole form, so a cleared answer is cleared)."""
    if attempt.submitted_at is not None:
        raise QuizError(_("This attempt was already sent; its answers cannot change."))
    if timed_out(attempt):
        raise QuizError(_("The time for this attempt has run out, so this answer was not saved. "
                        "Send the quiz to see your result."))
    attempt.answers = dict(answers)
    db.session.commit()
    return attempt


def unanswered(attempt: QuizAttempt) -> list[Question]:
    return [q for q in attempt.quiz.questions if str(q.id) not in (attempt.answers or {})]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def is_right(question: Question, answer) -> bool:
    if answer is None:
        return False
    if question.kind == "text":
        accepted = {normalise(a) for a in (question.accepted or [])}
        return isinstance(answer, str) and normalise(answer) in accepted - {""}
    right = {c.id for c in question.choices if c.correct}
    return isinstance(answer, list) and set(answer) == right


def submit(attempt: QuizAttempt, answers: dict | None = None) -> QuizAttempt:
    """Scores the attempt. Before the time runs out, ``answers`` are saved first; after it, only
    the answers saved in time count. Unanswered questions are refused unless the time is out."""
    if attempt.submitted_at is not None:
        raise QuizError(_("This attempt was already sent."))
    late = timed_out(attempt)
    if answers is not None and not late:
        attempt.answers = dict(answers)
    if not late and unanswered(attempt):
        db.session.commit()  # keep what was answered
        raise QuizError(_("Some questions are not answered."))
    questions = attempt.quiz.questions
    right = sum(1 for q in questions if is_right(q, (attempt.answers or {}).get(str(q.id))))
    attempt.correct = right
    attempt.score = round(100 * right / len(questions)) if questions else 0
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    attempt.submitted_at = utcnow()
    db.session.commit()
    return attempt


@dataclass
class ReviewItem:
    question: Question
    answer: list[int] | str | None
    right: bool
    chosen: list[Choice] = field(default_factory=list)
    correct_choices: list[Choice] = field(default_factory=list)


def review(attempt: QuizAttempt) -> list[ReviewItem]:
    items = []
    for question in attempt.quiz.questions:
        answer = (attempt.answers or {}).get(str(question.id))
        chosen = [c for c in question.choices if isinstance(answer, list) and c.id in answer]
        items.append(ReviewItem(question, answer, is_right(question, answer), chosen,
                                [c for c in question.choices if c.correct]))
    return items


# ---------------------------------------------------------------------------------------------
# Authoring (content team)


def create(course: Course, title: str, intro: str, pass_mark: int, time_limit_min: int | None,
           lesson_id: int | None = None) -> Quiz:
    quiz = Quiz(course_id=course.id, title=title.strip(), intro=(intro or "").strip(),
                pass_mark=pass_mark, time_limit_min=time_limit_min or None, lesson_id=lesson_id)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def update(quiz: Quiz, title: str, intro: str, pass_mark: int, time_limit_min: int | None,
           lesson_id: int | None = None) -> Quiz:
    quiz.title, quiz.intro = title.strip(), (intro or "").strip()
    quiz.pass_mark, quiz.time_limit_min = pass_mark, time_limit_min or None
    quiz.lesson_id = lesson_id
    db.session.commit()
    return quiz


@dataclass
class ChoiceInput:
    text: str
    correct: bool = False
    feedback: str = ""


def check_question(kind: str, choices: list[ChoiceInput], accepted: list[str]) -> list[str]:
    """What is wrong with a question as written, in words for the content team."""
    problems = []
    filled = [c for c in choices if c.text.strip()]
    if kind == "text":
        if not [a for a in accepted if normalise(a)]:
            problems.append(_("A short-text question needs at least one accepted answer."))
        return problems
    if len(filled) < 2:
        problems.append(_("A choice question needs at least two answers."))
    right = [c for c in filled if c.correct]
    if kind == "single" and len(right) != 1:
        problems.append(_("A single-choice question needs exactly one right answer."))
    if kind == "multiple" and not right:
        problems.append(_("A multiple-choice question needs at least one right answer."))
    if [c for c in choices if not c.text.strip() and (c.correct or c.feedback.strip())]:
        problems.append(_("An answer marked right or given feedback has no text."))
    return problems


def save_question(quiz: Quiz, kind: str, prompt: str, explanation: str,
                  choices: list[ChoiceInput], accepted: list[str],
                  question: Question | None = None) -> Question:
    problems = check_question(kind, choices, accepted)
    if problems:
        raise QuizError(" ".join(problems))
    if question is None:
        position = (max((q.position for q in quiz.questions), default=0)) + 1
        question = Question(quiz=quiz, position=position)
        db.session.add(question)
    question.kind, question.prompt = kind, prompt.strip()
    question.explanation = (explanation or "").strip()
    question.accepted = [a.strip() for a in accepted if a.strip()] if kind == "text" else None
    question.choices.clear()
    db.session.flush()
    if kind != "text":
        for position, choice in enumerate([c for c in choices if c.text.strip()], start=1):
            question.choices.append(Choice(position=position, text=choice.text.strip(),
                                           correct=choice.correct,
                                           feedback=choice.feedback.strip()))
    db.session.commit()
    return question


def delete_question(question: Question) -> None:
    quiz = question.quiz
    db.session.delete(question)
    db.session.flush()
    for position, remaining in enumerate(sorted(quiz.questions, key=lambda q: q.position), 1):
        remaining.position = -position  # avoid the unique constraint while renumbering
    db.session.flush()
    for remaining in quiz.questions:
        remaining.position = -remaining.position
    db.session.commit()
