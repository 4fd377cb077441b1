from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import Lesson
from ..security import role_required
from ..services import jobs, studio
from ..web import render_page

bp = Blueprint("studio", __name__, url_prefix="/studio")


@bp.before_request
@role_required("content")
def _content_team_only():
    return None


@bp.get("/")
def index():
    return render_template("studio/index.html", courses=studio.all_courses(),
                           jobs=jobs.recent())


@bp.post("/lessons/<int:lesson_id>/probe")
def probe_lesson_media(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.media is None:
        abort(404)
    job = jobs.enqueue_probe(lesson.media)
    flash(_("Checking the media of “%(title)s” in the background. Progress is shown below.",
            title=lesson.title), "success")
    return redirect(url_for("studio.index") + f"#job-{job.id}")


@bp.get("/jobs")
def job_list():
    return render_page("studio/jobs.html", "studio/_jobs.html", jobs=jobs.recent())
