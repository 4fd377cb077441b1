"""The lesson player's requests: transcript, progress and completion, and voice commands.

It must not decide access itself: it asks ``access``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import access
from ..extensions import limiter, user_key
from ..models import Lesson
from ..rendering import is_htmx, render_page
from ..services import (
    captions,
    catalogue,
    completion,
    preferences,
    progress,
    quizzes,
    transcript,
    usage,
)
from .voice import command_reply

bp = Blueprint("player", __name__)


def completion_context(lesson: Lesson) -> dict:
    row = progress.get(current_user, lesson)
    length = progress.duration(lesson)
    played = round(100 * row.watched_s / length) if row and length else 0
    return {"lesson": lesson, "progress_row": row, "played_percent": min(played, 100),
            "completion_percent": round(100 * progress.COMPLETION_SHARE),
            "quizzes_after": quizzes.after_lesson(lesson)}


@bp.get("/lessons/<int:lesson_id>/transcript")
@login_required
def transcript_page(lesson_id: int):
    """The transcript: a page of its own (to read, print or download), or, for htmx, the
    interactive panel beside the video, whose lines seek the video."""
    found = access.lesson_or_404(lesson_id, catalogue.LESSON_CAPTIONS)
    query = transcript.clean_query(request.args.get("q"))
    language, choices = _transcript_language(found)
    lines = transcript.search(transcript.items(found, language), query)
    count_text = (ngettext("%(num)d line contains “%(query)s”.",
                           "%(num)d lines contain “%(query)s”.", len(lines), query=query)
                  if query else "")
    return render_page(
        "catalogue/transcript.html", "catalogue/_transcript_panel.html",
        lines=lines, query=query, count_text=count_text, transcript_language=language,
        transcript_languages=choices, **completion_context(found),
    )


def _transcript_language(lesson: Lesson) -> tuple[str, list[tuple[str, str]]]:
    """The language to show the transcript in (asked for, else the learner's, else the
    lesson's own) and the languages to choose from, with their names."""
    available = transcript.languages(lesson)
    wanted = request.args.get("lang") or preferences.current(current_user).transcript_in()
    own = available[0] if available else lesson.language
    language = wanted if wanted in available else own
    return language, [(code, captions.language_name(code)) for code in available]


@bp.get("/lessons/<int:lesson_id>/transcript.txt")
@login_required
def transcript_text(lesson_id: int):
    found = access.lesson_or_404(lesson_id, catalogue.LESSON_CAPTIONS)
    language, _choices = _transcript_language(found)
    text = transcript.plain_text(found, _("Description:"), language)
    return Response(text, content_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="lesson-{found.id}-transcript.txt"'})


@bp.post("/lessons/<int:lesson_id>/progress")
@login_required
def save_progress(lesson_id: int):
    """The player reports the position and the parts played since its last report (JSON).
    Several a minute per learner watching: the lesson itself is loaded only when the report
    completes it."""
    allowed = access.lesson_access(current_user, lesson_id)
    if allowed is None or not allowed.allowed:
        abort(404)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error=_("The progress report was not understood. Nothing was changed.")), 400
    try:
        report = progress.record(current_user, lesson_id, allowed.duration_s,
                                 data.get("position"), data.get("played"))
    except progress.ProgressError:
        return jsonify(error=_("The progress report had impossible times, so it was not saved. "
                               "Your earlier progress is kept.")), 400
    features = usage.features_from(data.get("features"))
    if features and data.get("played"):
        usage.record(current_user, *features)
    message = _("Lesson completed.") if report.newly_completed else ""
    if report.newly_completed and completion.update(
            current_user, catalogue.get_course(allowed.course_id)) is not None:
        message = _("Lesson completed. You have completed the course: your certificate is ready "
                    "on the course page.")
    return jsonify(position=report.position_s, watched=report.watched_s,
                   completed=report.completed, newly_completed=report.newly_completed,
                   message=message)


@bp.post("/lessons/<int:lesson_id>/transcript-read")
@login_required
def transcript_read(lesson_id: int):
    found = access.lesson_or_404(lesson_id)
    newly = progress.transcript_read(current_user, found)
    message = (_("Lesson completed: you have read the transcript.") if newly
               else _("This lesson was already completed."))
    certificate = completion.update(current_user, found.course) if newly else None
    if certificate is not None:
        message += " " + _("You have completed the course: your certificate is ready.")
    if is_htmx():
        return render_template("catalogue/_completion.html", announcement=message,
                               new_certificate=certificate, **completion_context(found))
    flash(message, "success")
    return redirect(url_for("catalogue.lesson", lesson_id=found.id) + "#completion")


@bp.post("/lessons/<int:lesson_id>/voice")
@login_required
@limiter.limit(lambda: current_app.config["VOICE_RATE_LIMIT"], key_func=user_key)
def voice_command(lesson_id: int):
    """One spoken command: the body is 16 kHz mono 16-bit PCM; the reply is the command as JSON.
    ``?expect=answer``: the learner's yes or no to the player's question. The audio is
    recognised in memory and never stored."""
    expect = "answer" if request.args.get("expect") == "answer" else "command"
    return _recognise(lesson_id, expect)


@bp.post("/lessons/<int:lesson_id>/voice/wake")
@login_required
@limiter.limit(lambda: current_app.config["VOICE_WAKE_RATE_LIMIT"], key_func=user_key)
def voice_wake(lesson_id: int):
    """Hands-free listening: whether a short utterance is the word that wakes the player (the
    command after it goes to ``voice_command``). Its own, larger limit: the page sends each
    short sound it hears."""
    return _recognise(lesson_id, "wake")


def _recognise(lesson_id: int, expect: str):
    found = access.lesson_or_404(lesson_id)
    return command_reply(found.language, expect)
