"""The content team writes a course's quizzes (settings, questions, answers with feedback) and
sets its practical assignment (brief, rubric, examiners).

It must not touch ``db.session`` itself.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import access
from ..forms import CHOICE_ROWS, QuestionForm, QuizForm
from ..models import Course, Question, Quiz
from ..security import role_required
from ..services import authoring, practical, quizzes

bp = Blueprint("quiz_studio", __name__, url_prefix="/studio")


@bp.before_request
@role_required("content")
def _content_team_only():
    return None


def _quiz_form(course: Course, quiz: Quiz | None = None, bound: bool = True) -> QuizForm:
    """The settings form: from the request when ``bound``, else showing the saved settings."""
    if bound and request.method == "POST":
        form = QuizForm()
    else:
        form = QuizForm(formdata=None, obj=quiz)
        form.lesson_id.data = (quiz.lesson_id if quiz is not None else None) or 0
    form.lesson_id.choices = [(0, _("At the end of the course"))] + [
        (lesson.id, lesson.title) for lesson in authoring.working_lessons(course)]
    return form


def _settings(form: QuizForm) -> dict:
    return {"title": form.title.data, "intro": form.intro.data or "",
            "pass_mark": form.pass_mark.data, "time_limit_min": form.time_limit_min.data,
            "lesson_id": form.lesson_id.data or None}


@bp.route("/courses/<int:course_id>/quizzes", methods=["GET", "POST"])
def course_quizzes(course_id: int):
    course = access.course_or_404(course_id)
    form = _quiz_form(course)
    if form.validate_on_submit():
        quiz = quizzes.create(course, **_settings(form))
        flash(_("Quiz “%(title)s” created. Add its questions below.", title=quiz.title),
              "success")
        return redirect(url_for("quiz_studio.edit_quiz", quiz_id=quiz.id))
    return render_template("studio/quizzes.html", course=course, form=form), (
        400 if form.errors else 200)


def _question_form(question: Question | None = None) -> QuestionForm:
    form = QuestionForm()
    if question is not None and not form.is_submitted():
        form.prompt.data, form.kind.data = question.prompt, question.kind
        form.explanation.data = question.explanation
        form.accepted.data = "\n".join(question.accepted or [])
        for entry, choice in zip(form.choices.entries, question.choices, strict=False):
            entry.form.text.data = choice.text
            entry.form.correct.data = choice.correct
            entry.form.feedback.data = choice.feedback
    return form


def _editor(quiz: Quiz, form: QuizForm, question_form: QuestionForm, status: int = 200,
            question: Question | None = None):
    template = "studio/question.html" if question is not None else "studio/quiz.html"
    return render_template(template, quiz=quiz, form=form, question_form=question_form,
                           question=question, choice_rows=CHOICE_ROWS), status


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
def edit_quiz(quiz_id: int):
    quiz = access.quiz_or_404(quiz_id)
    form = _quiz_form(quiz.course, quiz)
    if form.validate_on_submit():
        quizzes.update(quiz, **_settings(form))
        flash(_("The quiz settings are saved."), "success")
        return redirect(url_for("quiz_studio.edit_quiz", quiz_id=quiz.id))
    return _editor(quiz, form, QuestionForm(formdata=None), 400 if form.errors else 200)


def _save_question(quiz: Quiz, question: Question | None):
    form = _question_form(question)
    if form.validate_on_submit():
        choices = [quizzes.ChoiceInput(e.form.text.data or "", bool(e.form.correct.data),
                                       e.form.feedback.data or "") for e in form.choices.entries]
        accepted = (form.accepted.data or "").splitlines()
        try:
            saved = quizzes.save_question(quiz, form.kind.data, form.prompt.data,
                                          form.explanation.data or "", choices, accepted,
                                          question)
        except quizzes.QuizError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Question %(number)d is saved.", number=saved.position), "success")
            return redirect(url_for("quiz_studio.edit_quiz", quiz_id=quiz.id)
                            + f"#question-{saved.id}")
    return _editor(quiz, _quiz_form(quiz.course, quiz, bound=False), form,
                   400 if (form.errors or form.form_errors) else 200, question)


@bp.post("/quizzes/<int:quiz_id>/questions")
def add_question(quiz_id: int):
    return _save_question(access.quiz_or_404(quiz_id), None)


@bp.route("/quizzes/<int:quiz_id>/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(quiz_id: int, question_id: int):
    quiz = access.quiz_or_404(quiz_id)
    return _save_question(quiz, access.question_or_404(quiz, question_id))


@bp.post("/quizzes/<int:quiz_id>/questions/<int:question_id>/delete")
def delete_question(quiz_id: int, question_id: int):
    quiz = access.quiz_or_404(quiz_id)
    quizzes.delete_question(access.question_or_404(quiz, question_id))
    flash(_("The question is deleted. Learners' earlier attempts keep their scores."), "success")
    return redirect(url_for("quiz_studio.edit_quiz", quiz_id=quiz.id) + "#questions")


@bp.route("/courses/<int:course_id>/practical", methods=["GET", "POST"])
def practical_settings(course_id: int):
    """The course's practical assignment: the brief, the rubric and the examiners."""
    course = access.course_or_404(course_id)
    errors = []
    values = {"brief": course.practical_brief or "", "rubric": practical.rubric_text(course),
              "examiners": [e.id for e in course.examiners]}
    if request.method == "POST":
        values = {"brief": request.form.get("brief", "")[:5000],
                  "rubric": request.form.get("rubric", "")[:5000],
                  "examiners": [int(v) for v in request.form.getlist("examiners") if v.isdigit()]}
        errors = practical.save_settings(course, values["brief"], values["rubric"],
                                         values["examiners"])
        if not errors:
            flash(_("The practical assignment is saved.") if course.practical_brief
                  else _("The course has no practical assignment now."), "success")
            return redirect(url_for("quiz_studio.practical_settings", course_id=course.id))
    return render_template("studio/practical.html", course=course, errors=errors, values=values,
                           examiners=practical.examiners()), (400 if errors else 200)
