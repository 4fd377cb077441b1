"""Learners hand in a practical assignment and read its review; the video and its captions are
served only to the learner, the course's examiners and administrators.

It must not decide access itself: it asks ``access``.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from media_pipeline.errors import MediaError

from .. import access
from ..forms import PracticalUploadForm
from ..models import Course
from ..services import completion, practical

bp = Blueprint("practical", __name__)


def _page(course: Course, form: PracticalUploadForm, status: int = 200):
    return render_template("practical/assignment.html", course=course, form=form,
                           submissions=practical.of_learner(current_user, course)), status


@bp.get("/courses/<int:course_id>/practical")
@login_required
def assignment(course_id: int):
    return _page(access.practical_course_or_404(course_id), PracticalUploadForm())


@bp.post("/courses/<int:course_id>/practical")
@login_required
def hand_in(course_id: int):
    course = access.practical_course_or_404(course_id)
    form = PracticalUploadForm()
    if form.validate_on_submit():
        try:
            submission = practical.submit(current_user, course, form.video.data, form.note.data)
        except (MediaError, practical.PracticalError) as error:
            form.video.errors.append(str(error))
        else:
            flash(_("Your video is handed in. Captions are being made for the examiner; you "
                    "will see the review on your dashboard."), "success")
            return redirect(url_for("practical.submission_page", submission_id=submission.id))
    return _page(course, form, 400)


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission_page(submission_id: int):
    found = access.submission_or_404(submission_id)
    if found.user_id == current_user.id:
        practical.mark_seen(found)
        completion.update(current_user, found.course)
    return render_template("practical/submission.html", submission=found,
                           job=practical.caption_job(found))


@bp.get("/submissions/<int:submission_id>/video")
@login_required
def submission_video(submission_id: int):
    found = access.submission_or_404(submission_id)
    return send_from_directory(Path(current_app.config["MEDIA_ROOT"]), found.media.filename,
                               mimetype=found.media.mime_type, conditional=True, max_age=0)


@bp.get("/submissions/<int:submission_id>/captions.vtt")
@login_required
def submission_captions(submission_id: int):
    found = access.submission_or_404(submission_id)
    if not found.captions_vtt:
        abort(404)
    return Response(found.captions_vtt, mimetype="text/vtt")
