"""Bringing in a staff list from CSV: all rows or none, each wrong row named by its line, new
accounts with one-time set-password links (no password in any file), in the UI and as a
``flask`` command."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import (
    Course,
    Enrolment,
    Organisation,
    PasswordReset,
    User,
)
from conftest import DEMO_EMAILS, login, post_form


def _food_title(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Course.title).where(Course.title.like("Food safety%")))


def _counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (User, Enrolment, Organisation, PasswordReset))


def _send(client, text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return post_form(client, "/admin/import",
                     {"staff_list": (io.BytesIO(data), "staff.csv")},
                     content_type="multipart/form-data")


def test_a_staff_list_is_imported_with_set_password_links(app):
    food = _food_title(app)
    admin = app.test_client()
    login(admin, "admin")
    text = ("name,email,organisation,courses\n"
            f"Kim Minji,minji.kim@example.org,Noodle House,{food}\n"
            f"Demo learner,{DEMO_EMAILS['learner']},Fresh Market Retail,{food}\n"
            "\n"
            "Lee Jun,JUN.LEE@example.org,Fresh Market Retail,\n")
    response = _send(admin, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[html.find("<main"):][:800]
    assert response.headers["Cache-Control"] == "no-store"
    assert "3 rows imported: 2 new accounts, 1 already had an account, 2 enrolments." in html
    assert "Organisations made: Noodle House." in html
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    links = list(csv.reader(io.StringIO(base64.b64decode(encoded).decode("utf-8-sig"))))
    assert [row[:2] for row in links[1:]] == [["Kim Minji", "minji.kim@example.org"],
                                              ["Lee Jun", "jun.lee@example.org"]]
    assert "password" not in ",".join(links[0]).lower().replace("set-password", "")
    with app.app_context():
        minji = db.session.scalar(select(User).where(User.email == "minji.kim@example.org"))
        assert db.session.get(Organisation, minji.organisation_id).name == "Noodle House"
        assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.user_id == minji.id)) == 1

    # The link sets the password once; then the person logs in with it.
    path = links[1][2].split("localhost", 1)[1]
    person = app.test_client()
    assert person.get(path).status_code == 200
    response = post_form(person, path, {"password": "noodles are long and warm",
                                        "confirm": "noodles are long and warm"})
    assert response.status_code == 302
    logged = post_form(person, "/login", {"email": "minji.kim@example.org",
                                          "password": "noodles are long and warm"})
    assert logged.status_code == 302
    assert person.get(path).status_code != 200  # used once


def test_a_file_with_wrong_rows_imports_nothing_and_names_each_line(app):
    food = _food_title(app)
    admin = app.test_client()
    login(admin, "admin")
    before = _counts(app)
    text = ("name,email,organisation,courses\n"
            f"Kim Minji,minji.kim@example.org,Noodle House,{food}\n"
            "Park,not-an-address,Noodle House,\n"
            f"Lee Jun,jun.lee@example.org,,Knitting for beginners;{food}\n"
            ",empty.name@example.org,,\n"
            "Kim Again,MINJI.KIM@example.org,,\n")
    response = _send(admin, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported: 4 lines to correct" in html
    assert "Line 3: “not-an-address” is not an e-mail address." in html
    assert "Line 4: there is no published course “Knitting for beginners”." in html
    assert "Line 5: the name is empty." in html
    assert "Line 6: the e-mail address is already on line 2." in html
    assert _counts(app) == before


@pytest.mark.parametrize(("data", "words"), [
    (b"naam,adres\nKim,kim@example.org\n", "Missing: name, email."),
    (b"name,email\n", "The file has no learners in it"),
    ("name,email\nKim,kim@example.org\n".encode("utf-16"), "The file is not UTF-8 text."),
])
def test_a_file_that_is_not_a_staff_list_is_refused_clearly(app, data, words):
    admin = app.test_client()
    login(admin, "admin")
    before = _counts(app)
    response = _send(admin, data)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_person_of_another_organisation_is_not_taken_over(app):
    admin = app.test_client()
    login(admin, "admin")
    before = _counts(app)
    response = _send(admin, f"name,email,organisation\nDemo learner,{DEMO_EMAILS['learner']},"
                            "Noodle House\n")
    assert response.status_code == 400
    assert "already has an account in another organisation" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_the_flask_command_imports_and_writes_the_links(app, tmp_path):
    source = tmp_path / "staff.csv"
    source.write_text("name;email;organisation;courses\n"
                      + "".join(f"Staff {i};staff{i}@example.org;Fresh Market Retail;\n"
                                for i in range(1, 1201)), encoding="utf-8")
    links = tmp_path / "links.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-learners", str(source), "--links", str(links),
                                 "--base-url", "https://training.example.org"])
    assert result.exit_code == 0, result.output
    assert "1,200 new accounts" in result.output
    rows = list(csv.reader(links.open(encoding="utf-8-sig")))
    assert len(rows) == 1201
    assert rows[1][2].startswith("https://training.example.org/reset-password/")
    # The links file is never overwritten, and a wrong file imports nothing.
    again = runner.invoke(args=["import-learners", str(source), "--links", str(links)])
    assert again.exit_code != 0 and "exists already" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nKim,nope\n", encoding="utf-8")
    before = _counts(app)
    result = runner.invoke(args=["import-learners", str(bad), "--links",
                                 str(tmp_path / "l2.csv")])
    assert result.exit_code != 0 and "line 2:" in result.output
    assert _counts(app) == before and not (tmp_path / "l2.csv").exists()
