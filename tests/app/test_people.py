"""People: administrators give and take roles, disable and enable accounts (sessions end at
once), delete an account with its personal data (certificates stay verifiable without the
name), and every change is in the audit log."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import (
    AuditEntry,
    Certificate,
    Course,
    Enrolment,
    LessonProgress,
    LoginSession,
    Preferences,
    User,
)
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, login, post_form


def _user_id(app, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == DEMO_EMAILS[role]))


def _admin(app):
    client = app.test_client()
    login(client, "admin")
    return client


def test_giving_and_taking_a_role(app):
    admin, learner = _admin(app), app.test_client()
    login(learner, "learner")
    learner_id = _user_id(app, "learner")
    assert learner.get("/studio/").status_code == 403
    page = f"/admin/users/{learner_id}"
    response = post_form(admin, f"{page}/role", {"role": "content"}, token_page=page,
                         follow_redirects=True)
    assert "Demo learner is now: Content team." in response.get_data(as_text=True)
    assert learner.get("/studio/").status_code == 200  # at once, in the same session
    post_form(admin, f"{page}/role", {"role": "learner"}, token_page=page)
    assert learner.get("/studio/").status_code == 403
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "Role changed from Learner to Content team" in audit
    assert "Role changed from Content team to Learner" in audit
    # A role that does not exist: the form says so and nothing changes.
    response = post_form(admin, f"{page}/role", {"role": "superuser"}, token_page=page)
    assert response.status_code == 400
    assert "Choose a role from the list." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner_id).role == "learner"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_disabling_ends_the_sessions_at_once_and_refuses_log_in(app):
    admin, learner = _admin(app), app.test_client()
    login(learner, "learner")
    learner_id = _user_id(app, "learner")
    assert learner.get("/dashboard").status_code == 200
    page = f"/admin/users/{learner_id}"
    response = post_form(admin, f"{page}/state", {"action": "disable"}, token_page=page,
                         follow_redirects=True)
    assert "they are logged out everywhere" in response.get_data(as_text=True)
    gone = learner.get("/dashboard")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == learner_id, LoginSession.ended_at.is_(None))) == 0
    # The right password: told the account is disabled; a wrong one: told nothing more.
    again = app.test_client()
    response = post_form(again, "/login", {"email": DEMO_EMAILS["learner"],
                                           "password": DEMO_PASSWORDS["learner"]})
    assert response.status_code == 400
    assert "This account is disabled." in response.get_data(as_text=True)
    response = post_form(again, "/login", {"email": DEMO_EMAILS["learner"], "password": "x" * 12})
    assert "This account is disabled." not in response.get_data(as_text=True)
    assert "(disabled)" in admin.get("/admin/users?q=learner").get_data(as_text=True)

    post_form(admin, f"{page}/state", {"action": "enable"}, token_page=page)
    login(again, "learner")
    assert again.get("/dashboard").status_code == 200
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert audit.index("Enabled") < audit.index("Disabled")  # newest first


def test_an_administrator_cannot_lock_themselves_out(app):
    admin = _admin(app)
    admin_id = _user_id(app, "admin")
    page = f"/admin/users/{admin_id}"
    for url, data, words in [
        (f"{page}/role", {"role": "learner"}, "You cannot change your own role."),
        (f"{page}/state", {"action": "disable"}, "You cannot disable your own account."),
        (f"{page}/delete", {"confirm_email": DEMO_EMAILS["admin"]},
         "You cannot delete your own account."),
    ]:
        response = post_form(admin, url, data, token_page=page)
        assert response.status_code == 400 and words in response.get_data(as_text=True), url
    with app.app_context():
        user = db.session.get(User, admin_id)
        assert user.role == "admin" and user.disabled_at is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_deleting_an_account_removes_its_personal_data_and_keeps_certificates(app, tmp_path):
    from pathlib import Path

    from accessible_learning.models import MediaAsset, Submission
    from accessible_learning.services import media
    from conftest import make_work_video

    admin = _admin(app)
    learner_id = _user_id(app, "learner")
    learner = app.test_client()
    login(learner, "learner")
    with app.app_context():
        course = db.session.scalar(select(Course).order_by(Course.id))
        db.session.add(Enrolment(user_id=learner_id, course_id=course.id))
        db.session.add(LessonProgress(user_id=learner_id, lesson_id=course.lessons[0].id,
                                      position_s=3.0))
        db.session.add(Certificate(user_id=learner_id, course_id=course.id, code="ABCD-EFGH-2345",
                                   holder_name="Demo learner", course_title=course.title))
        video = media.store_file(make_work_video(tmp_path / "work.webm"), "webm")
        db.session.flush()
        db.session.add(Submission(user_id=learner_id, course_id=course.id, media_id=video.id,
                                  note="My skirt block", status="waiting"))
        db.session.commit()
        video_id, video_path = video.id, Path(app.config["MEDIA_ROOT"]) / video.filename
        lesson_media = Path(app.config["MEDIA_ROOT"]) / course.lessons[0].media.filename
    assert video_path.exists()
    page = f"/admin/users/{learner_id}"
    # The wrong e-mail address: nothing is deleted.
    response = post_form(admin, f"{page}/delete", {"confirm_email": "someone@example.org"},
                         token_page=page)
    assert response.status_code == 400
    assert "That is not this account&#39;s e-mail address" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner_id) is not None

    response = post_form(admin, f"{page}/delete",
                         {"confirm_email": DEMO_EMAILS["learner"].upper()}, token_page=page,
                         follow_redirects=True)
    assert "and its personal data are deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner_id) is None
        for model in (Enrolment, LessonProgress, Preferences, LoginSession):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.user_id == learner_id)) == 0, model
        assert db.session.get(MediaAsset, video_id) is None
        assert db.session.scalar(select(func.count()).select_from(Submission).where(
            Submission.user_id == learner_id)) == 0
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.code == "ABCD-EFGH-2345"))
        assert certificate.user_id is None and certificate.holder_name == ""
    assert not video_path.exists() and lesson_media.exists()  # the practical video only
    verify = admin.get("/verify?code=ABCD-EFGH-2345").get_data(as_text=True)
    assert "This certificate is genuine" in verify
    assert learner.get("/dashboard").status_code == 302  # the session is gone with the account
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert re.search(r"Deleted with its personal data \(account \d+, Learner\)", audit)
    assert "Demo learner" not in audit.split("<main")[1]


def test_the_administration_changes_refuse_every_other_role(app):
    """Each POST route of people, organisations and the staff-list import, as each role that is
    not an administrator: 403, and nothing changes."""
    from conftest import ROLES

    learner_id = _user_id(app, "learner")
    urls = [(f"/admin/users/{learner_id}/role", {"role": "admin"}),
            (f"/admin/users/{learner_id}/state", {"action": "disable"}),
            (f"/admin/users/{learner_id}/delete", {"confirm_email": DEMO_EMAILS["learner"]}),
            (f"/admin/users/{learner_id}/organisation", {"organisation_id": "0"}),
            ("/admin/organisations", {"name": "Taken over"}),
            ("/admin/import", {})]
    for role in [r for r in ROLES if r != "admin"]:
        client = app.test_client()
        login(client, role)
        for url, data in urls:
            assert post_form(client, url, data, token_page="/").status_code == 403, (role, url)
    with app.app_context():
        user = db.session.get(User, learner_id)
        assert user.role == "learner" and user.disabled_at is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
