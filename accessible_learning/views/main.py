"""The home page, the dashboard ("My learning"), the interface language and the help pages. It
must not change anything but the visitor's language choice.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..services import catalogue, preferences

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("home.html", trades=catalogue.trades(catalogue.HOME_PAGE),
                           courses=catalogue.search())


@bp.get("/dashboard")
@login_required
def dashboard():
    from ..services import certificates, completion, live, practical

    states = [completion.status(current_user, c)
              for c in catalogue.enrolled_courses(current_user)]
    return render_template("dashboard.html", states=states,
                           certificates=certificates.of_learner(current_user),
                           new_reviews=practical.unseen_reviews(current_user),
                           live_classes=live.upcoming_for(current_user))


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths, never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language not in {"en", "zh"}:
        abort(400)
    session["language"] = language
    if current_user.is_authenticated and current_user.preferences is not None:
        preferences.update(current_user, {"language": language})
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@bp.get("/help/player")
def player_help():
    """The player's keyboard shortcuts and every language's voice commands."""
    from ..services import player_help as shortcuts
    from ..services import voice_commands

    return render_template("help/player.html", shortcuts=shortcuts.SHORTCUTS,
                           voice_languages=voice_commands.phrase_table(),
                           command_labels=shortcuts.command_labels())
