"""Learners take quizzes: start, answer (saved as they go), send, review, try again.

It must not decide access itself: it asks ``access``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access
from ..models import QuizAttempt
from ..rendering import is_htmx
from ..services import completion, quizzes

bp = Blueprint("quizzes", __name__)


@bp.get("/quizzes/<int:quiz_id>")
@login_required
def quiz_page(quiz_id: int):
    quiz = access.quiz_or_404(quiz_id)
    state = completion.status(current_user, quiz.course).quiz_status(quiz)
    return render_template("quizzes/quiz.html", quiz=quiz, state=state,
                           history=quizzes.attempts(current_user, quiz),
                           max_extensions=quizzes.MAX_EXTENSIONS)


@bp.post("/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int):
    quiz = access.quiz_or_404(quiz_id)
    try:
        attempt = quizzes.start(current_user, quiz)
    except quizzes.QuizError as error:
        flash(str(error), "error")
        return redirect(url_for("quizzes.quiz_page", quiz_id=quiz.id))
    return redirect(url_for("quizzes.attempt_page", attempt_id=attempt.id))


def _form_page(attempt: QuizAttempt, errors=None, status: int = 200, missing=()):
    return render_template("quizzes/attempt.html", attempt=attempt, quiz=attempt.quiz,
                           errors=errors or [], missing={q.id for q in missing},
                           seconds_left=quizzes.seconds_left(attempt),
                           warn_before=quizzes.WARN_BEFORE_S,
                           max_extensions=quizzes.MAX_EXTENSIONS), status


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int):
    attempt = access.attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    return _form_page(attempt)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def answer(attempt_id: int):
    """The quiz form: "Save answers" keeps them for later; "Send answers" scores the attempt."""
    attempt = access.attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        flash(_("This attempt was already sent. Here is its result."), "info")
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    try:
        answers = quizzes.parse_answers(attempt.quiz, request.form)
    except quizzes.QuizError as error:
        return _form_page(attempt, [str(error)], 400)
    if request.form.get("action") == "save":
        try:
            quizzes.save(attempt, answers)
        except quizzes.QuizError as error:
            return _form_page(attempt, [str(error)], 409)
        flash(_("Your answers are saved. You can come back and finish later."), "success")
        return redirect(url_for("quizzes.attempt_page", attempt_id=attempt.id))
    try:
        quizzes.submit(attempt, answers)
    except quizzes.QuizError as error:
        return _form_page(attempt, [str(error)], 400, quizzes.unanswered(attempt))
    certificate = completion.update(current_user, attempt.quiz.course)
    if certificate is not None:
        flash(_("You have completed the course. Your certificate is ready."), "success")
    return redirect(url_for("quizzes.result", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/autosave")
@login_required
def autosave(attempt_id: int):
    """htmx saves the answers whenever one changes; the reply is the save status line."""
    attempt = access.attempt_or_404(attempt_id)
    try:
        quizzes.save(attempt, quizzes.parse_answers(attempt.quiz, request.form))
    except quizzes.QuizError as error:
        # 200 so that htmx shows the reason in the status line instead of a generic error.
        return render_template("quizzes/_save_status.html", error=str(error))
    return render_template("quizzes/_save_status.html", attempt=attempt)


@bp.post("/attempts/<int:attempt_id>/extend")
@login_required
def extend(attempt_id: int):
    attempt = access.attempt_or_404(attempt_id)
    try:
        quizzes.extend(attempt)
    except quizzes.QuizError as error:
        message, status = str(error), 409
    else:
        message = _("The time is extended by %(minutes)d minutes.",
                    minutes=attempt.quiz.time_limit_min)
        status = 200
    if is_htmx():
        return render_template("quizzes/_timer.html", attempt=attempt,
                               seconds_left=quizzes.seconds_left(attempt),
                               warn_before=quizzes.WARN_BEFORE_S,
                               max_extensions=quizzes.MAX_EXTENSIONS,
                               announcement=message)
    flash(message, "success" if status == 200 else "error")
    return redirect(url_for("quizzes.attempt_page", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = access.attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("quizzes.attempt_page", attempt_id=attempt.id))
    state = completion.status(current_user, attempt.quiz.course)
    return render_template("quizzes/result.html", attempt=attempt, quiz=attempt.quiz,
                           items=quizzes.review(attempt), course_state=state,
                           passed_before=quizzes.has_passed(current_user, attempt.quiz))
