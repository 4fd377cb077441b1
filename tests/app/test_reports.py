"""Administrator reports: every figure against a seeded data set with known totals, the page
with its charts and tables, the completions CSV, bad dates and access."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import (
    Certificate,
    Course,
    Enrolment,
    FeatureUse,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    Trade,
    User,
)
from accessible_learning.services import reports
from conftest import login, post_form

PERIOD = reports.Period(date(2025, 1, 1), date(2025, 3, 31))
QUERY = "from=2025-01-01&to=2025-03-31"
GARMENT, FOOD, NOODLES = ("Garment pattern-making basics", "Food safety for kitchen staff",
                          "Hand-pulled noodles")
SEWING = "Sewing machine basics"  # added: a second Tailoring course
INJECTED = '=HYPERLINK("http://x")'


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _seed(app) -> None:
    """Learners A, B, C registered in the period; D before it, E after it; X is staff.

    Everything done by X, and everything outside 2025-01-01 .. 2025-03-31, must not count."""
    with app.app_context():
        course = {c.title: c for c in db.session.scalars(select(Course))}
        tailoring = db.session.scalar(select(Trade).where(Trade.slug == "tailoring"))
        sewing = Course(title=SEWING, summary="", language="en", trade=tailoring, published=True)
        db.session.add(sewing)
        db.session.add(Lesson(course=sewing, position=1, title="Threading", language="en"))
        db.session.flush()
        course[SEWING] = sewing
        lesson = {title: c.lessons[0] for title, c in course.items()}

        def user(name, created, role="learner", real_name=None, enrolled=()):
            found = User(email=f"{abs(hash(name))}@example.org", display_name=name,
                         real_name=real_name, password_hash="x", role=role,
                         created_at=_at(created))
            db.session.add(found)
            db.session.flush()
            for title in enrolled:
                db.session.add(Enrolment(user_id=found.id, course_id=course[title].id))
            return found

        a = user(INJECTED, "2025-01-10 09:00", real_name="Ann Lee", enrolled=(GARMENT, SEWING))
        b = user("Bo", "2025-02-20 12:00", enrolled=(FOOD,))
        c = user("Cy", "2025-03-31 23:30")
        d = user("Dan", "2024-12-31 23:59", enrolled=(GARMENT,))
        e = user("Eve", "2025-04-01 00:00", enrolled=(FOOD,))
        x = user("Staff", "2025-01-05 10:00", role="content", enrolled=(GARMENT,))

        for who, title, updated, seconds in [
            (a, GARMENT, "2025-01-15 10:00", 1800), (a, SEWING, "2025-02-10 10:00", 3600),
            (b, FOOD, "2025-02-25 10:00", 1080), (d, GARMENT, "2025-03-05 10:00", 5400),
            (d, NOODLES, "2024-12-20 10:00", 7200), (e, FOOD, "2025-04-02 10:00", 3600),
            (x, GARMENT, "2025-01-20 10:00", 3600),
        ]:
            db.session.add(LessonProgress(user_id=who.id, lesson_id=lesson[title].id,
                                          watched_s=seconds, updated_at=_at(updated)))

        quiz_g = Quiz(course_id=course[GARMENT].id, title="Measuring")
        quiz_n = Quiz(course_id=course[NOODLES].id, title="Dough")
        db.session.add_all([quiz_g, quiz_n])
        db.session.flush()
        for who, quiz, number, started, submitted, passed in [
            (a, quiz_g, 1, "2025-01-20 10:00", "2025-01-20 10:20", False),
            (a, quiz_g, 2, "2025-02-01 10:00", "2025-02-01 10:20", True),
            (b, quiz_n, 1, "2025-03-10 10:00", "2025-03-10 10:20", False),
            (c, quiz_n, 1, "2025-03-31 22:00", None, None),  # started, not submitted
            (d, quiz_g, 1, "2024-12-30 10:00", "2024-12-30 10:20", True),
            (d, quiz_n, 1, "2025-03-15 10:00", "2025-03-15 10:20", True),
            (x, quiz_g, 1, "2025-01-21 10:00", "2025-01-21 10:20", True),
        ]:
            db.session.add(QuizAttempt(
                user_id=who.id, quiz_id=quiz.id, number=number, started_at=_at(started),
                submitted_at=_at(submitted) if submitted else None, passed=passed,
                score=None if passed is None else (90 if passed else 40),
            ))

        for who, title, issued, code in [
            (a, GARMENT, "2025-02-05 10:00", "AAAA-0001"), (d, NOODLES, "2025-03-20 10:00",
                                                            "DDDD-0002"),
            (b, FOOD, "2025-04-01 00:00", "BBBB-0003"), (d, GARMENT, "2024-12-31 10:00",
                                                         "DDDD-0004"),
            (x, GARMENT, "2025-01-25 10:00", "XXXX-0005"),
        ]:
            db.session.add(Certificate(user_id=who.id, course_id=course[title].id, code=code,
                                       holder_name=who.real_name or who.display_name,
                                       course_title=title, issued_at=_at(issued)))

        for who, feature, last in [
            (a, "captions", "2025-02-01 10:00"), (a, "voice", "2025-03-31 23:59"),
            (b, "captions", "2025-03-01 10:00"), (d, "captions", "2024-12-01 10:00"),
            (d, "descriptions", "2025-01-15 10:00"), (e, "voice", "2025-04-01 00:00"),
            (x, "captions", "2025-02-01 10:00"),
        ]:
            db.session.add(FeatureUse(user_id=who.id, feature=feature, first_at=_at(last),
                                      last_at=_at(last), uses=3))
        db.session.commit()


# (registered, active, hours, completions, quizzes taken, quizzes passed, pass rate)
EXPECTED_TOTALS = (3, 4, 3.3, 2, 3, 2, 66.7)
EXPECTED_BY_MONTH = {
    "2025-01": (1, 1, 0.5, 0, 1, 0, 0.0),
    "2025-02": (1, 2, 1.3, 1, 1, 1, 100.0),
    "2025-03": (1, 3, 1.5, 1, 2, 1, 50.0),
}
EXPECTED_BY_COURSE = {
    GARMENT: (1, 2, 2.0, 1, 1, 1, 100.0),
    SEWING: (1, 1, 1.0, 0, 0, 0, None),
    FOOD: (1, 1, 0.3, 0, 0, 0, None),
    NOODLES: (0, 3, 0.0, 1, 2, 1, 50.0),
}
EXPECTED_BY_TRADE = {
    "Tailoring": (1, 2, 3.0, 1, 1, 1, 100.0),  # A counts once though enrolled in two courses
    "Food safety": (1, 1, 0.3, 0, 0, 0, None),
    "Cooking": (0, 3, 0.0, 1, 2, 1, 50.0),
}
NOTHING = (0, 0, 0.0, 0, 0, 0, None)  # the demo's other trades, which have no course
EXPECTED_FEATURES = [("captions", 2), ("descriptions", 1), ("voice", 1)]


def _tuple(figures: reports.Figures) -> tuple:
    return (figures.registered, figures.active, figures.hours, figures.completions,
            figures.quizzes_taken, figures.quizzes_passed, figures.pass_rate)


@pytest.fixture
def seeded(app):
    _seed(app)
    return app


def test_every_figure_over_the_seeded_period(seeded):
    with seeded.app_context():
        report = reports.build(PERIOD)
        trade_names = {t.id: t.name for t in db.session.scalars(select(Trade))}
    assert _tuple(report.totals) == EXPECTED_TOTALS
    assert {r.label: _tuple(r.figures) for r in report.by_month} == EXPECTED_BY_MONTH
    assert [r.label for r in report.by_month] == ["2025-01", "2025-02", "2025-03"]
    assert {r.label: _tuple(r.figures) for r in report.by_course} == EXPECTED_BY_COURSE
    assert {r.label: r.trade for r in report.by_course}[SEWING] == "Tailoring"
    by_trade = {r.label: _tuple(r.figures) for r in report.by_trade}
    assert by_trade == {name: EXPECTED_BY_TRADE.get(name, NOTHING)
                        for name in trade_names.values()}
    assert set(EXPECTED_BY_TRADE) <= set(by_trade)
    assert report.features == EXPECTED_FEATURES
    assert report.series("by_month", "active") == [("2025-01", 1), ("2025-02", 2),
                                                   ("2025-03", 3)]


def test_one_month_and_the_period_bounds(seeded):
    with seeded.app_context():
        march = reports.build(reports.Period(date(2025, 3, 1), date(2025, 3, 31)))
        # The last day is included up to midnight; the day after is not.
        last_day = reports.build(reports.Period(date(2025, 3, 31), date(2025, 3, 31)))
        april = reports.build(reports.Period(date(2025, 4, 1), date(2025, 4, 30)))
    assert _tuple(march.totals) == EXPECTED_BY_MONTH["2025-03"]
    assert (last_day.totals.registered, last_day.totals.active) == (1, 1)  # C, at 23:30
    assert dict(last_day.features)["voice"] == 1  # A, at 23:59
    # E registered, B's certificate and E's voice use all fall on 1 April at 00:00.
    assert (april.totals.registered, april.totals.completions) == (1, 1)
    assert dict(april.features) == {"captions": 0, "descriptions": 0, "voice": 1}


def test_a_period_that_starts_and_ends_inside_months(seeded):
    """Registrations a month are counted over each month's part inside the period."""
    period = reports.Period(date(2025, 1, 11), date(2025, 3, 31))
    assert period.month_bounds() == [
        (datetime(2025, 1, 11), datetime(2025, 2, 1)), (datetime(2025, 2, 1),
                                                        datetime(2025, 3, 1)),
        (datetime(2025, 3, 1), datetime(2025, 4, 1))]
    with seeded.app_context():
        report = reports.build(period)
    # A registered on 10 January, the day before; B in February, C on 31 March.
    assert report.series("by_month", "registered") == [("2025-01", 0), ("2025-02", 1),
                                                       ("2025-03", 1)]
    assert report.totals.registered == 2
    by_trade = {r.label: r.figures.registered for r in report.by_trade}
    assert (by_trade["Tailoring"], by_trade["Food safety"]) == (0, 1)


def test_default_period_is_the_year_that_ends_today():
    """The last 12 months: from the day after the same date a year earlier, up to today."""
    period = reports.default_period(date(2026, 11, 29))
    assert (period.start, period.end) == (date(2025, 11, 30), date(2026, 11, 29))
    assert len(period.months()) == 13 and period.month_count() == 13
    for today, start, months in [
        (date(2026, 12, 3), date(2025, 12, 4), 13),  # the day the old rule left out 364 days ago
        (date(2026, 1, 1), date(2025, 1, 2), 13),  # a year's first day
        (date(2026, 12, 31), date(2026, 1, 1), 12),  # a year's last day: the calendar year
        (date(2026, 3, 1), date(2025, 3, 2), 13),  # a month's first day
        (date(2026, 4, 30), date(2025, 5, 1), 12),  # a month's last day
        (date(2028, 2, 29), date(2027, 3, 1), 12),  # a leap day: a year earlier was 28 February
        (date(2029, 3, 1), date(2028, 3, 2), 13),  # a year that holds a leap day
    ]:
        period = reports.default_period(today)
        assert (period.start, period.end, period.month_count()) == (start, today, months), today
        assert 365 <= (period.end - period.start).days + 1 <= 366, today


# Today set to the first and the last day of a month and of a year (and a leap day). Far from
# the real date, so that the demo's own users (registered when the demo was made) never count.
BOUNDARY_DAYS = [date(2031, 3, 1), date(2031, 3, 31), date(2031, 12, 31), date(2032, 1, 1),
                 date(2032, 2, 29)]


@pytest.mark.parametrize("today", BOUNDARY_DAYS, ids=str)
def test_the_default_period_on_the_first_and_last_days_of_months_and_years(app, today):
    """Learners registered just inside and just outside the year that ends ``today``: those of
    today (up to 23:59:59), of 364 days ago and of the period's first day at midnight count;
    those of the day before the period, of the same date a year ago and of tomorrow do not."""
    period = reports.default_period(today)
    first, last = datetime.combine(period.start, datetime.min.time()), datetime.combine(
        today, datetime.max.time().replace(microsecond=0))
    year_ago = first - timedelta(days=1)  # the same date a year earlier (28 Feb for 29 Feb)
    inside = {"first-midnight": first, "364-days-ago": datetime.combine(
        today - timedelta(days=364), datetime.min.time()) + timedelta(hours=12),
        "today-midnight": datetime.combine(today, datetime.min.time()), "today-last": last}
    outside = {"before-first": first - timedelta(seconds=1),
               "year-ago-noon": year_ago + timedelta(hours=12),
               "tomorrow": last + timedelta(seconds=1)}
    with app.app_context():
        lesson = db.session.scalars(select(Lesson).order_by(Lesson.id)).first()
        for name, created in {**inside, **outside}.items():
            user = User(email=f"{name}-{today}@example.org", display_name=name,
                        password_hash="x", role="learner", created_at=created)
            db.session.add(user)
            db.session.flush()
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, watched_s=360,
                                          updated_at=created))
        db.session.commit()
        report = reports.build(period)
        # The period's own bounds, one day wider on each side: everyone counts.
        wider = reports.build(reports.Period(period.start - timedelta(days=1),
                                             today + timedelta(days=1)))
    assert report.period == period and period.end == today
    assert (report.totals.registered, report.totals.active) == (len(inside), len(inside))
    assert report.totals.hours == round(len(inside) * 360 / 3600, 1)
    assert sum(row.figures.registered for row in report.by_month) == len(inside)
    assert report.by_month[0].label == f"{period.start.year:04d}-{period.start.month:02d}"
    assert report.by_month[-1].label == f"{today.year:04d}-{today.month:02d}"
    assert (wider.totals.registered, wider.totals.active) == (len(inside) + len(outside),) * 2


def test_neutralise_formula_cells():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert reports.neutralise(text) == "'" + text
    assert reports.neutralise("Ann Lee") == "Ann Lee"
    assert reports.neutralise(None) == ""
    assert reports.neutralise("2025-02-05") == "2025-02-05"


class _Tables(HTMLParser):
    """Tables by id (the id of the table, or of the chart it follows) as lists of cell texts;
    and the values written in each chart."""

    def __init__(self):
        super().__init__()
        self.tables, self.charts, self.current, self.cell = {}, {}, None, None
        self.chart, self.in_value = None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = self.tables.setdefault(attrs.get("id", f"t{len(self.tables)}"), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("th", "td") and self.current is not None:
            self.cell = ""
        elif tag == "svg":
            self.chart = self.charts.setdefault(attrs["aria-labelledby"].split()[0], [])
        elif tag == "text" and attrs.get("class") == "chart-value":
            self.in_value = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("th", "td") and self.cell is not None:
            self.current[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "svg":
            self.chart = None
        elif tag == "text":
            self.in_value = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_value:
            self.chart.append(data.strip())


def _cells(values: tuple) -> list[str]:
    *counts, rate = values
    return [f"{v:.1f}" if isinstance(v, float) else str(v) for v in counts] + [
        "—" if rate is None else f"{rate:.1f}"]


def test_the_page_shows_the_figures_charts_and_tables(seeded, client):
    login(client, "admin")
    response = client.get(f"/admin/reports?{QUERY}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "From 2025-01-01 to 2025-03-31" in html
    for label, value in [("Learners registered", "3"), ("Active learners", "4"),
                         ("Learning hours", "3.3"), ("Completions", "2")]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert "66.7 percent: 2 of 3 quizzes taken were passed" in html
    assert 'href="/admin/reports/completions.csv?from=2025-01-01&amp;to=2025-03-31"' in html
    assert INJECTED not in html  # learners' names are not in the report page

    parsed = _Tables()
    parsed.feed(html)
    tables = parsed.tables
    month_rows = {row[0]: row[1:] for row in tables["month-figures"][1:]}
    assert month_rows == {k: _cells(v) for k, v in EXPECTED_BY_MONTH.items()}
    course_rows = {row[0]: row[2:] for row in tables["course-figures"][1:]}
    assert course_rows == {k: _cells(v) for k, v in EXPECTED_BY_COURSE.items()}
    trade_rows = {row[0]: row[1:] for row in tables["trade-figures"][1:]}
    assert trade_rows == {k: _cells(EXPECTED_BY_TRADE.get(k, NOTHING)) for k in trade_rows}
    assert set(EXPECTED_BY_TRADE) <= set(trade_rows)

    # Each chart is an image named by its title and description, and is followed by a table
    # with a caption and header cells carrying exactly the numbers written in the chart.
    charts = re.findall(r'<svg class="chart" role="img" aria-labelledby="([\w-]+)-title \1-desc"',
                        html)
    assert len(charts) == 6
    for chart in charts:
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
        table = tables[f"{chart}-table"]
        assert re.search(rf'</svg>\s*</div>\s*<table class="chart-table" id="{chart}-table">\s*'
                         r"<caption>", html)
        assert [row[1] for row in table[1:]] == parsed.charts[f"{chart}-title"]
    assert [row[1] for row in tables["chart-month-active-table"][1:]] == ["1", "2", "3"]
    # Courses in the order of their trade's name, then their title.
    assert [row[:2] for row in tables["chart-course-hours-table"][1:]] == [
        [NOODLES, "0.0"], [FOOD, "0.3"], [GARMENT, "2.0"], [SEWING, "1.0"]]
    assert {row[0]: row[1] for row in tables["chart-features-table"][1:]} == {
        "Captions": "2", "Audio description": "1", "Voice navigation": "1"}
    assert "The largest is Captions: 2." in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert " style=" not in html and "<script>" not in html


def test_completions_csv(seeded, client):
    login(client, "admin")
    response = client.get(f"/admin/reports/completions.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="completions-2025-01-01-2025-03-31.csv"')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Display name", "Real name", "Course", "Issued on", "Certificate code",
                       "E-mail", "Organisation", "Trade"]
    assert [row[:5] for row in rows[1:]] == [
        ["'" + INJECTED, "Ann Lee", GARMENT, "2025-02-05", "AAAA-0001"],
        ["Dan", "", NOODLES, "2025-03-20", "DDDD-0002"],
    ]
    # What a subsidy claim needs besides: the learner's address, employer (none here), trade.
    assert [(row[5].endswith("@example.org"), row[6], row[7]) for row in rows[1:]] == [
        (True, "", "Tailoring"), (True, "", "Cooking")]
    assert "\r\n" in text


def _counts(app) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (User, Certificate, QuizAttempt, LessonProgress, FeatureUse))


@pytest.mark.parametrize("query, message", [
    ("from=2025-02-30&to=2025-03-31",
     "From: Enter a real date as year-month-day, for example 2026-03-31."),
    ("from=2025-01-01&to=31/03/2025",
     "To: Enter a real date as year-month-day, for example 2026-03-31."),
    ("from=2025-03-01&to=2025-01-01",
     "To: The end date must be the same as or after the start date."),
    ("from=2000-01-01&to=2025-01-01", "From: Choose a period of at most 10 years."),
    ("from=2999-01-01", "From: The start date must not be after today."),
])
def test_bad_dates_give_400_with_the_error_summary(seeded, client, query, message):
    login(client, "admin")
    before = _counts(seeded)
    for url in (f"/admin/reports?{query}", f"/admin/reports/completions.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        html = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert 'id="error-summary"' in html and "There is a problem" in html
        assert message in html.replace("&#39;", "'")
        assert 'aria-invalid="true"' in html
        assert 'id="totals"' not in html  # no figures for a bad period
    assert _counts(seeded) == before


def test_partial_periods(seeded, client):
    login(client, "admin")
    response = client.get("/admin/reports?to=2025-03-31")
    assert response.status_code == 200
    assert "From 2024-04-01 to 2025-03-31" in response.get_data(as_text=True)
    response = client.get("/admin/reports?from=2025-01-01&to=")
    assert response.status_code == 200
    assert "From 2025-01-01 to " in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["learner", "content", "examiner"])
def test_only_administrators_see_reports(seeded, client, role):
    login(client, role)
    assert client.get(f"/admin/reports?{QUERY}").status_code == 403
    response = client.get(f"/admin/reports/completions.csv?{QUERY}")
    assert response.status_code == 403
    assert INJECTED not in response.get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client):
    for url in ("/admin/reports", "/admin/reports/completions.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_admin_page_links_the_reports(client):
    login(client, "admin")
    assert 'href="/admin/reports"' in client.get("/admin/").get_data(as_text=True)


def test_the_page_and_the_csv_in_chinese(seeded, client):
    login(client, "admin")
    post_form(client, "/language", {"language": "zh", "next": "/admin/reports"},
              token_page="/admin/")
    html = client.get(f"/admin/reports?{QUERY}").get_data(as_text=True)
    assert "2025-01-01 至 2025-03-31" in html and "按月份的活跃学员" in html
    assert "百分之 66.7：参加的 3 个测验中通过了 2 个" in html
    assert "条形图，共 3 个条形。" in html
    bad = client.get("/admin/reports?from=2025-03-01&to=2025-01-01")
    assert bad.status_code == 400
    assert "结束日期必须与开始日期相同或在其之后。" in bad.get_data(as_text=True)
    text = client.get(f"/admin/reports/completions.csv?{QUERY}").get_data(as_text=True)
    assert text.splitlines()[0] == ("\ufeff显示名称,真实姓名,课程,颁发日期,证书编号,"
                                    "电子邮箱,机构,工种")
