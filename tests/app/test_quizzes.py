"""Quizzes, course completion and certificates, through the web app (issue 6)."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pikepdf
import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import (
    Certificate,
    Course,
    FeatureUse,
    Lesson,
    LessonProgress,
    Question,
    Quiz,
    QuizAttempt,
    User,
)
from accessible_learning.services import accounts, quizzes
from conftest import csrf_from, login, post_form

FOOD = "Food safety for kitchen staff"


def _food(app) -> dict:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == FOOD))
        quiz = course.quizzes[0]
        questions = {q.kind: q for q in quiz.questions}
        return {
            "course": course.id, "lessons": [lesson.id for lesson in course.lessons],
            "quiz": quiz.id,
            "single": questions["single"].id,
            "single_right": next(c.id for c in questions["single"].choices if c.correct),
            "single_wrong": next(c.id for c in questions["single"].choices if not c.correct),
            "multiple": questions["multiple"].id,
            "multiple_right": [c.id for c in questions["multiple"].choices if c.correct],
            "multiple_wrong": next(c.id for c in questions["multiple"].choices
                                   if not c.correct),
            "text": questions["text"].id,
        }


def _enrol(client, course_id: int) -> None:
    post_form(client, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")


def _start(client, quiz_id: int) -> int:
    response = post_form(client, f"/quizzes/{quiz_id}/start", {}, token_page=f"/quizzes/{quiz_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _answers(f: dict, right: bool = True) -> dict:
    return {
        f"q-{f['single']}": str(f["single_right"] if right else f["single_wrong"]),
        f"q-{f['multiple']}": [str(c) for c in f["multiple_right"]],
        f"q-{f['text']}": " 5 °C " if right else "20",
    }


def _send(client, attempt_id: int, answers: dict, action: str = "submit"):
    token = csrf_from(client, f"/attempts/{attempt_id}")
    return client.post(f"/attempts/{attempt_id}",
                       data={**answers, "action": action, "csrf_token": token})


def _complete_lessons(client, lessons: list[int]) -> None:
    for lesson_id in lessons:
        response = post_form(client, f"/lessons/{lesson_id}/transcript-read", {},
                             token_page=f"/lessons/{lesson_id}")
        assert response.status_code == 302


def test_quiz_page_states_the_rules_and_the_form_is_accessible(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    page = client.get(f"/quizzes/{f['quiz']}").get_data(as_text=True)
    assert "3 questions" in page and "Pass mark: 100%" in page and "No time limit" in page
    attempt = _start(client, f["quiz"])
    form = client.get(f"/attempts/{attempt}").get_data(as_text=True)
    # Each question is a fieldset with a legend; choices are real radio buttons / checkboxes
    # with labels; the short answer has a label.
    assert form.count("<fieldset") == 3 and form.count("<legend") == 3
    assert form.count('type="radio"') == 3 and form.count('type="checkbox"') == 3
    for input_id in re.findall(r'<input class="choice-input" type="\w+" name="q-\d+" '
                               r'value="\d+" id="([^"]+)"', form):
        assert f'for="{input_id}"' in form
    assert f'for="q-{f["text"]}-first"' in form
    assert 'role="status"' in form  # the save status is announced


def test_fail_review_retry_pass_and_certificate(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    _complete_lessons(client, f["lessons"])
    course_page = client.get(f"/courses/{f['course']}").get_data(as_text=True)
    assert "1 of 1 lessons completed; 0 of 1 quizzes passed" in course_page
    assert '<progress max="2" value="1"' in course_page

    first = _start(client, f["quiz"])
    response = _send(client, first, _answers(f, right=False))
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    result = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert "Not passed yet." in result
    assert "You answered 1 of 3 questions right: 33%. The pass mark is 100%." in result
    assert "Too short: soap needs time to work." in result  # feedback on the chosen answer
    assert "The right answer:" not in result  # not given away before passing
    assert result.count("Not right") == 2 and "Try the quiz again" in result
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    second = _start(client, f["quiz"])
    assert second != first
    response = _send(client, second, _answers(f))
    assert response.status_code == 302
    result = client.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert "Passed." in result and "3 of 3" in result and "See your certificate" in result
    assert "The lesson says to wash with soap for at least 30 seconds." in result

    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate.course_title == FOOD and certificate.holder_name == "Demo learner"
        code, cert_id = certificate.code, certificate.id
        attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.number)).all()
        assert [(a.number, a.score, a.passed) for a in attempts] == [(1, 33, False),
                                                                     (2, 100, True)]
    course_page = client.get(f"/courses/{f['course']}").get_data(as_text=True)
    assert "Course completed." in course_page and '<progress max="2" value="2"' in course_page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"/certificates/{cert_id}" in dashboard
    page = client.get(f"/certificates/{cert_id}").get_data(as_text=True)
    assert code in page and "Demo learner" in page and FOOD in page

    # A third attempt is allowed and does not issue a second certificate.
    third = _start(client, f["quiz"])
    _send(client, third, _answers(f, right=False))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1

    # Verification: public, by code in any case and spacing, and shows no private data.
    anonymous = app.test_client()
    checked = anonymous.get("/verify", query_string={"code": code.lower().replace("-", " ")})
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "This certificate is genuine" in text
    assert FOOD in text and "Demo learner" not in text and "learner@example.org" not in text
    missing = anonymous.get("/verify", query_string={"code": "ABCD-EFGH-2345"})
    assert missing.status_code == 200 and "No certificate has this code" in missing.get_data(
        as_text=True)
    malformed = anonymous.get("/verify", query_string={"code": "<script>x</script>"})
    body = malformed.get_data(as_text=True)
    assert "No certificate has this code" in body and "<script>x</script>" not in body
    assert "three groups of four" in body


def test_unanswered_questions_are_listed_and_answers_kept(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    attempt = _start(client, f["quiz"])
    partial = {f"q-{f['single']}": str(f["single_right"])}
    response = _send(client, attempt, partial)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in page and "Some questions are not answered." in page
    assert page.count("is not answered") == 2
    assert f'href="#q-{f["multiple"]}-first"' in page and f'href="#q-{f["text"]}-first"' in page
    # The answer given is still there, in the page and after a reload.
    assert re.search(rf'value="{f["single_right"]}" id="[^"]+" checked', page)
    reloaded = client.get(f"/attempts/{attempt}").get_data(as_text=True)
    assert re.search(rf'value="{f["single_right"]}" id="[^"]+" checked', reloaded)
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.submitted_at is None and row.answers == {str(f["single"]): [f["single_right"]]}


def test_answers_are_saved_as_the_learner_goes_and_survive_a_reload(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    attempt = _start(client, f["quiz"])
    token = csrf_from(client, f"/attempts/{attempt}")
    response = client.post(f"/attempts/{attempt}/autosave", headers={"HX-Request": "true"},
                           data={f"q-{f['text']}": "five", "csrf_token": token})
    assert response.status_code == 200
    assert "Your answers are saved: 1 of 3 questions answered." in response.get_data(as_text=True)
    assert 'value="five"' in client.get(f"/attempts/{attempt}").get_data(as_text=True)
    # Starting again continues the same attempt.
    assert _start(client, f["quiz"]) == attempt
    # "Save and finish later" without script.
    response = _send(client, attempt, {f"q-{f['text']}": "six"}, action="save")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt).answers == {str(f["text"]): "six"}


@pytest.mark.parametrize("tamper", ["other_quiz_question", "foreign_choice", "two_radios",
                                    "not_a_number", "huge_text"])
def test_tampered_answers_are_refused_and_change_nothing(app, client, tamper):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    with app.app_context():
        other = db.session.scalar(select(Course).where(Course.title != FOOD))
        other_quiz = quizzes.create(other, "Other", "", 50, None)
        other_q = quizzes.save_question(other_quiz, "single", "?", "",
                                        [quizzes.ChoiceInput("a", True),
                                         quizzes.ChoiceInput("b")], [])
        other_q_id, other_choice = other_q.id, other_q.choices[0].id
    attempt = _start(client, f["quiz"])
    _send(client, attempt, {f"q-{f['text']}": "kept"}, action="save")
    answers = _answers(f)
    if tamper == "other_quiz_question":
        answers[f"q-{other_q_id}"] = str(other_choice)
    elif tamper == "foreign_choice":
        answers[f"q-{f['single']}"] = str(other_choice)
    elif tamper == "two_radios":
        answers[f"q-{f['single']}"] = [str(f["single_right"]), str(f["single_wrong"])]
    elif tamper == "not_a_number":
        answers[f"q-{f['multiple']}"] = "1 OR 1=1"
    else:
        answers[f"q-{f['text']}"] = "x" * 5000
    response = _send(client, attempt, answers)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="error-summary"' in page and "There is a problem" in page
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.submitted_at is None and row.score is None
        assert row.answers == {str(f["text"]): "kept"}


def test_another_learners_attempt_and_certificate_are_not_found(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    _complete_lessons(client, f["lessons"])
    attempt = _start(client, f["quiz"])
    _send(client, attempt, _answers(f))
    with app.app_context():
        cert_id = db.session.scalar(select(Certificate.id))
        accounts.register(email="other@example.org", display_name="Other learner",
                          password="another-long-pass-1")
    other = app.test_client()
    post_form(other, "/login", {"email": "other@example.org",
                                "password": "another-long-pass-1"})
    for url in (f"/attempts/{attempt}", f"/attempts/{attempt}/result",
                f"/certificates/{cert_id}", f"/certificates/{cert_id}.pdf"):
        assert other.get(url).status_code == 404, url
    token = csrf_from(other, "/dashboard")
    for url in (f"/attempts/{attempt}", f"/attempts/{attempt}/autosave",
                f"/attempts/{attempt}/extend"):
        assert other.post(url, data={"csrf_token": token}).status_code == 404, url
    # Not enrolled: the quiz is not there for them either.
    assert other.get(f"/quizzes/{f['quiz']}").status_code == 404
    assert other.post(f"/quizzes/{f['quiz']}/start",
                      data={"csrf_token": token}).status_code == 404
    # An administrator may see any certificate.
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get(f"/certificates/{cert_id}").status_code == 200


def test_a_sent_attempt_cannot_be_changed(app, client):
    f = _food(app)
    login(client, "learner")
    _enrol(client, f["course"])
    attempt = _start(client, f["quiz"])
    _send(client, attempt, _answers(f, right=False))
    token = csrf_from(client, "/dashboard")
    response = client.post(f"/attempts/{attempt}", data={**_answers(f), "action": "submit",
                                                          "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    response = client.post(f"/attempts/{attempt}/autosave", headers={"HX-Request": "true"},
                           data={**_answers(f), "csrf_token": token})
    assert "already sent" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt).score == 33


def test_time_limit_warns_extends_and_counts_only_answers_saved_in_time(app, client):
    f = _food(app)
    with app.app_context():
        db.session.get(Quiz, f["quiz"]).time_limit_min = 1
        db.session.commit()
    login(client, "learner")
    _enrol(client, f["course"])
    assert "Time limit: 1 minutes" in client.get(f"/quizzes/{f['quiz']}").get_data(as_text=True)
    attempt = _start(client, f["quiz"])
    page = client.get(f"/attempts/{attempt}").get_data(as_text=True)
    assert "quiz-timer-warning" in page and "Extend the time by 1 minutes" in page
    with app.app_context():
        before = db.session.get(QuizAttempt, attempt).deadline_at
    token = csrf_from(client, f"/attempts/{attempt}")
    response = client.post(f"/attempts/{attempt}/extend", headers={"HX-Request": "true"},
                           data={"csrf_token": token})
    assert response.status_code == 200
    assert "The time is extended by 1 minutes." in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.extensions == 1 and row.deadline_at >= before + timedelta(seconds=59)
        # Ten extensions at most (WCAG 2.2.1 asks for at least ten).
        row.extensions = quizzes.MAX_EXTENSIONS
        db.session.commit()
    response = client.post(f"/attempts/{attempt}/extend", headers={"HX-Request": "true"},
                           data={"csrf_token": token})
    assert "cannot be extended again" in response.get_data(as_text=True)
    # One answer saved in time, then the time runs out.
    _send(client, attempt, {f"q-{f['single']}": str(f["single_right"])}, action="save")
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        row.deadline_at = row.started_at - timedelta(seconds=1)
        db.session.commit()
    response = _send(client, attempt, _answers(f))  # late answers do not count
    assert response.status_code == 302
    result = client.get(f"/attempts/{attempt}/result").get_data(as_text=True)
    assert "1 of 3" in result and "only the answers saved in time were counted" in result


def test_text_answers_are_compared_without_case_spacing_or_punctuation(app):
    with app.app_context():
        question = Question(kind="text", prompt="?", accepted=["5 °C", "Five degrees"])
        assert quizzes.is_right(question, "5°c")
        assert quizzes.is_right(question, "five  DEGREES.")
        assert quizzes.is_right(question, "５ °C")  # full-width digit
        assert not quizzes.is_right(question, "15 °C")
        assert not quizzes.is_right(question, "")
        assert not quizzes.is_right(question, ["5 °C"])


def test_content_team_writes_a_quiz_and_bad_questions_are_refused(app, client):
    login(client, "content")
    with app.app_context():
        course = db.session.scalar(select(Course).order_by(Course.id))
        course_id, first_lesson = course.id, course.lessons[0].id
    url = f"/studio/courses/{course_id}/quizzes"
    response = post_form(client, url, {"title": "", "pass_mark": "150", "time_limit_min": "-3",
                                       "lesson_id": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give the quiz a title." in page
    assert "The pass mark is a whole number from 1 to 100." in page
    assert "The time limit is a whole number of minutes from 1 to 600" in page
    response = post_form(client, url, {"title": "Check", "pass_mark": "80", "time_limit_min": "",
                                       "lesson_id": "999999"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 1  # the demo's
    response = post_form(client, url, {"title": "Measuring check", "pass_mark": "80",
                                       "time_limit_min": "", "lesson_id": str(first_lesson)})
    assert response.status_code == 302
    quiz_url = response.headers["Location"]
    quiz_id = int(re.search(r"/quizzes/(\d+)", quiz_url).group(1))
    # A single-choice question with two right answers is refused, with the reason.
    bad = {"prompt": "Where is the waist measured?", "kind": "single",
           "choices-0-text": "At the narrowest point", "choices-0-correct": "y",
           "choices-1-text": "At the widest point", "choices-1-correct": "y"}
    response = post_form(client, f"/studio/quizzes/{quiz_id}/questions", bad,
                         token_page=quiz_url)
    assert response.status_code == 400
    assert "exactly one right answer" in response.get_data(as_text=True)
    good = {**bad, "choices-1-correct": "", "choices-1-feedback": "That is the hip."}
    del good["choices-1-correct"]
    response = post_form(client, f"/studio/quizzes/{quiz_id}/questions", good,
                         token_page=quiz_url)
    assert response.status_code == 302
    text_q = {"prompt": "What tool measures the body?", "kind": "text",
              "accepted": "tape measure\n줄자\n"}
    assert post_form(client, f"/studio/quizzes/{quiz_id}/questions", text_q,
                     token_page=quiz_url).status_code == 302
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.lesson_id == first_lesson and quiz.pass_mark == 80
        assert [q.kind for q in quiz.questions] == ["single", "text"]
        assert [(c.text, c.correct, c.feedback) for c in quiz.questions[0].choices] == [
            ("At the narrowest point", True, ""), ("At the widest point", False,
                                                    "That is the hip.")]
        assert quiz.questions[1].accepted == ["tape measure", "줄자"]
        first_q, second_q = quiz.questions[0].id, quiz.questions[1].id
    # Editing and deleting.
    edit_url = f"/studio/quizzes/{quiz_id}/questions/{second_q}"
    assert 'value="What tool' not in client.get(edit_url).get_data(as_text=True)  # a textarea
    assert "What tool measures the body?" in client.get(edit_url).get_data(as_text=True)
    assert post_form(client, f"/studio/quizzes/{quiz_id}/questions/{first_q}/delete", {},
                     token_page=quiz_url).status_code == 302
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert [(q.position, q.kind) for q in quiz.questions] == [(1, "text")]
    # A question of another quiz is not reachable through this quiz's address.
    assert client.get(f"/studio/quizzes/{quiz_id + 100}/questions/{second_q}").status_code == 404


def test_certificate_pdf_is_tagged_with_language_title_and_cjk_text(app, client, tmp_path):
    login(client, "learner")
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.role == "learner"))
        learner.real_name = "김민지 王小明 Anna"
        course = db.session.scalar(select(Course).where(Course.title == FOOD))
        from accessible_learning.services import certificates

        certificate = certificates.issue(learner, course)
        cert_id, code = certificate.id, certificate.code
    response = client.get(f"/certificates/{cert_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+Certificate: {FOOD}", info, re.M)
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "en"
        assert document.Root.MarkInfo.Marked
        assert document.Root.ViewerPreferences.DisplayDocTitle
        assert "/StructTreeRoot" in document.Root
        with document.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    # The names in Korean, Chinese and Latin letters come out as text, in reading order.
    order = ["Certificate of completion", "김민지 王小明 Anna", "has completed the course", FOOD,
             "Verification code:", code]
    positions = [text.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), (positions, text)
    structure = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True,
                               text=True, check=True).stdout
    assert "H1" in structure and "김민지 王小明 Anna" in structure
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "CJK" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])

    # In Chinese, the document's language is Chinese.
    client.post("/language", data={"language": "zh", "csrf_token": csrf_from(client, "/")})
    response = client.get(f"/certificates/{cert_id}.pdf")
    pdf.write_bytes(response.data)
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "zh-Hans"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "结业证书" in text


def test_feature_use_is_counted_from_the_player_and_voice(app, client):
    login(client, "learner")
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        lesson_id, course_id = lesson.id, lesson.course_id
    _enrol(client, course_id)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    response = client.post(f"/lessons/{lesson_id}/progress", headers={"X-CSRFToken": token},
                           json={"position": 2, "played": [[0, 2]],
                                 "features": ["captions", "descriptions", "bogus"]})
    assert response.status_code == 200
    client.post(f"/lessons/{lesson_id}/progress", headers={"X-CSRFToken": token},
                json={"position": 3, "played": [[2, 3]], "features": ["captions"]})
    with app.app_context():
        rows = {r.feature: r.uses for r in db.session.scalars(select(FeatureUse))}
        assert rows == {"captions": 2, "descriptions": 1}
        row = db.session.scalar(select(LessonProgress))
        assert row.watched_s == 3


def test_quiz_text_is_escaped_wherever_it_is_shown(app, client):
    """A question, answer, feedback or typed answer containing markup shows as text."""
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == FOOD))
        quiz = quizzes.create(course, f"Quiz {evil}", evil, 50, None)
        quizzes.save_question(quiz, "single", f"Prompt {evil}", f"Why {evil}",
                              [quizzes.ChoiceInput(f"Right {evil}", True, f"Yes {evil}"),
                               quizzes.ChoiceInput("Wrong")], [])
        quizzes.save_question(quiz, "text", "Type it", "", [], [evil])
        quiz_id = quiz.id
        right = quiz.questions[0].choices[0].id
        q1, q2 = quiz.questions[0].id, quiz.questions[1].id
    login(client, "learner")
    _enrol(client, db_course_id(app))
    pages = [client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)]
    attempt = _start(client, quiz_id)
    pages.append(client.get(f"/attempts/{attempt}").get_data(as_text=True))
    _send(client, attempt, {f"q-{q1}": str(right), f"q-{q2}": evil})
    pages.append(client.get(f"/attempts/{attempt}/result").get_data(as_text=True))
    content = app.test_client()
    login(content, "content")
    pages.append(content.get(f"/studio/quizzes/{quiz_id}").get_data(as_text=True))
    for page in pages:
        assert "<script>alert(2)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "Yes &lt;img" in pages[2] and "Passed." in pages[2]  # the typed markup was right


def db_course_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.title == FOOD))
