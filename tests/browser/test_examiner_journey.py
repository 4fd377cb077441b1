"""An examiner reviews a practical assignment with the keyboard alone, its video captioned by the
pipeline; the learner reads the review. axe-core at every step (issue 6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accessible_learning import jobs
from accessible_learning.extensions import db
from accessible_learning.models import Course, Enrolment, Job, Submission, User
from accessible_learning.services import media
from conftest import make_work_video

from .conftest import focused, log_in, no_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.media]


def test_examiner_scores_a_captioned_submission_and_the_learner_reads_it(live_server, page,
                                                                         browser, tmp_path):
    base, app = live_server["url"], live_server["app"]
    video = make_work_video(tmp_path / "work.webm")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == "Hand-pulled noodles"))
        learner = db.session.scalar(select(User).where(User.email == "learner@example.org"))
        if db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id,
                                                     Enrolment.course_id == course.id)) is None:
            db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
        asset = media.store_file(video, "webm", original_name="work.webm")
        db.session.flush()
        submission = Submission(user_id=learner.id, course_id=course.id, media_id=asset.id,
                                note="반죽을 한 시간 쉬게 했습니다.", status="waiting")
        db.session.add(submission)
        db.session.commit()
        job = jobs.enqueue_submission_captions(submission)
        jobs.run(job.id)  # the worker's part, in this process
        assert db.session.get(Job, job.id).state == "done"
        submission_id = submission.id

    log_in(page, base, "examiner")
    tab_to(page, "a", "Examiner", key="Shift+Tab")  # back from the log-in notice to the menu
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Examiner')")
    no_violations(page, "examiner queue")
    tab_to(page, "a", "Review the work of Demo learner")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Review: Demo learner')")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    no_violations(page, "examiner review")

    # A score out of range is refused with the reason; what was typed stays.
    tab_to(page, "#score-1")
    page.keyboard.type("12")
    tab_to(page, "#score-2")
    page.keyboard.type("9")
    tab_to(page, "#score-3")
    page.keyboard.type("4")
    tab_to(page, "#outcome-passed")
    page.keyboard.press("Space")
    tab_to(page, "#feedback")
    page.keyboard.type("고르게 잘 늘렸습니다. Even strands.")
    tab_to(page, "button", "Save the review")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert focused(page)["id"] == "error-summary"
    assert "from 0 to 10" in page.inner_text("#error-summary")
    assert page.input_value("#feedback") == "고르게 잘 늘렸습니다. Even strands."
    no_violations(page, "examiner review with errors")
    tab_to(page, "#score-1")
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    tab_to(page, "button", "Save the review")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices")
    assert "The review is saved" in page.inner_text(".notices")
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        assert (row.scores, row.total, row.passed) == ([10, 9, 4], 23, True)

    # The learner is told on the dashboard and reads the review.
    context = browser.new_context(locale="en-GB")
    learner_page = context.new_page()
    log_in(learner_page, base, "learner")
    assert "An examiner has reviewed your practical assignment" in learner_page.inner_text("main")
    no_violations(learner_page, "learner dashboard with a review")
    tab_to(learner_page, "a", "Read the review")
    learner_page.keyboard.press("Enter")
    learner_page.wait_for_selector("h1:has-text('Practical assignment')")
    text = learner_page.inner_text("main")
    assert "Scored 23 of 25 points." in text and "Even strands." in text
    no_violations(learner_page, "learner's submission page")
    context.close()
