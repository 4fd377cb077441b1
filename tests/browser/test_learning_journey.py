"""The learning journey of issue 6 with the keyboard alone: enrol, complete the lesson, take the
quiz (an unanswered question, fail, review, retry, pass), get the certificate and verify it.
axe-core runs at every step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Course
from accessible_learning.services import accounts

from .conftest import assert_focus_visible, focused, no_violations, tab_to

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "journey.learner@example.org", "noodles and food safety 1"


def _wait_for_live(page, text: str) -> None:
    page.wait_for_function(
        f"() => document.getElementById('live-region').textContent.includes({text!r})")


def test_enrol_complete_quiz_fail_retry_pass_certificate_verify(live_server, page):
    base, app = live_server["url"], live_server["app"]
    with app.app_context():
        accounts.register(email=EMAIL, display_name="Journey learner", password=PASSWORD,
                          real_name="박서준")
        course_id = db.session.scalar(
            select(Course.id).where(Course.title == "Food safety for kitchen staff"))

    # Log in by typing.
    page.goto(base + "/login")
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/dashboard")

    # Enrol.
    page.goto(f"{base}/courses/{course_id}")
    tab_to(page, "button", "Enrol in this course")
    page.keyboard.press("Enter")
    page.wait_for_selector("#your-progress")
    assert "0 of 1 lessons completed; 0 of 1 quizzes passed" in page.inner_text(
        ".course-progress")
    no_violations(page, "course page, enrolled")

    # Complete the lesson by reading its transcript; the quiz is offered next.
    tab_to(page, "a", "Clean hands and cold storage")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Clean hands and cold storage')")
    tab_to(page, "button", "I have read the transcript")
    page.keyboard.press("Enter")
    _wait_for_live(page, "Lesson completed")
    tab_to(page, "a", "The quiz after this lesson")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Food safety check')")
    assert "Pass mark: 100%" in page.inner_text("main")
    no_violations(page, "quiz page")

    # Start; answer one question and send: the error summary takes focus and lists the others.
    tab_to(page, "button", "Start the quiz")
    page.keyboard.press("Enter")
    page.wait_for_selector("form.quiz-form")
    no_violations(page, "quiz form")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")  # "5 seconds": wrong
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('1 of 3')")
    tab_to(page, "button", "Send answers")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert focused(page)["id"] == "error-summary"
    summary = page.inner_text("#error-summary")
    assert "Question 2 is not answered" in summary and "Question 3 is not answered" in summary
    no_violations(page, "quiz form with errors")
    # The answer given survived the round trip; follow the summary's link to question 2.
    assert page.is_checked("input[type=radio] >> nth=0")
    tab_to(page, "a", "Question 2 is not answered")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["type"] == "checkbox"
    page.keyboard.press("Space")  # chilled food: right, but the other right answer is missing
    tab_to(page, "input[type=text]")
    page.keyboard.type("20")
    tab_to(page, "button", "Send answers")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Result of attempt 1')")
    assert focused(page)["id"] == "result-summary"  # read out on arrival
    result = page.inner_text("main")
    assert "Not passed yet." in result and "0 of 3 questions right: 0%" in result
    assert "Too short: soap needs time to work." in result
    assert "The right answer:" not in result
    no_violations(page, "result, not passed")

    # Try again and pass: arrow keys in the radio group, Space on checkboxes, typing.
    tab_to(page, "button", "Try the quiz again")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Food safety check')")
    assert "Attempt 2." in page.inner_text("main")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")  # "At least 30 seconds"
    assert page.is_checked("input[type=radio] >> nth=1")
    tab_to(page, "input[type=checkbox]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    tab_to(page, "input[type=text]")
    page.keyboard.type("5 °C")
    tab_to(page, "button", "Send answers")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Result of attempt 2')")
    result = page.inner_text("main")
    assert "Passed." in result and "3 of 3 questions right: 100%" in result
    assert "You have completed the course. Your certificate is ready." in page.inner_text(
        ".notices")
    no_violations(page, "result, passed")

    # The certificate, then its public check.
    tab_to(page, "a", "See your certificate")
    page.keyboard.press("Enter")
    page.wait_for_selector(".certificate")
    certificate = page.inner_text(".certificate")
    assert "박서준" in certificate and "Food safety for kitchen staff" in certificate
    code = page.inner_text(".certificate-code")
    assert page.get_attribute("a[download]", "href").endswith(".pdf")
    no_violations(page, "certificate")
    tab_to(page, "a", "Check the code")
    page.keyboard.press("Enter")
    page.wait_for_selector("#verify-result")
    # The page moves the focus to its answer once its script has run (later on a busy machine).
    page.wait_for_function("() => document.activeElement.id === 'verify-result'")
    assert_focus_visible(page)
    verdict = page.inner_text("#verify-result")
    assert "This certificate is genuine" in verdict and code in verdict
    assert "박서준" not in page.inner_text("main")
    no_violations(page, "verification")

    # A mistyped code is refused in words, with focus on the answer.
    tab_to(page, "#code")
    page.keyboard.press("Control+A")
    page.keyboard.type(code[:-1] + ("2" if code[-1] != "2" else "3"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#verify-result.error-summary")
    # The page moves the focus to its answer once its script has run (later on a busy machine).
    page.wait_for_function("() => document.activeElement.id === 'verify-result'")
    assert "No certificate has this code" in page.inner_text("#verify-result")
    no_violations(page, "verification, not found")
    # The only console error is the 400 of the form sent with unanswered questions.
    unexpected = [e for e in page.console_errors if "status of 400" not in e]
    assert not unexpected, page.console_errors


def test_a_timed_quiz_warns_and_extends_with_the_keyboard(live_server, page):
    """A quiz with a 1-minute limit: the warning shows at once (under two minutes left) and is
    announced; "Extend the time" works from the keyboard and is announced. axe on both states."""
    from accessible_learning.models import Enrolment, User
    from accessible_learning.services import quizzes

    from .conftest import log_in

    base, app = live_server["url"], live_server["app"]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == "Hand-pulled noodles"))
        learner = db.session.scalar(select(User).where(User.email == "learner@example.org"))
        if db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id,
                                                     Enrolment.course_id == course.id)) is None:
            db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
            db.session.commit()
        quiz = quizzes.create(course, "Timed dough check", "", 50, 1)
        quizzes.save_question(quiz, "single", "How long does the dough rest?", "",
                              [quizzes.ChoiceInput("30 minutes", True),
                               quizzes.ChoiceInput("None")], [])
        quiz_id = quiz.id
    log_in(page, base, "learner")
    page.goto(f"{base}/quizzes/{quiz_id}")
    assert "Time limit: 1 minutes" in page.inner_text("main")
    tab_to(page, "button", "Start the quiz")
    page.keyboard.press("Enter")
    page.wait_for_selector(".quiz-timer-warning")
    _wait_for_live(page, "Less than 2 minutes left")
    no_violations(page, "timed quiz with the warning")
    tab_to(page, "button", "Extend the time by 1 minutes")
    page.keyboard.press("Enter")
    _wait_for_live(page, "The time is extended by 1 minutes.")
    assert "Time left: about 2 minutes." in page.inner_text(".quiz-timer")
    no_violations(page, "timed quiz after extending")
    assert not page.console_errors, page.console_errors
