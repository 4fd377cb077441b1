"""Organisations: employers with their staff; an employer contact sees their own staff's
enrolments, progress, completions and certificates, and nobody else's."""

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
    Organisation,
    User,
)
from accessible_learning.services import demo
from conftest import DEMO_EMAILS, login, post_form


def _ids(app) -> dict:
    with app.app_context():
        users = {role: db.session.scalar(select(User).where(User.email == email))
                 for role, email in DEMO_EMAILS.items()}
        retailer = db.session.scalar(select(Organisation).where(
            Organisation.name == demo.DEMO_ORGANISATION))
        return {"retailer": retailer.id, **{role: u.id for role, u in users.items()},
                "learner_org": users["learner"].organisation_id,
                "employer_org": users["employer"].organisation_id}


def test_the_demo_employer_contact_sees_their_staffs_progress_and_certificates(app):
    ids = _ids(app)
    assert ids["learner_org"] == ids["employer_org"] == ids["retailer"]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title.like("Food safety%")))
        lessons = course.lessons
        db.session.add(Enrolment(user_id=ids["learner"], course_id=course.id))
        db.session.add(LessonProgress(user_id=ids["learner"], lesson_id=lessons[0].id,
                                      completed=True, position_s=1.0))
        other = db.session.scalar(select(Course).where(Course.id != course.id))
        db.session.add(Enrolment(user_id=ids["learner"], course_id=other.id))
        db.session.add(Certificate(user_id=ids["learner"], course_id=other.id,
                                   code="WXYZ-2345-ABCD", holder_name="Demo learner",
                                   course_title=other.title))
        db.session.commit()
        expected = (f"{round(100 / len(lessons))}% (1 of {len(lessons)} lessons)",
                    course.title, other.title)
    employer = app.test_client()
    login(employer, "employer")
    assert "Our staff" in employer.get("/dashboard").get_data(as_text=True)
    own = employer.get("/staff")
    assert own.status_code == 302
    assert own.headers["Location"].endswith(f"/organisations/{ids['retailer']}")
    page = employer.get(own.headers["Location"]).get_data(as_text=True)
    assert "Staff of Fresh Market Retail" in page and "Demo learner" in page
    for words in expected:
        assert words in page
    assert "WXYZ-2345-ABCD, issued" in page
    assert "Demo examiner" not in page  # not in the organisation


def test_an_employer_contact_sees_no_other_organisation(app):
    admin = app.test_client()
    login(admin, "admin")
    response = post_form(admin, "/admin/organisations", {"name": "Noodle House"},
                         follow_redirects=True)
    assert "The organisation “Noodle House” is made." in response.get_data(as_text=True)
    with app.app_context():
        noodle = db.session.scalar(select(Organisation).where(Organisation.name == "Noodle House"))
        noodle_id = noodle.id
    employer = app.test_client()
    login(employer, "employer")
    assert employer.get(f"/organisations/{noodle_id}").status_code == 404
    assert employer.get("/organisations/999999").status_code == 404
    learner = app.test_client()
    login(learner, "learner")
    assert learner.get(f"/organisations/{_ids(app)['retailer']}").status_code == 403
    assert admin.get(f"/organisations/{noodle_id}").status_code == 200


def test_an_administrator_moves_a_person_between_organisations(app):
    ids = _ids(app)
    admin = app.test_client()
    login(admin, "admin")
    post_form(admin, "/admin/organisations", {"name": "Noodle House"})
    with app.app_context():
        noodle_id = db.session.scalar(select(Organisation.id).where(
            Organisation.name == "Noodle House"))
    page = f"/admin/users/{ids['learner']}"
    response = post_form(admin, f"{page}/organisation", {"organisation_id": str(noodle_id)},
                         token_page=page, follow_redirects=True)
    assert "Demo learner is now in: Noodle House." in response.get_data(as_text=True)
    employer = app.test_client()
    login(employer, "employer")
    staff = employer.get(f"/organisations/{ids['retailer']}").get_data(as_text=True)
    assert "Demo learner" not in staff
    assert "Put in the organisation Noodle House" in admin.get("/admin/audit").get_data(
        as_text=True)
    # An organisation that does not exist, and a name already taken: refused, nothing changes.
    response = post_form(admin, f"{page}/organisation", {"organisation_id": "424242"},
                         token_page=page)
    assert response.status_code == 400
    assert "Choose an organisation from the list." in response.get_data(as_text=True)
    response = post_form(admin, "/admin/organisations", {"name": "Noodle House"})
    assert response.status_code == 400
    assert "There is already an organisation called “Noodle House”." in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(User, ids["learner"]).organisation_id == noodle_id
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_reports_and_the_completions_csv_filter_by_organisation(app):
    ids = _ids(app)
    admin = app.test_client()
    login(admin, "admin")
    post_form(admin, "/admin/organisations", {"name": "Noodle House"})
    with app.app_context():
        from accessible_learning.services import accounts

        course = db.session.scalar(select(Course).order_by(Course.id))
        other = accounts.register(email="cook@example.org", display_name="Cook",
                                  password="noodles are long and warm")
        noodle = db.session.scalar(select(Organisation).where(Organisation.name == "Noodle House"))
        other.organisation_id = noodle.id
        for user_id, code in ((ids["learner"], "RETL-2345-ABCD"), (other.id, "NOOD-2345-ABCD")):
            db.session.add(Certificate(user_id=user_id, course_id=course.id, code=code,
                                       holder_name="x", course_title=course.title))
        db.session.commit()
        noodle_id, trade = noodle.id, course.trade.name
    everyone = admin.get("/admin/reports/completions.csv").get_data(as_text=True)
    assert "RETL-2345-ABCD" in everyone and "NOOD-2345-ABCD" in everyone
    assert everyone.lstrip("\ufeff").startswith(
        "Display name,Real name,Course,Issued on,Certificate code,E-mail,Organisation,Trade")
    retail = admin.get(f"/admin/reports/completions.csv?organisation={ids['retailer']}")
    text = retail.get_data(as_text=True)
    assert "RETL-2345-ABCD" in text and "NOOD-2345-ABCD" not in text
    assert f"{DEMO_EMAILS['learner']},Fresh Market Retail,{trade}" in text
    page = admin.get(f"/admin/reports?organisation={noodle_id}").get_data(as_text=True)
    assert "Noodle House, from" in page
    assert re.search(r"<dt>Completions</dt><dd>1</dd>", page)
    assert f"organisation={noodle_id}" in page  # the CSV link keeps the filter
    wrong = admin.get("/admin/reports?organisation=424242")
    assert wrong.status_code == 400
    assert "Choose an organisation from the list." in wrong.get_data(as_text=True)
