"""Live classes (issue 28): scheduling them in the studio, the teacher's page (where to stream,
the stream key, the captions as they come), the learner's page (the class through hls.js with
live captions and a live transcript), its HLS files, its events (Server-Sent Events), its
calendar file and captions, and the ingest's questions (from nginx on this machine only).

Each change is one call to ``services.live``; it must not touch ``db.session`` nor decide access
itself (``access`` does).
"""

from __future__ import annotations

import ipaddress
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from media_pipeline import languages

from .. import access
from ..extensions import csrf, limiter, user_key
from ..forms import LiveClassForm
from ..live.bus import hub_for
from ..models import LiveClass
from ..security import role_required
from ..services import live, player_help, voice_commands
from .voice import command_reply

bp = Blueprint("live", __name__)

HLS_PLAYLISTS = {"index.m3u8", "master.m3u8", "subs.m3u8"}  # nginx's, and the captions'
HLS_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
KEEP_ALIVE_S = 15  # an SSE comment this often, so that a closed connection is noticed
STREAM_FOR_S = 600  # an SSE response ends after this long; the browser reconnects by itself
STATE_EVERY_S = 2  # how often a viewer's response looks whether the class has ended
WAIT_S = 0.5  # a viewer's response waits this long for an event before it looks around


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLASS_TIME_ZONE"])


def _form(live_class: LiveClass | None = None, course=None) -> LiveClassForm:
    if request.method == "POST":
        form = LiveClassForm()
    else:
        form = LiveClassForm(formdata=None)
        if live_class is not None:
            local = live.to_local(live_class.starts_at, _zone())
            form.title.data, form.day.data, form.start.data = (live_class.title, local.date(),
                                                               local.time())
            form.minutes.data, form.language.data = live_class.minutes, live_class.language
        elif course is not None:
            form.language.data = course.language
    codes = languages.offered()
    form.language.choices = [(code, languages.get(code).native_name) for code in codes]
    return form


def _details(form: LiveClassForm) -> live.ClassDetails:
    starts_at = live.from_local(datetime.combine(form.day.data, form.start.data), _zone())
    return live.ClassDetails(form.title.data, starts_at, form.minutes.data, form.language.data)


def _rtmp_server() -> str:
    host = current_app.config["RTMP_PUBLIC_HOST"] or request.host.rsplit(":", 1)[0]
    return f"rtmp://{host}:{current_app.config['RTMP_PORT']}/live"


# -- the studio --------------------------------------------------------------------------------
@bp.route("/studio/courses/<int:course_id>/live/new", methods=["GET", "POST"])
@role_required("content")
def new_class(course_id: int):
    course = access.course_or_404(course_id)
    form = _form(course=course)
    if form.validate_on_submit():
        made = live.schedule(course, _details(form))
        flash(_("The live class “%(title)s” is scheduled. Below are the server and the stream "
                "key to give the teacher's encoder.", title=made.title), "success")
        return redirect(url_for("live.studio_class", live_class_id=made.id))
    return render_template("live/new.html", course=course, form=form,
                           zone=current_app.config["CLASS_TIME_ZONE"]), \
        400 if form.errors else 200


@bp.route("/studio/live/<int:live_class_id>", methods=["GET", "POST"])
@role_required("content")
def studio_class(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    form = _form(found)
    if form.validate_on_submit():
        live.update(found, _details(form))
        flash(_("The class's details are saved."), "success")
        return redirect(url_for("live.studio_class", live_class_id=found.id))
    return render_template("live/studio_class.html", live_class=found, form=form,
                           questions=live.questions(found),
                           last_event=hub_for(current_app.config).bus.last_seq(found.id),
                           rtmp_server=_rtmp_server(), zone=current_app.config["CLASS_TIME_ZONE"],
                           grace_minutes=max(1, round(live.reconnect_grace().total_seconds() / 60)),
                           ingest_problem=live.ingest_problem()), 400 if form.errors else 200


@bp.post("/studio/live/<int:live_class_id>/key")
@role_required("content")
def change_key(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    try:
        live.change_key(found)
    except live.LiveError as problem:
        flash(str(problem), "error")
    else:
        flash(_("The class has a new stream key; the old one no longer works. Give the new one "
                "to the teacher's encoder."), "success")
    return redirect(url_for("live.studio_class", live_class_id=found.id) + "#stream-heading")


@bp.post("/studio/live/<int:live_class_id>/end")
@role_required("content")
def end_class(live_class_id: int):
    """The teacher ends the class: at once when no stream comes in, else when it stops."""
    found = access.live_class_or_404(live_class_id)
    try:
        ended = live.request_end(found)
    except live.LiveError as problem:
        flash(str(problem), "error")
    else:
        flash(_("The class has ended. Its recording is being made into a draft lesson of the "
                "course.") if ended else
              _("The class ends as soon as its stream stops: stop streaming in your encoder."),
              "success")
    return redirect(url_for("live.studio_class", live_class_id=found.id) + "#now-heading")


# -- learners ----------------------------------------------------------------------------------
@bp.get("/live/<int:live_class_id>")
@login_required
def watch(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    return render_template("live/watch.html", live_class=found,
                           zone=current_app.config["CLASS_TIME_ZONE"],
                           last_event=hub_for(current_app.config).bus.last_seq(found.id),
                           player_messages=player_help.messages(),
                           voice_examples=voice_commands.examples(found.language))


@bp.get("/live/<int:live_class_id>/hls/<name>")
@login_required
def hls_file(live_class_id: int, name: str):
    """The class's HLS playlists and segments, as the ingest writes them, and its captions as
    a subtitle playlist (``live.hls_subtitles``)."""
    found = access.live_class_or_404(live_class_id)
    if not name or set(name) - HLS_NAME_CHARS or name.startswith(".") or not (
            name.endswith((".ts", ".vtt")) or name in HLS_PLAYLISTS):
        abort(404)
    folder = live.hls_folder(found)
    response = send_from_directory(folder, name, max_age=0 if name.endswith(".m3u8") else 3600)
    response.headers["Cache-Control"] = ("no-cache" if name.endswith(".m3u8")
                                         else "private, max-age=3600")
    return response


@bp.get("/live/<int:live_class_id>/events")
@login_required
def events(live_class_id: int):
    """The class's captions as they come (Server-Sent Events): ``partial`` and ``final``
    events from the captioner, and ``state`` when the class ends."""
    found = access.live_class_or_404(live_class_id)
    class_id = found.id
    hub = hub_for(current_app.config)
    teacher = current_user.has_role("content")  # questions are for the teacher's eyes
    # A reconnecting browser says what it had (Last-Event-ID); the page says what it showed.
    last = request.headers.get("Last-Event-ID", "") or request.args.get("after", "")
    after = int(last) if last.isdigit() else None

    def stream():
        viewer = hub.viewer(class_id, after)
        try:
            yield "retry: 1000\n\n"
            until = time.monotonic() + STREAM_FOR_S
            checked, alive = 0.0, time.monotonic()  # the state is looked at once caught up
            while True:
                event = viewer.next(timeout=WAIT_S)
                now = time.monotonic()
                if event is not None and (teacher or event["type"] != "question"):
                    alive = now
                    numbered = f"id: {event['seq']}\n" if event.get("seq") else ""
                    yield (f"{numbered}event: {event['type']}\n"
                           f"data: {json.dumps(event, ensure_ascii=False)}\n\n")
                    continue
                if event is not None:
                    continue
                # Nothing new: look at the class now and then, keep the connection alive, and
                # end the response after a while (the browser reconnects with the last id).
                if now - checked >= STATE_EVERY_S:
                    checked = now
                    if live.state_of(class_id) == "ended":
                        yield f"event: state\ndata: {json.dumps({'state': 'ended'})}\n\n"
                        return
                if now - alive >= KEEP_ALIVE_S:
                    alive = now
                    yield ": still here\n\n"
                if now > until:
                    return
        finally:
            viewer.close()

    response = Response(stream_with_context(stream()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/live/<int:live_class_id>/calendar.ics")
@login_required
def calendar(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    url = url_for("live.watch", live_class_id=found.id, _external=True)
    response = Response(live.ics(found, url, request.host), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="class-{found.id}.ics"'
    return response


@bp.get("/live/<int:live_class_id>/captions.vtt")
@login_required
def captions(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    return Response(live.captions_vtt(found), mimetype="text/vtt")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/live/<int:live_class_id>/voice")
@login_required
@limiter.limit(lambda: current_app.config["VOICE_RATE_LIMIT"], key_func=user_key)
def voice_command(live_class_id: int):
    """One spoken command on the class's page, as on the lesson player (``?expect=answer``: the
    learner's yes or no when the page asks)."""
    found = access.live_class_or_404(live_class_id)
    return command_reply(found.language,
                         "answer" if request.args.get("expect") == "answer" else "command")


DICTATION_BYTES = int(voice_commands.DICTATION_SECONDS * 16000 * 2)  # 16 kHz 16-bit mono


@bp.post("/live/<int:live_class_id>/questions/voice")
@login_required
@limiter.limit(lambda: current_app.config["VOICE_RATE_LIMIT"], key_func=user_key)
def dictate(live_class_id: int):
    """A spoken question (the body: 16 kHz mono 16-bit PCM) written out for the learner to check
    and send; the audio is recognised in memory and never stored."""
    found = access.live_class_or_404(live_class_id)
    if found.state == "ended":
        return {"error": _("The class has ended, so questions are no longer taken.")}, 400
    if request.content_length is None or request.content_length > DICTATION_BYTES:
        return {"error": _("A spoken question can be at most %(seconds)d seconds long. Say it "
                           "in parts, or type it.",
                           seconds=int(voice_commands.DICTATION_SECONDS))}, 413
    try:
        text = voice_commands.transcribe(found.language, request.get_data(cache=False))
    except voice_commands.ModelNotFound:
        return {"error": _("Spoken questions are not available for this class's language on "
                           "this server. Type your question instead.")}, 503
    except voice_commands.MediaError:
        return {"error": _("The recording was not understood as audio. Try again, or type "
                           "your question.")}, 400
    if not text:
        return {"text": "", "message": _("Nothing was heard. Speak closer to the microphone "
                                         "and try again, or type your question.")}
    return {"text": text, "message": _("Heard: “%(text)s”. Check it, change what was misheard, "
                                       "then send the question.", text=text)}


@bp.post("/live/<int:live_class_id>/questions")
@login_required
def ask(live_class_id: int):
    """A question for the teacher: JSON for the page's script, else back to the page."""
    found = access.live_class_or_404(live_class_id)
    try:
        live.ask(found, current_user, request.form.get("question", ""))
    except live.LiveError as problem:
        if _wants_json():
            return {"error": str(problem)}, 400
        flash(str(problem), "error")
        return redirect(url_for("live.watch", live_class_id=found.id) + "#ask-heading")
    message = _("Your question is sent to the teacher.")
    if _wants_json():
        return {"message": message}
    flash(message, "success")
    return redirect(url_for("live.watch", live_class_id=found.id) + "#ask-heading")


@bp.post("/live/<int:live_class_id>/attendance")
@login_required
def attendance(live_class_id: int):
    """The page reports, while the class plays live, how long it played since last time."""
    found = access.live_class_or_404(live_class_id)
    try:
        seconds = float(request.form.get("seconds", "0"))
    except ValueError:
        abort(400)
    return {"watched_s": live.attend(found, current_user, seconds)}


@bp.route("/studio/live/<int:live_class_id>/captions/<int:number>", methods=["GET", "POST"])
@role_required("content")
def correct_caption(live_class_id: int, number: int):
    """The teacher's correction of one caption line, seen by viewers at once."""
    found = access.live_class_or_404(live_class_id)
    line = next((c for c in found.captions if c.number == number), None)
    if line is None:
        abort(404)
    problem = None
    if request.method == "POST":
        try:
            live.correct_caption(found, number, request.form.get("text", ""))
        except live.LiveError as error:
            problem = str(error)
        else:
            flash(_("Line %(number)d is corrected; viewers see the correction.", number=number),
                  "success")
            return redirect(url_for("live.studio_class", live_class_id=found.id)
                            + f"#line-{number}")
    return render_template("live/correct.html", live_class=found, line=line,
                           problem=problem), 400 if problem else 200


@bp.post("/studio/live/<int:live_class_id>/browser-stream")
@role_required("content")
def browser_part(live_class_id: int):
    """One part of the teacher's recording when going live from the browser (``?part=N``, the
    recording's bytes as the body); the answer says in words what went wrong."""
    found = access.live_class_or_404(live_class_id)
    part = request.args.get("part", "")
    if not part.isdigit():
        abort(400)
    try:
        live.browser_part(found, int(part), request.get_data(cache=False))
    except live.LiveError as problem:
        return {"error": str(problem)}, 409
    return {"part": int(part)}


@bp.post("/studio/live/<int:live_class_id>/browser-stream/end")
@role_required("content")
def browser_end(live_class_id: int):
    found = access.live_class_or_404(live_class_id)
    live.browser_end(found)
    return {"message": _("Streaming from this browser has stopped; the class ends.")}


@bp.post("/studio/live/<int:live_class_id>/questions/<int:question_id>/answered")
@role_required("content")
def answered(live_class_id: int, question_id: int):
    found = access.live_class_or_404(live_class_id)
    try:
        live.mark_answered(found, question_id)
    except live.LiveError:
        abort(404)
    return redirect(url_for("live.studio_class", live_class_id=found.id) + "#questions-heading")


# -- the ingest (nginx on this machine) ---------------------------------------------------------
def _from_ingest() -> None:
    try:
        if ipaddress.ip_address(request.remote_addr or "").is_loopback:
            return
    except ValueError:
        pass
    abort(403)


@bp.post("/live/ingest/publish")
@csrf.exempt
def ingest_publish():
    """May this stream key publish now? 2xx: yes (the class is live); 403: no."""
    _from_ingest()
    if live.start(request.form.get("name", "")) is None:
        return Response("refused\n", status=403, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")


@bp.post("/live/ingest/publish-done")
@csrf.exempt
def ingest_publish_done():
    _from_ingest()
    live.stop(request.form.get("name", ""))
    return Response("ok\n", mimetype="text/plain")


@bp.post("/live/ingest/recorded")
@csrf.exempt
def ingest_recorded():
    _from_ingest()
    live.recorded(request.form.get("name", ""), request.form.get("path", ""))
    return Response("ok\n", mimetype="text/plain")

