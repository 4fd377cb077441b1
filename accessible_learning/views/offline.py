"""Lessons to take away (issue 29): the service worker, the "Saved on this device" page, what a
lesson needs offline, the quiz answer sheet that works offline and the answers sent from it.

It must not decide access itself (``access`` does) nor store anything (``services.offline`` and
the browser do).
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from .. import access
from ..services import completion, offline, quizzes

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site's root so that it may look after every page."""
    path = Path(current_app.static_folder) / "js" / "sw.js"
    response = send_file(path, mimetype="text/javascript", max_age=0)
    response.cache_control.no_cache = True  # a new version is found at the next visit
    return response


@bp.get("/offline")
def saved():
    """What this device keeps: listed by offline.js from the browser's own storage."""
    return render_template("offline/saved.html")


@bp.get("/offline/kept")
@login_required
def kept():
    """Shown by the service worker when answers could not be sent: they wait on the device."""
    return render_template("offline/kept.html")


@bp.get("/offline/token")
@login_required
def token():
    """A fresh form token, for sending what waited on the device (the one in a stored page
    may be too old)."""
    response = jsonify(token=generate_csrf())
    response.cache_control.no_store = True
    return response


@bp.get("/lessons/<int:lesson_id>/offline.json")
@login_required
def lesson_manifest(lesson_id: int):
    allowed = access.lesson_access(current_user, lesson_id)
    if allowed is None or not allowed.allowed:
        abort(404)
    response = jsonify(offline.manifest(access.lesson_or_404(lesson_id)))
    response.cache_control.no_store = True
    return response


@bp.get("/quizzes/<int:quiz_id>/offline")
@login_required
def quiz_sheet(quiz_id: int):
    quiz = access.quiz_or_404(quiz_id)
    return render_template("quizzes/offline.html", quiz=quiz)


@bp.post("/quizzes/<int:quiz_id>/offline-answers")
@login_required
def offline_answers(quiz_id: int):
    """Answers given offline, sent by the learner (online) or by the service worker when the
    connection came back (``X-Offline-Replay``: the answer is JSON, for it to report)."""
    quiz = access.quiz_or_404(quiz_id)
    replay = request.headers.get("X-Offline-Replay") == "1"
    try:
        attempt = offline.submit_offline(current_user, quiz, request.form)
    except quizzes.QuizError as error:
        if replay:
            return jsonify(ok=False, message=_("Your answers to “%(quiz)s” were not taken: "
                                               "%(reason)s", quiz=quiz.title,
                                               reason=str(error))), 409
        flash(str(error), "error")
        return redirect(url_for("quizzes.quiz_page", quiz_id=quiz.id))
    certificate = completion.update(current_user, quiz.course)
    result = url_for("quizzes.result", attempt_id=attempt.id)
    if replay:
        return jsonify(ok=True, result=result, certificate=certificate is not None,
                       message=_("Your answers to “%(quiz)s” were sent: %(score)d %%.",
                                 quiz=quiz.title, score=attempt.score))
    if certificate is not None:
        flash(_("You have completed the course. Your certificate is ready."), "success")
    return redirect(result)
