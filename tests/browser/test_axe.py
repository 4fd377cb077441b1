"""axe-core on every page, as an anonymous visitor and as each role: zero violations.

No axe rule is switched off. Pages are listed per role; a page whose route is added to the app
must be added here too (test_access.py fails for a route without an access rule)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Course, Lesson, Organisation, Quiz
from conftest import DEMO_EMAILS, demo_app, login, post_form

from .conftest import AXE_OPTIONS, log_in

pytestmark = pytest.mark.browser

AXE = Axe()
CHECKED: set[tuple[str, str]] = set()


def _pages(app) -> dict[str, list[str]]:
    with app.app_context():
        course = db.session.scalar(select(Course).order_by(Course.id))
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        course_id, lesson_id = course.id, lesson.id
        quiz = db.session.scalar(select(Quiz).order_by(Quiz.id))
        quiz_id, question_id, quiz_course = quiz.id, quiz.questions[0].id, quiz.course_id
        practical_course = db.session.scalar(
            select(Course.id).where(Course.practical_brief.is_not(None)))
        organisation = db.session.scalar(select(Organisation.id).order_by(Organisation.id))
    public = ["/", "/courses", "/courses?q=noodle", "/courses?q=zzzz-nothing",
              "/courses?trade=tailoring", f"/courses/{course_id}", "/login", "/register",
              "/preferences", "/no-such-page", "/help/player", "/verify",
              "/verify?code=ABCD-EFGH-2345", "/verify?code=nonsense", "/forgot-password",
              "/reset-password/not-a-reset-link", "/offline"]
    signed_in = [*[p for p in public if p != "/register"], "/dashboard", "/logout", "/account",
                 "/account/password", "/offline/kept"]
    staff_lesson = [f"/lessons/{lesson_id}", f"/lessons/{lesson_id}/transcript",
                    f"/lessons/{lesson_id}/transcript?q=%EC%B9%98%EC%88%98"]
    studio = ["/studio/", "/studio/jobs", f"/studio/lessons/{lesson_id}",
              f"/studio/lessons/{lesson_id}/captions/1",
              f"/studio/lessons/{lesson_id}/descriptions",
              f"/studio/courses/{quiz_course}/quizzes", f"/studio/quizzes/{quiz_id}",
              f"/studio/quizzes/{quiz_id}/questions/{question_id}",
              f"/studio/courses/{practical_course}/practical", "/studio/courses/new",
              f"/studio/courses/{course_id}", f"/studio/courses/{course_id}/lessons/new",
              f"/studio/lessons/{lesson_id}/details"]
    return {
        "anonymous": public,
        "learner": signed_in + ["/studio/"],  # the 403 page
        "content": signed_in + staff_lesson + studio + ["/admin/"],
        "examiner": signed_in + staff_lesson + ["/examiner/", f"/quizzes/{quiz_id}",
                                                f"/quizzes/{quiz_id}/offline",
                                                f"/courses/{practical_course}/practical"],
        "admin": signed_in + staff_lesson + studio + ["/examiner/", "/admin/", "/admin/reports",
                                                      "/admin/users", "/admin/users?q=zzzz",
                                                      "/admin/users/1", "/admin/audit",
                                                      "/admin/organisations", "/admin/import",
                                                      f"/organisations/{organisation}"],
        "employer": signed_in + [f"/organisations/{organisation}", "/studio/"],
    }


def _assert_no_violations(page, label: str) -> None:
    results = AXE.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}\n{results.generate_report()}"


@pytest.mark.parametrize("role", ["anonymous", "learner", "content", "examiner", "admin",
                                  "employer"])
def test_every_page_has_no_axe_violations(live_server, page, role):
    base = live_server["url"]
    if role != "anonymous":
        log_in(page, base, role)
    for path in _pages(live_server["app"])[role]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        _assert_no_violations(page, f"{role} {path}")
        CHECKED.add((role, path))
    # The error pages' own 403/404 status is logged as a console error; anything else (a script
    # error, a Content-Security-Policy violation) fails the test.
    unexpected = [e for e in page.console_errors
                  if not re.search(r"status of 40[34] \((NOT FOUND|FORBIDDEN)\)", e)]
    assert not unexpected, unexpected


def test_pages_with_errors_and_messages_have_no_axe_violations(live_server, page):
    """Error summaries, flash messages and the enrolled lesson page, in both languages."""
    base = live_server["url"]
    page.goto(base + "/register")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    _assert_no_violations(page, "register with errors")
    page.goto(base + "/preferences")
    page.check("#caption_color-3")  # black text …
    page.check("#caption_background-0")  # … on black
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    _assert_no_violations(page, "preferences with errors")
    page.goto(base + "/login")
    page.fill("#email", "nobody@example.org")
    page.fill("#password", "wrong password")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")
    _assert_no_violations(page, "login with errors")
    log_in(page, base, "learner")
    _assert_no_violations(page, "dashboard after log in (flash message)")
    page.goto(base + "/courses/1")
    if page.locator("text=Enrol in this course").count():  # other tests may have enrolled
        page.click("text=Enrol in this course")
        page.wait_for_selector(".notices")
        _assert_no_violations(page, "course after enrolling")
    page.click("#lessons ~ ol a >> nth=0")
    page.wait_for_selector("video")
    _assert_no_violations(page, "lesson as enrolled learner")
    page.goto(base + "/")
    page.click("header button[lang=zh-Hans]")
    page.wait_for_load_state("networkidle")
    page.goto(base + "/lessons/1")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    _assert_no_violations(page, "lesson in Chinese")
    page.goto(base + "/preferences")
    page.check("#high_contrast")
    page.click("main button[type=submit]")
    page.wait_for_selector(".notices")
    assert "high-contrast" in page.get_attribute("body", "class")
    _assert_no_violations(page, "preferences in high contrast")
    # Other tests log in as the same learner on the same server and read English.
    page.click("header button[lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"


def test_studio_chapter_errors_and_report_date_errors_have_no_axe_violations(live_server, page):
    """Two error states that only a form sent with wrong values reaches: the studio's chapter
    list and the administrators' report period (both answer 400 and save nothing)."""
    base = live_server["url"]
    with live_server["app"].app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
    log_in(page, base, "admin")
    page.goto(f"{base}/studio/lessons/{lesson_id}")
    before = page.input_value("#chapters")
    page.fill("#chapters", "0:00 Start\nnot a time at all\n99:99 Too late")
    page.click("#chapters-heading ~ form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "Chapters, line 2:" in page.inner_text(".error-summary")
    _assert_no_violations(page, "studio chapters with errors")
    page.goto(f"{base}/studio/lessons/{lesson_id}")
    assert page.input_value("#chapters") == before  # nothing was saved
    page.goto(f"{base}/admin/reports?from=2026-02-31&to=yesterday")
    page.wait_for_selector("#error-summary")
    _assert_no_violations(page, "report period with errors")
    unexpected = [e for e in page.console_errors
                  if not re.search(r"status of 400 \(BAD REQUEST\)", e)]
    assert not unexpected, unexpected


def _serve(html: str):
    return lambda route: route.fulfill(status=200, body=html,
                                       content_type="text/html; charset=utf-8")


def test_rate_limit_pauses_have_no_axe_violations(live_server, page, demo_template, tmp_path):
    """The pages that explain a rate limit's pause (log-in, registration, reset link, password
    change), answered by an app of their own with limits of one, so that the shared live server
    keeps its limits. Each page's HTML is served at the live server's address, so that it is
    checked with the real styles."""
    base = live_server["url"]
    paused: dict[str, str] = {}
    with demo_app(demo_template, tmp_path / "limited",
                  LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS="1 per 15 minutes",
                  REGISTRATIONS_PER_ADDRESS="1 per hour",
                  RESET_ATTEMPTS_PER_ADDRESS="1 per 15 minutes") as app:
        client = app.test_client()
        for _ in range(2):
            response = post_form(client, "/login", {"email": DEMO_EMAILS["learner"],
                                                    "password": "wrong password here"})
        paused["login"] = response
        for n in range(2):  # the first creates an account and logs in: a new visitor each time
            response = post_form(app.test_client(), "/register", {
                "email": f"new{n}@example.org", "display_name": f"New {n}",
                "password": "a long pass phrase", "confirm": "a long pass phrase",
                "language": "en"})
        paused["register"] = response
        for n in range(2):
            response = client.get(f"/reset-password/guess{n}")
        paused["reset"] = response
        login(client, "content")
        for _ in range(2):
            response = post_form(client, "/account/password", {
                "current": "not the password", "password": "a long pass phrase",
                "confirm": "a long pass phrase"})
        paused["password change"] = response
    for name, response in paused.items():
        assert response.status_code == 429, name
        html = response.get_data(as_text=True)
        assert 'id="error-summary"' in html, name
        url = f"{base}/paused-{name.replace(' ', '-')}"
        page.route(url, _serve(html))
        page.goto(url)
        page.wait_for_selector("#error-summary")
        _assert_no_violations(page, f"{name} paused")


def test_long_lists_with_page_links_and_their_errors_have_no_axe_violations(
        live_server, page, demo_template, tmp_path):
    """The users list and the examiner's queue with page links (2,600 more learners, in an app
    of their own so that the shared live server keeps its users), and their errors: a search
    that is too long, a page number in words, a page after the last. Each page's HTML is served
    at the live server's address, so that it is checked with the real styles."""
    from accessible_learning.services import demo

    base = live_server["url"]
    with demo_app(demo_template, tmp_path / "crowded") as app:
        with app.app_context():
            demo.add_learners(2600)
        client = app.test_client()
        login(client, "admin")
        answers = {url: client.get(url) for url in [
            "/admin/users?page=20", "/admin/users?q=%EB%B0%95&page=2",
            "/admin/users?q=" + "x" * 101, "/admin/users?page=two", "/examiner/?page=2",
            "/examiner/?page=9"]}
    for number, (url, response) in enumerate(answers.items()):
        html = response.get_data(as_text=True)
        if response.status_code == 200:
            assert '<nav class="pager"' in html, url
        else:
            assert response.status_code in (400, 404) and 'id="error-summary"' in html, url
        served = f"{base}/crowded-{number}"
        page.route(served, _serve(html))
        page.goto(served)
        _assert_no_violations(page, url)


def test_a_registration_with_needs_and_what_it_set_have_no_axe_violations(live_server, page):
    """The notice of what declared needs turned on, and the Preferences page that lists it."""
    base = live_server["url"]
    page.goto(base + "/register")
    page.fill("#email", "needs.axe@example.org")
    page.fill("#display_name", "Needs Axe")
    page.fill("#password", "captions and descriptions please")
    page.fill("#confirm", "captions and descriptions please")
    page.check("input[name=needs][value=deaf_hoh]")
    page.check("input[name=needs][value=low_vision]")
    page.click("main button[type=submit]")
    page.wait_for_selector(".notices:has-text('captions are shown in every lesson')")
    _assert_no_violations(page, "registered, with what the needs set")
    page.goto(base + "/preferences")
    page.wait_for_selector("h2:has-text('Set from what you told us')")
    _assert_no_violations(page, "preferences set from needs")
