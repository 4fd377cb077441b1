"""Authoring in the studio: new courses and lessons, their details, their order, and publishing,
unpublishing and archiving them. Only the content team reaches it; each change is one call to
``services.authoring``, and it must not touch ``db.session`` itself.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from media_pipeline import languages

from .. import access
from ..forms import CourseForm, LessonForm
from ..models import Course, Lesson
from ..security import role_required
from ..services import authoring, catalogue, live

bp = Blueprint("authoring", __name__, url_prefix="/studio")


@bp.before_request
@role_required("content")
def _content_team_only():
    return None


def _language_choices(current: str | None) -> list[tuple[str, str]]:
    codes = languages.offered()
    if current and current not in codes:  # a course made in a language no longer offered
        codes = [*codes, current]
    return [(code, languages.get(code).native_name) for code in codes]


def _course_form(course: Course | None = None) -> CourseForm:
    form = CourseForm(obj=course) if request.method == "POST" else CourseForm(
        formdata=None, obj=course)
    form.trade_id.choices = [(0, _("Choose a trade"))] + [
        (trade.id, trade.name) for trade in catalogue.trades()]
    form.language.choices = _language_choices(course.language if course else None)
    return form


def _course_details(form: CourseForm) -> authoring.CourseDetails:
    return authoring.CourseDetails(form.title.data, form.summary.data or "", form.trade_id.data,
                                   form.language.data)


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    form = _course_form()
    if form.validate_on_submit():
        course = authoring.create_course(_course_details(form))
        flash(_("The course “%(title)s” is made, as a draft that learners do not see. Add its "
                "lessons below.", title=course.title), "success")
        return redirect(url_for("authoring.course", course_id=course.id))
    return render_template("studio/course_new.html", form=form), 400 if form.errors else 200


def _course_page(course: Course, form: CourseForm | None = None, problem: str | None = None,
                 status: int = 200):
    return render_template(
        "studio/course.html", course=course, form=form or _course_form(course),
        lessons=authoring.working_lessons(course), archived=authoring.archived_lessons(course),
        live_classes=live.all_for_course(course), problem=problem), status


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
def course(course_id: int):
    found = access.course_or_404(course_id)
    form = _course_form(found)
    if form.validate_on_submit():
        authoring.update_course(found, _course_details(form))
        flash(_("The course details are saved."), "success")
        return redirect(url_for("authoring.course", course_id=found.id))
    return _course_page(found, form, status=400 if form.errors else 200)


def _done_message(action: str, title: str) -> str:
    # Each text spelled out, so that the translation catalogue finds it.
    return {
        "course publish": _("The course is published: learners find it in the catalogue."),
        "course unpublish": _("The course is unpublished: learners no longer see it."),
        "course archive": _("The course is archived: learners no longer see it, and its records "
                            "are kept."),
        "course restore": _("The course is back, as a draft."),
        "lesson publish": _("The lesson “%(title)s” is published: enrolled learners see it.",
                            title=title),
        "lesson unpublish": _("The lesson “%(title)s” is unpublished: learners no longer see it.",
                              title=title),
        "lesson archive": _("The lesson “%(title)s” is archived: learners no longer see it.",
                            title=title),
        "lesson restore": _("The lesson “%(title)s” is back, as a draft.", title=title),
    }[action]


def _action(actions: dict) -> str:
    action = request.form.get("action", "")
    if action not in actions:
        abort(400)  # not sent by our forms
    return action


@bp.post("/courses/<int:course_id>/state")
def course_state(course_id: int):
    found = access.course_or_404(course_id)
    action = _action(authoring.COURSE_ACTIONS)
    try:
        authoring.COURSE_ACTIONS[action](found)
    except authoring.AuthoringError as error:
        return _course_page(found, problem=str(error), status=400)
    flash(_done_message(f"course {action}", found.title), "success")
    return redirect(url_for("authoring.course", course_id=found.id))


def _lesson_form(lesson: Lesson | None, course: Course) -> LessonForm:
    if request.method == "POST":
        form = LessonForm()
    else:
        form = LessonForm(formdata=None, obj=lesson)
        if lesson is None:
            form.language.data = course.language
    form.language.choices = _language_choices(lesson.language if lesson else course.language)
    return form


def _lesson_details(form: LessonForm) -> authoring.LessonDetails:
    return authoring.LessonDetails(form.title.data, form.summary.data or "", form.language.data)


@bp.route("/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
def new_lesson(course_id: int):
    found = access.course_or_404(course_id)
    form = _lesson_form(None, found)
    if form.validate_on_submit():
        lesson = authoring.create_lesson(found, _lesson_details(form))
        flash(_("The lesson “%(title)s” is made, as a draft. Upload its media next.",
                title=lesson.title), "success")
        return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))
    return render_template("studio/lesson_details.html", course=found, lesson=None,
                           form=form), 400 if form.errors else 200


@bp.route("/lessons/<int:lesson_id>/details", methods=["GET", "POST"])
def lesson_details(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    form = _lesson_form(lesson, lesson.course)
    if form.validate_on_submit():
        authoring.update_lesson(lesson, _lesson_details(form))
        flash(_("The lesson details are saved."), "success")
        return redirect(url_for("studio.lesson_page", lesson_id=lesson.id))
    return render_template("studio/lesson_details.html", course=lesson.course, lesson=lesson,
                           form=form), 400 if form.errors else 200


def _back_to_course(lesson: Lesson) -> str:
    # The notice of what changed takes the focus there (as on every page after a change).
    return url_for("authoring.course", course_id=lesson.course_id)


@bp.post("/lessons/<int:lesson_id>/state")
def lesson_state(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    action = _action(authoring.LESSON_ACTIONS)
    try:
        authoring.LESSON_ACTIONS[action](lesson)
    except authoring.AuthoringError as error:
        return _course_page(lesson.course, problem=str(error), status=400)
    flash(_done_message(f"lesson {action}", lesson.title), "success")
    return redirect(_back_to_course(lesson))


@bp.post("/lessons/<int:lesson_id>/move")
def move_lesson(lesson_id: int):
    lesson = access.lesson_or_404(lesson_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None or lesson.archived_at is not None:
        abort(400)  # not sent by our forms
    title = lesson.title
    if authoring.move_lesson(lesson, step):
        position = authoring.working_lessons(lesson.course).index(lesson) + 1
        flash(_("“%(title)s” is now lesson %(number)d.", title=title, number=position),
              "success")
    else:
        flash(_("“%(title)s” is already the first lesson.", title=title) if step < 0
              else _("“%(title)s” is already the last lesson.", title=title), "info")
    return redirect(_back_to_course(lesson))
