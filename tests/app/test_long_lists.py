"""Lists of people a page at a time (issue 7, scale): with thousands of learners, the
administration's users and the examiner's queue show one page, with page links that say where
they go, and the administration's front page and reports do not grow with the number of users.

2,600 learners are added (``services.demo.add_learners``, as ``flask demo-learners`` does): with
the demo's four users that is 2,604 users, 53 pages of 50; one learner in fifty has handed in a
practical assignment, so 52 submissions wait for review (2 pages)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from accessible_learning.extensions import db
from accessible_learning.models import Submission, User, utcnow
from accessible_learning.services import demo, reports
from conftest import demo_app, login

LEARNERS = 2600
ADDED_AT = datetime(2026, 3, 31, 23, 45)  # a fixed moment, a month's last day: not the calendar's
ROW = re.compile(r'<tr><th scope="row"><a href="/admin/users/\d+">([^<]*)</a>[^/]*?</th>'
                 r'<td>([^<]*)</td><td>([^<]*)</td>')


@pytest.fixture(scope="module")
def crowded(demo_template, tmp_path_factory):
    with demo_app(demo_template, tmp_path_factory.mktemp("crowded")) as app:
        with app.app_context():
            first, last = demo.add_learners(LEARNERS, now=ADDED_AT)
            assert (first, last) == (1, LEARNERS)
        admin = app.test_client()
        login(admin, "admin")
        yield app, admin


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(display name, real name, e-mail) of each user listed."""
    return ROW.findall(html)


def test_the_users_list_shows_fifty_users_a_page_in_name_order(crowded):
    app, admin = crowded
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(User))
        names = list(db.session.scalars(select(User.display_name)
                                        .order_by(User.display_name, User.id)))
    assert total == LEARNERS + len(demo.DEMO_USERS)
    pages = -(-total // 50)
    first = admin.get("/admin/users")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert [name for name, _r, _e in _rows(html)] == names[:50]
    assert f"{total} users found" in html
    assert f"Users 1 to 50 of {total}, by name" in html
    assert f"Page 1 of {pages}" in html
    assert '<nav class="pager" aria-label="Pages of users">' in html
    assert ('<a href="/admin/users?page=1" aria-current="page"><span aria-hidden="true">1</span>'
            '<span class="visually-hidden">Page 1</span></a>') in html
    assert 'href="/admin/users?page=2" rel="next">Next page</a>' in html
    assert 'rel="prev"' not in html
    assert html.count("Make a reset link") == 50

    last = admin.get(f"/admin/users?page={pages}").get_data(as_text=True)
    assert [name for name, _r, _e in _rows(last)] == names[(pages - 1) * 50:]
    assert f'href="/admin/users?page={pages - 1}" rel="prev">Previous page</a>' in last
    assert 'rel="next"' not in last

    middle = admin.get("/admin/users?page=20").get_data(as_text=True)
    assert [name for name, _r, _e in _rows(middle)] == names[950:1000]
    for shown in (1, 18, 19, 20, 21, 22, 23, pages):  # the ends, and the pages near this one
        assert f'href="/admin/users?page={shown}"' in middle
    assert 'href="/admin/users?page=10"' not in middle
    assert middle.count('<span class="visually-hidden">(pages left out)</span>') == 2


def test_users_are_found_by_e_mail_real_name_or_role_and_the_pages_keep_the_search(crowded):
    app, admin = crowded
    one = admin.get("/admin/users?q=LEARNER01234%40scale").get_data(as_text=True)
    assert _rows(one) == [("Learner 01234", "정하은", "learner01234@scale.example.org")]
    assert "1 user found" in one

    with app.app_context():
        park = db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.real_name.like("박%")))
    assert park > 50  # more than a page: the page links must keep the search
    found = admin.get("/admin/users?q=박").get_data(as_text=True)
    assert f"{park} users found" in found
    assert len(_rows(found)) == 50 and all(real.startswith("박") for _n, real, _e in _rows(found))
    assert 'href="/admin/users?page=2&amp;q=%EB%B0%95" rel="next"' in found

    examiners = admin.get("/admin/users?role=examiner").get_data(as_text=True)
    assert [email for _n, _r, email in _rows(examiners)] == ["examiner@example.org"]
    assert "Pages of users" not in examiners  # one page: no page links

    # The search text is taken literally: % and _ are not wildcards.
    for literal in ("%", "_", "learner_1"):
        nothing = admin.get(f"/admin/users?q={literal}".replace("%", "%25", 1)
                            ).get_data(as_text=True)
        assert "0 users found" in nothing and "No user matches" in nothing, literal


def test_the_front_page_and_reports_count_without_listing_everyone(crowded):
    app, admin = crowded
    front = admin.get("/admin/").get_data(as_text=True)
    assert "@scale.example.org" not in front  # nobody is listed there any more
    assert f"<td>{LEARNERS + 1}</td>" in front  # learners by role: the demo learner and ours
    assert 'href="/admin/users">Find a user: give or take a role' in front

    with app.app_context():
        report = reports.build(reports.default_period(ADDED_AT.date()))
        period = report.period
        registered = db.session.scalar(
            select(func.count()).select_from(User).where(
                User.role == "learner", User.created_at >= period.start_at,
                User.created_at < period.end_before))
        by_course = {row.label: row.figures.registered for row in report.by_course}
    assert report.totals.registered == registered > LEARNERS * 0.9
    assert registered >= LEARNERS  # every one added, over the year up to ADDED_AT
    assert sum(row.figures.registered for row in report.by_month) == registered
    # Each learner is enrolled in one course, and one in three in a second one too.
    assert registered <= sum(by_course.values()) <= registered * 1.4
    assert admin.get("/admin/reports").status_code == 200


def test_the_examiners_queue_shows_a_page_of_waiting_work_and_the_last_twenty_reviewed(crowded):
    app, admin = crowded
    with app.app_context():
        waiting = list(db.session.scalars(select(Submission).where(
            Submission.status == "waiting").order_by(Submission.submitted_at, Submission.id)))
        names = [s.user.display_name for s in waiting]
    assert len(waiting) == LEARNERS // 50
    first = admin.get("/examiner/").get_data(as_text=True)
    assert f"Submissions 1 to 50 of {len(waiting)} waiting for review, oldest first" in first
    shown = re.findall(r"Review the work of ([^<]+)</a>", first)
    assert shown == names[:50]
    assert 'href="/examiner/?page=2" rel="next">Next page</a>' in first
    second = admin.get("/examiner/?page=2").get_data(as_text=True)
    assert re.findall(r"Review the work of ([^<]+)</a>", second) == names[50:]
    missing = admin.get("/examiner/?page=3")
    assert missing.status_code == 404
    assert "There is no page 3: the list has 2 pages." in missing.get_data(as_text=True)

    with app.app_context():  # 30 reviewed, each a minute after the one before
        now = utcnow()
        for n, submission in enumerate(waiting[:30]):
            db.session.execute(update(Submission).where(Submission.id == submission.id).values(
                status="reviewed", passed=n % 2 == 0, total=1,
                reviewed_at=now + timedelta(minutes=n)))
        db.session.commit()
    page = admin.get("/examiner/").get_data(as_text=True)
    recent = page[page.index("Reviewed recently"):]
    listed = re.findall(r'/examiner/submissions/(\d+)"', recent)
    assert listed == [str(s.id) for s in reversed(waiting[10:30])]  # the last 20, newest first
    assert f"of {len(waiting) - 30} waiting" not in page  # 22 left: one page, no range
    assert len(re.findall(r"Review the work of", page)) == len(waiting) - 30
