"""Teach the player your voice: the learner records their own voice commands (with consent),
sees how many of each are kept, and deletes them (``services/voice_samples``). It must not
show or change another learner's recordings.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import (
    Blueprint,
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

from ..extensions import limiter, user_key
from ..services import player_help, preferences, usage, voice_commands, voice_samples

bp = Blueprint("voice", __name__, url_prefix="/account/voice")
MAX_TAKE_BYTES = int(voice_samples.voice_templates.MAX_TAKE_S * 16000 * 2) + 32000


MAX_UTTERANCE_BYTES = int(voice_commands.MAX_SECONDS * 16000 * 2)  # 16 kHz 16-bit mono


def command_reply(language: str, expect: str):
    """The JSON answer to one spoken command (the request's body: 16 kHz mono 16-bit PCM) in
    ``language``, for the lesson player and the live class's page alike; refusals in words.
    The audio is recognised in memory and never stored."""
    length = request.content_length
    if length is None or length > MAX_UTTERANCE_BYTES:
        return jsonify(error=_("Say one short command at a time (at most 10 seconds).")), 413
    audio = request.get_data(cache=False)
    if len(audio) % 2:
        return jsonify(error=_("The recording was not understood as audio. Try again.")), 400
    try:
        command = voice_commands.recognise(
            language, audio, preferences.current(current_user).voice_sensitivity,
            expect=expect, user=current_user)
        if command.decision == "act" and expect == "command":
            usage.record(current_user, "voice")
    except voice_commands.ModelNotFound:
        return jsonify(error=_("Voice commands are not available in this language on this "
                               "server. The buttons and keyboard shortcuts do the same.")), 503
    except voice_commands.MediaError:
        return jsonify(error=_("The recording was not understood as audio. Try again.")), 400
    return jsonify(command.as_dict())


def _language() -> str:
    wanted = request.values.get("language", "")
    offered = voice_samples.languages()
    return wanted if wanted in offered else ("ko" if "ko" in offered else offered[0])


def _back(language: str):
    return redirect(url_for("voice.teach", language=language) + "#commands")


@bp.get("")
@login_required
def teach():
    language = _language()
    return render_template(
        "account/voice.html", language=language, command_languages=voice_commands.phrase_table(),
        commands=voice_samples.summary(current_user, language),
        consented=voice_samples.has_consent(current_user), takes=voice_samples.TAKES,
        labels=player_help.command_labels())


@bp.post("/consent")
@login_required
def consent():
    language = _language()
    if request.form.get("agree") != "yes":
        flash(_("Nothing is recorded until you agree that your recordings are kept. Tick the "
                "box to agree, or leave this page."), "error")
        return redirect(url_for("voice.teach", language=language))
    voice_samples.give_consent()
    flash(_("Thank you. Record each command two or three times."), "success")
    return _back(language)


def _saved_message(count: int, phrase: str) -> str:
    return ngettext("“%(phrase)s” recorded: %(num)d of %(takes)d.",
                    "“%(phrase)s” recorded: %(num)d of %(takes)d.", count,
                    phrase=phrase, takes=voice_samples.TAKES)


@bp.post("/<key>")
@login_required
@limiter.limit(lambda: current_app.config["VOICE_RATE_LIMIT"], key_func=user_key)
def record(key: str):
    """One take from the page's microphone: 16 kHz mono 16-bit PCM; the reply is JSON."""
    language = _language()
    if request.content_length is None or request.content_length > MAX_TAKE_BYTES:
        return jsonify(error=_("Say the command alone, within four seconds.")), 413
    try:
        count = voice_samples.add(current_user, language, key, request.get_data(cache=False))
    except voice_samples.SampleError as exc:
        return jsonify(error=str(exc)), 400
    phrase = voice_samples.phrase_of(language, key)
    return jsonify(count=count, message=_saved_message(count, phrase),
                   counted=_("%(num)d of %(takes)d", num=count, takes=voice_samples.TAKES))


@bp.post("/upload")
@login_required
def upload():
    """A take as an audio file, for a learner without a microphone on this page."""
    language = _language()
    key = request.form.get("key", "")
    sent = request.files.get("recording")
    if sent is None or not sent.filename:
        flash(_("Choose an audio file with your recording of the command."), "error")
        return _back(language)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "take"
        sent.save(path)
        try:
            count = voice_samples.add_file(current_user, language, key, path)
        except voice_samples.SampleError as exc:
            flash(str(exc), "error")
            return _back(language)
    phrase = voice_samples.phrase_of(language, key)
    flash(_saved_message(count, phrase), "success")
    return _back(language)


@bp.post("/delete")
@login_required
def remove():
    language = _language()
    key = request.form.get("key") or None
    try:
        deleted = voice_samples.remove(current_user, language, key)
    except voice_samples.SampleError as exc:
        flash(str(exc), "error")
        return _back(language)
    if key is None:
        flash(ngettext("All your recordings are deleted (%(num)d). None are kept until you "
                       "agree again.", "All your recordings are deleted (%(num)d). None are "
                       "kept until you agree again.", deleted), "success")
        return redirect(url_for("voice.teach", language=language))
    flash(ngettext("%(num)d recording deleted.", "%(num)d recordings deleted.", deleted),
          "success")
    return _back(language)

