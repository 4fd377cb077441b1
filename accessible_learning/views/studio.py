"""The studio for the content team: a lesson's media, captions (make, import, edit, publish),
chapters and audio descriptions, and the job list. Only the content team reaches it; each
change is one call to a service, and it must not touch ``db.session`` itself.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from media_pipeline.captions import read_caption_file, timestamp
from media_pipeline.errors import MediaError
from media_pipeline.synthesise import synthesise

from .. import access, jobs
from ..forms import CaptionImportForm, LessonMediaForm, SignVideoForm, TranslationForm
from ..models import Lesson
from ..rendering import is_htmx, render_page
from ..security import role_required
from ..services import (
    authoring,
    captions,
    chapters,
    cue_editor,
    descriptions,
    sign_videos,
    studio,
)

bp = Blueprint("studio", __name__, url_prefix="/studio")
MAX_CAPTION_FILE = 2_000_000  # bytes


@bp.before_request
@role_required("content")
def _content_team_only():
    return None


@bp.get("/")
def index():
    courses, archived = authoring.courses()
    return render_template("studio/index.html", courses=courses, archived=archived,
                           working_lessons=authoring.working_lessons, jobs=jobs.recent())


@bp.post("/lessons/<int:lesson_id>/probe")
def probe_lesson_media(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    if lesson.media is None:
        abort(404)
    job = jobs.enqueue_probe(lesson.media)
    flash(_("Checking the media of “%(title)s” in the background. Progress is shown below.",
            title=lesson.title), "success")
    return redirect(url_for("studio.index") + f"#job-{job.id}")


@bp.get("/jobs")
def job_list():
    return render_page("studio/jobs.html", "studio/_jobs.html", jobs=jobs.recent())


def _import_form(lesson: Lesson) -> CaptionImportForm:
    form = CaptionImportForm()
    own = _("%(language)s (the language spoken: the lesson's own captions)",
            language=captions.language_name(lesson.language))
    form.language.choices = [("", own, {})] + _translation_choices(lesson)
    return form


def _translation_choices(lesson: Lesson) -> list[tuple[str, str]]:
    return [(code, name, {"lang": code}) for code, name in captions.CAPTION_LANGUAGES.items()
            if code != lesson.language]


def _translation_form(lesson: Lesson) -> TranslationForm:
    form = TranslationForm()
    form.language.choices = [("", _("Choose a language"), {})] + _translation_choices(lesson)
    return form


def _lesson_page(lesson: Lesson, media_form=None, import_form=None, status=200,
                 chapter_errors=None, chapter_text=None, translation_form=None,
                 sign_form=None):
    media_form = media_form or LessonMediaForm(script=lesson.script)
    return render_template(
        "studio/lesson.html", lesson=lesson, media_form=media_form,
        import_form=import_form or _import_form(lesson),
        translation_form=translation_form or _translation_form(lesson),
        language_name=captions.language_name, job=jobs.latest_for_lesson(lesson),
        sign_form=sign_form or SignVideoForm(formdata=None),
        sign_language_names=dict(sign_videos.SIGN_LANGUAGES),
        chapter_errors=chapter_errors or [],
        chapter_text=chapters.as_lines(lesson) if chapter_text is None else chapter_text,
        open_counts=_open_counts(lesson),
    ), status


def _open_counts(lesson: Lesson) -> dict[int, int]:
    """How many cues of each caption version are still to check."""
    return {t.version: len(captions.open_cues(t)) for t in lesson.caption_tracks}


@bp.get("/lessons/<int:lesson_id>")
def lesson_page(lesson_id: int):
    return _lesson_page(access.lesson_or_404(lesson_id))


@bp.post("/lessons/<int:lesson_id>/media")
def upload_media(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    form = LessonMediaForm()
    if form.validate_on_submit():
        try:
            studio.replace_media(lesson, form.media.data, form.script.data)
        except MediaError as exc:
            form.media.errors.append(str(exc))
        else:
            flash(_("The file is stored. Captions are being made; progress is shown below."),
                  "success")
            return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))
    return _lesson_page(lesson, media_form=form, status=400)


@bp.post("/lessons/<int:lesson_id>/chapters")
def save_chapters(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    text = request.form.get("chapters", "")[:20_000]
    errors = chapters.save(lesson, text)
    if errors:
        return _lesson_page(lesson, status=400, chapter_errors=errors, chapter_text=text)
    flash(_("The chapters are saved; learners see them in the player."), "success")
    return redirect(url_for("studio.lesson_page", lesson_id=lesson.id) + "#chapters-heading")


@bp.post("/lessons/<int:lesson_id>/caption")
def make_captions(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    if lesson.media is None:
        abort(404)
    job = jobs.enqueue_caption(lesson)
    if job.state == "done" and job.result:
        flash(_("Captions were already made from this media and script: version %(v)d.",
                v=job.result["version"]), "info")
    else:
        flash(_("Captions are being made; progress is shown below."), "success")
    return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/job")
def lesson_job(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    job = jobs.latest_for_lesson(lesson)
    html = render_page("studio/lesson.html", "studio/_lesson_job.html", lesson=lesson, job=job,
                       media_form=LessonMediaForm(script=lesson.script),
                       import_form=_import_form(lesson),
                       translation_form=_translation_form(lesson),
                       language_name=captions.language_name,
                       sign_form=SignVideoForm(formdata=None),
                       sign_language_names=dict(sign_videos.SIGN_LANGUAGES),
                       # the versions table is only on the full page, not in the polled fragment
                       open_counts={} if is_htmx() else _open_counts(lesson))
    return _job_fragment(html, job)


def _job_fragment(html: str, job) -> Response:
    """A polled job fragment; 286 tells htmx to stop polling once the job has finished."""
    finished = job is None or job.state in {"done", "failed"}
    return Response(html, status=286 if finished and request.headers.get("HX-Request") else 200)


@bp.post("/lessons/<int:lesson_id>/captions/import")
def import_captions(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    form = _import_form(lesson)
    if form.validate_on_submit():
        upload = form.captions.data
        data = upload.read(MAX_CAPTION_FILE + 1)
        try:
            if len(data) > MAX_CAPTION_FILE:
                raise MediaError("The caption file is larger than 2 MB; a caption file is "
                                 "text and much smaller. Check that you chose the right file.")
            cues = read_caption_file(data, upload.filename or "")
        except MediaError as exc:
            form.captions.errors.append(str(exc))
        else:
            track = studio.save_captions(lesson, cues, translation=form.language.data or None)
            flash(_("The caption file is imported as version %(v)d (a draft).", v=track.version),
                  "success")
            return redirect(url_for("studio.edit_captions", lesson_id=lesson.id,
                                    version=track.version))
    return _lesson_page(lesson, import_form=form, status=400)


@bp.post("/lessons/<int:lesson_id>/captions/translate")
def translate_captions(lesson_id: int):
    """A draft translation, made from the lesson's captions, to write in the editor."""
    lesson = access.lesson_or_404(lesson_id)
    form = _translation_form(lesson)
    if form.validate_on_submit():
        try:
            track = studio.start_translation(lesson, form.language.data)
        except captions.NothingToTranslate:
            form.language.errors.append(_(
                "The lesson has no captions to translate yet. Make or import its captions "
                "first."))
        else:
            flash(_("Version %(v)d is a draft translation into %(language)s, with the timings of "
                    "the lesson's captions. Write each cue in %(language)s and save; each cue is "
                    "to check until you change it or tick it.", v=track.version,
                    language=captions.language_name(track.language)), "success")
            return redirect(url_for("studio.edit_captions", lesson_id=lesson.id,
                                    version=track.version))
    return _lesson_page(lesson, translation_form=form, status=400)


@bp.route("/lessons/<int:lesson_id>/captions/<int:version>", methods=["GET", "POST"])
def edit_captions(lesson_id: int, version: int):
    lesson = access.lesson_or_404(lesson_id)
    track = captions.track(lesson, version)
    if track is None:
        abort(404)
    cues = captions.editable_cues(track)
    made_for = track.media or lesson.media
    duration = made_for.duration_s if made_for else None
    errors: list[tuple[str, str]] = []
    values = None
    page = {}
    if request.method == "POST":
        count_text = request.form.get("count", "")
        if not count_text.isdigit():
            abort(400)  # not sent by our form
        count = min(int(count_text), cue_editor.MAX_ROWS)
        op = request.form.get("op", "save")
        if op != "save":  # a change to show before saving: split, merge, delete, add, undo
            return _editor_change(lesson, track, count, op, duration)
        edit = captions.parse_edited_cues(request.form, count, duration)
        errors = edit.errors
        if not errors:
            new = studio.save_captions(lesson, edit.cues, captions.carry_checks(track, edit),
                                       media_id=track.media_id,
                                       translation=track.language if track.translation else None)
            flash(_("Saved as version %(v)d. Earlier versions are kept.", v=new.version),
                  "success")
            return redirect(url_for("studio.edit_captions", lesson_id=lesson.id,
                                    version=new.version))
        values = request.form
        page["undo"] = request.form.get("undo") or None
    return _editor(lesson, track, cues, errors=errors, values=values, **page)


def _editor(lesson, track, cues, errors=(), values=None, undo=None, change=None, focus=None):
    originals = captions.original_texts(lesson, cues) if track.translation else []
    return render_template("studio/editor.html", lesson=lesson, track=track, cues=cues,
                           originals=originals, language_name=captions.language_name,
                           open_cues=[c["index"] for c in cues if c["open"]],
                           errors=list(errors), values=values, undo=undo, change=change,
                           focus=focus), (400 if errors else 200)


def _editor_change(lesson, track, count: int, op: str, duration):
    """Show the editor with one change made (or the last one undone), nothing saved."""
    rows, errors = cue_editor.read_rows(request.form, count)
    if errors:  # the times must be readable to split or move anything
        return _editor(lesson, track, captions.editable_cues(track), errors=errors,
                       values=request.form, undo=request.form.get("undo") or None)
    try:
        if op == "undo":
            before = cue_editor.rows_from_undo(request.form.get("undo", ""))
            change, focus, undo = _("The last change is undone. Nothing is saved until you "
                                    "press “Save as a new version”."), 0, None
        else:
            before, change, focus = cue_editor.apply(rows, op, track.language, duration)
            undo = cue_editor.undo_data(rows)
    except cue_editor.EditorError:
        abort(400)  # not sent by our form
    return _editor(lesson, track, cue_editor.show(track, before), undo=undo, change=change,
                   focus=focus)


@bp.post("/lessons/<int:lesson_id>/captions/<int:version>/publish")
def publish_captions(lesson_id: int, version: int):
    lesson = access.lesson_or_404(lesson_id)
    track = captions.track(lesson, version)
    if track is None:
        abort(404)
    without_review = request.form.get("without_review") == "yes"
    media_before = lesson.media_id
    try:
        captions.publish(track, current_user.id, without_review=without_review)
    except captions.MadeForOtherMedia:
        flash(_("Version %(v)d was made for media the lesson no longer has, so it cannot be "
                "published. Publish a version made for the current or the new media.",
                v=version), "error")
        return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))
    except captions.ReviewNeeded as refused:
        flash(ngettext(
            "Version %(v)d is not published: %(num)d cue is still to check. Check or correct "
            "it below and save, or publish without review from the lesson's page.",
            "Version %(v)d is not published: %(num)d cues are still to check. Check or correct "
            "them below and save, or publish without review from the lesson's page.",
            len(refused.open_cues), v=version), "error")
        return redirect(url_for("studio.edit_captions", lesson_id=lesson.id, version=version))
    if track.unreviewed_cues:
        flash(ngettext(
            "Version %(v)d is published without review, with %(num)d cue not checked; the "
            "studio shows it. Learners now see these captions.",
            "Version %(v)d is published without review, with %(num)d cues not checked; the "
            "studio shows it. Learners now see these captions.",
            track.unreviewed_cues, v=version), "success")
    else:
        flash(_("Version %(v)d is published: learners now see these captions.", v=version),
              "success")
    if lesson.media_id != media_before:
        flash(_("The new media is published with them: learners now get the new media and "
                "these captions together. Its audio description and chapters, if any, need "
                "making again for it."), "info")
    return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/captions/<int:version>.vtt")
def track_vtt(lesson_id: int, version: int):
    track = captions.track(access.lesson_or_404(lesson_id), version)
    if track is None:
        abort(404)
    return Response(track.vtt, content_type="text/vtt; charset=utf-8")


# --- sign-language videos -------------------------------------------------------------------

@bp.post("/lessons/<int:lesson_id>/sign")
def upload_sign_video(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    form = SignVideoForm()
    if form.validate_on_submit():
        try:
            sign = sign_videos.add(lesson, form.sign_video.data, form.sign_language.data,
                                   form.sign_label.data, form.sign_for.data)
        except (MediaError, sign_videos.SignVideoError) as exc:
            form.sign_video.errors.append(str(exc))
        else:
            flash(_("The video in %(language)s is stored: learners can show it beside or over "
                    "the lesson's video.", language=sign_videos.language_name(sign.language))
                  if sign.media_id == lesson.media_id else
                  _("The video in %(language)s is stored for the new media: learners get it "
                    "when the new media is published.",
                    language=sign_videos.language_name(sign.language)), "success")
            return redirect(url_for("studio.lesson_page", lesson_id=lesson.id)
                            + "#sign-heading")
    return _lesson_page(lesson, sign_form=form, status=400)


@bp.post("/lessons/<int:lesson_id>/sign/<int:sign_id>/remove")
def remove_sign_video(lesson_id: int, sign_id: int):
    lesson = access.lesson_or_404(lesson_id)
    sign = sign_videos.remove(lesson, sign_id)
    if sign is None:
        abort(404)
    flash(_("The video in %(language)s is removed from the lesson.",
            language=sign_videos.language_name(sign.language)), "success")
    return redirect(url_for("studio.lesson_page", lesson_id=lesson.id) + "#sign-heading")


# --- audio description ------------------------------------------------------------------------

def _descriptions_page(lesson: Lesson, errors=None, values=None, status=200):
    current = descriptions.latest(lesson)
    return render_template(
        "studio/descriptions.html", lesson=lesson, track=current,
        cues=descriptions.cues(current), errors=errors or [], values=values or {},
        job=jobs.latest_for_lesson(lesson, "describe"),
        suggest_job=jobs.latest_for_lesson(lesson, "suggest"),
        published=lesson.published_descriptions), status


@bp.get("/lessons/<int:lesson_id>/descriptions")
def descriptions_page(lesson_id: int):
    return _descriptions_page(access.lesson_or_404(lesson_id))


@bp.post("/lessons/<int:lesson_id>/descriptions")
def add_description(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    item, errors = descriptions.check_new(
        descriptions.cues(descriptions.latest(lesson)), request.form.get("time", ""),
        request.form.get("text", ""), lesson.media.duration_s if lesson.media else None)
    if errors:
        return _descriptions_page(lesson, errors, request.form, status=400)
    track = studio.add_description(lesson, item)
    flash(_("Description added at %(time)s to version %(v)d (a draft).",
            time=timestamp(item.anchor), v=track.version), "success")
    return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id))


@bp.post("/lessons/<int:lesson_id>/descriptions/<int:index>/remove")
def remove_description(lesson_id: int, index: int):
    lesson = access.lesson_or_404(lesson_id)
    track = studio.remove_description(lesson, index)
    if track is None:
        abort(404)
    flash(_("Description %(n)d removed from version %(v)d (a draft).", n=index + 1,
            v=track.version), "success")
    return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id))


@bp.post("/lessons/<int:lesson_id>/descriptions/import")
def import_descriptions(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    upload = request.files.get("descriptions")
    if upload is None or not upload.filename:
        return _descriptions_page(lesson, [("descriptions", _(
            "Choose a .vtt or .srt file of descriptions."))], status=400)
    try:
        track = studio.import_descriptions(lesson, upload.read(descriptions.MAX_FILE + 1),
                                           upload.filename)
    except MediaError as exc:
        return _descriptions_page(lesson, [("descriptions", str(exc))], status=400)
    flash(_("The descriptions file is imported as version %(v)d (a draft).", v=track.version),
          "success")
    return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/descriptions/preview")
def preview_description(lesson_id: int):
    """The description spoken with the lesson's voice, as a WAV, before publishing."""
    lesson = access.lesson_or_404(lesson_id)
    text = (request.args.get("text") or "")[: descriptions.MAX_TEXT]
    try:
        wav = synthesise(text, lesson.language, descriptions.speech_cache())
    except MediaError as exc:
        return Response(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return send_file(wav, mimetype="audio/wav", max_age=3600)


@bp.post("/lessons/<int:lesson_id>/descriptions/<int:version>/publish")
def publish_descriptions(lesson_id: int, version: int):
    lesson = access.lesson_or_404(lesson_id)
    track = descriptions.track(lesson, version)
    if track is None:
        abort(404)
    if lesson.media is None or not descriptions.cues(track):
        flash(_("There is nothing to publish yet: the lesson needs its media and at least one "
                "description."), "error")
        return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id))
    jobs.enqueue_describe(track)
    flash(_("The described versions are being made; version %(v)d is published when they are "
            "ready. Progress is shown below.", v=version), "success")
    return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/descriptions/job")
def descriptions_job(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    job = jobs.latest_for_lesson(lesson, "describe")
    html = render_page("studio/descriptions.html", "studio/_describe_job.html", lesson=lesson,
                       job=job, track=descriptions.latest(lesson), cues=[], errors=[],
                       values={}, published=lesson.published_descriptions)
    return _job_fragment(html, job)


@bp.post("/lessons/<int:lesson_id>/descriptions/suggest")
def suggest_descriptions(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    if lesson.media is None:
        abort(404)
    job = jobs.enqueue_suggest(lesson)
    if job.state != "done":
        flash(_("Looking for moments to describe; they are listed below when found."),
              "success")
    return redirect(url_for("studio.descriptions_page", lesson_id=lesson.id) + "#suggestions")


@bp.get("/lessons/<int:lesson_id>/descriptions/suggestions")
def description_suggestions(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    job = jobs.latest_for_lesson(lesson, "suggest")
    html = render_page("studio/descriptions.html", "studio/_suggestions.html", lesson=lesson,
                       suggest_job=job, job=None, track=descriptions.latest(lesson), cues=[],
                       errors=[], values={}, published=lesson.published_descriptions)
    return _job_fragment(html, job)
