"""Examiners: the queue of practical assignments of the courses they examine, and the review.

It must not decide access itself: it asks ``access``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..rendering import list_problems, page_number
from ..security import role_required
from ..services import completion, practical

bp = Blueprint("examiner", __name__, url_prefix="/examiner")


@bp.before_request
@role_required("examiner")
def _examiners_only():
    return None


@bp.get("/")
def index():
    page = page_number()
    problems = list_problems(page, None)
    waiting, reviewed = (None, []) if problems else practical.queue(current_user, page)
    if waiting is not None:
        problems = list_problems(page, waiting.pages)
    status = 400 if page is None else 404 if problems else 200
    return render_template("examiner/index.html", problems=problems,
                           waiting=None if problems else waiting, reviewed=reviewed,
                           courses=practical.examined_courses(current_user)), status


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
def review(submission_id: int):
    found = access.submission_to_examine(submission_id)  # 403: an examiner of another course
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        problems = practical.review(found, current_user, request.form.getlist("score"),
                                    request.form.get("outcome", ""),
                                    request.form.get("feedback", ""))
        if not problems:
            completion.update(found.user, found.course)
            flash(_("The review is saved; %(name)s sees it on their dashboard.",
                    name=found.user.display_name), "success")
            return redirect(url_for("examiner.index"))
    return render_template("examiner/review.html", submission=found, problems=problems,
                           form=request.form if problems else None,
                           lines=practical.caption_lines(found),
                           job=practical.caption_job(found)), (400 if problems else 200)
