"""Training figures for administrators, over a period, and the completions export.

A period is two dates, both included (``Period.start`` 00:00 up to the end of ``Period.end``).
The default period is the last 12 months as an administrator means it: a year that ends today,
from the day after the same date a year earlier up to today (365 days, 366 when it holds a
29 February). Someone who registered 364 days ago counts; someone who registered on the same date
a year ago does not. The month rows run from the start's month to today's, so the first and last
rows are parts of months (13 rows; 12 when the period starts on the 1st).

Only users whose role is ``learner`` are counted anywhere in these figures: staff who try the
courses (content team, examiners, administrators) are left out. The figures:

learners registered
    learners whose account was created (``User.created_at``) in the period. By course (and by
    trade): those of them who are enrolled in the course (in any course of the trade), whenever
    they enrolled; a learner enrolled in two courses counts once in each, so the course rows can
    add up to more than the total.
active learners
    distinct learners with lesson progress saved (``LessonProgress.updated_at``) or a quiz
    started (``QuizAttempt.started_at``) in the period. By course: active in a lesson or a quiz
    of that course; by trade: in any course of the trade; by month: in that month. A learner
    counts once per row, so rows can add up to more than the total.
learning hours
    the played time of the lessons (``LessonProgress.watched_s``, each part of a lesson counted
    once) of the progress rows last updated in the period, and the time live classes were
    watched while live (``LiveAttendance.watched_s``), in hours to one decimal. A row's played
    time is counted in the month of its last update.
completions
    certificates issued (``Certificate.issued_at``) in the period: one a learner and course.
quiz pass rate
    over the distinct (learner, quiz) pairs with at least one attempt submitted
    (``QuizAttempt.submitted_at``) in the period ("quizzes taken"), the share of those pairs
    with at least one passed attempt submitted in the period ("quizzes passed"), in percent.
    A learner who fails twice and then passes counts as one quiz taken and one passed. By month:
    the pairs with a submission in that month, passed when one of that month's attempts passed.
    No figure (``None``) when no quiz was taken.
accessibility feature use
    for each feature in ``models.FEATURES``, the number of distinct learners who used it with
    their last use (``FeatureUse.last_at``) in the period. Counts only: no names, no ids.

The completions export has one row a certificate issued in the period: the learner's display
name, real name (empty when not given), the course title as printed on the certificate, the issue
date (ISO 8601) and the certificate code. Cells that a spreadsheet would read as a formula are
neutralised with a leading apostrophe.

Queries group by month with SQL ``EXTRACT`` (portable: SQLite and PostgreSQL); distinct learners
across months, courses and trades are counted in Python from grouped rows.
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, exists, extract, func, literal, select, union, union_all

from ..extensions import db
from ..models import (
    FEATURES,
    LEARNER,
    Certificate,
    Course,
    Enrolment,
    FeatureUse,
    Lesson,
    LessonProgress,
    LiveAttendance,
    LiveClass,
    Organisation,
    Quiz,
    QuizAttempt,
    Trade,
    User,
    utcnow,
)

MAX_MONTHS = 120  # the longest period a report covers (10 years)
CSV_HEADERS = ("Display name", "Real name", "Course", "Issued on", "Certificate code", "E-mail",
               "Organisation", "Trade")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Month = tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day)

    @property
    def end_before(self) -> datetime:
        """The first moment after the period (the bound is exclusive)."""
        after = self.end + timedelta(days=1)
        return datetime(after.year, after.month, after.day)

    def months(self) -> list[Month]:
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def month_bounds(self) -> list[tuple[datetime, datetime]]:
        """The first moment of each month of the period and the first after it, both inside
        the period (the first and last months may be parts of months)."""
        bounds = []
        for year, month in self.months():
            after = (year + 1, 1) if month == 12 else (year, month + 1)
            bounds.append((max(datetime(year, month, 1), self.start_at),
                           min(datetime(*after, 1), self.end_before)))
        return bounds

    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def default_period(today: date | None = None) -> Period:
    """The year that ends today: from the day after today's date a year earlier, up to today.

    For 29 February the date a year earlier is 28 February, so the period starts on 1 March."""
    today = today or utcnow().date()
    day = min(today.day, monthrange(today.year - 1, today.month)[1])
    return Period(date(today.year - 1, today.month, day) + timedelta(days=1), today)


@dataclass
class Figures:
    registered: int = 0
    active: int = 0
    hours: float = 0.0
    completions: int = 0
    quizzes_taken: int = 0
    quizzes_passed: int = 0

    @property
    def pass_rate(self) -> float | None:
        """Percent, to one decimal; None when no quiz was taken."""
        if not self.quizzes_taken:
            return None
        return round(100 * self.quizzes_passed / self.quizzes_taken, 1)


@dataclass
class Row:
    key: object  # course id, trade id or (year, month)
    label: str
    figures: Figures = field(default_factory=Figures)
    trade: str = ""  # the trade's name, on course rows


@dataclass
class Report:
    period: Period
    totals: Figures
    by_course: list[Row]
    by_trade: list[Row]
    by_month: list[Row]
    features: list[tuple[str, int]]  # (feature, learners) in models.FEATURES order

    def series(self, grouping: str, figure: str) -> list[tuple[str, float]]:
        """(label, value) of one figure over ``by_course``, ``by_trade`` or ``by_month``."""
        return [(row.label, getattr(row.figures, figure)) for row in getattr(self, grouping)]


def month_label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _in(column, period: Period):
    return (column >= period.start_at) & (column < period.end_before)


def _month_columns(column, labelled: bool = False):
    year, month = extract("year", column), extract("month", column)
    return (year.label("at_year"), month.label("at_month")) if labelled else (year, month)


def _learner(organisation_id: int | None = None):
    """Learners (of one organisation, when given)."""
    if organisation_id is None:
        return User.role == LEARNER
    return (User.role == LEARNER) & (User.organisation_id == organisation_id)


def build(period: Period | None = None, organisation_id: int | None = None) -> Report:
    """Every figure for the period, in total and by course, by trade and by month (of one
    organisation's learners, when given)."""
    period = period or default_period()
    learner = _learner(organisation_id)
    courses = db.session.execute(
        select(Course.id, Course.title, Course.trade_id, Trade.name)
        .join(Trade, Course.trade_id == Trade.id)
        .order_by(Trade.name, Course.title, Course.id)
    ).all()
    trade_of = {c.id: c.trade_id for c in courses}
    trades = db.session.execute(select(Trade.id, Trade.name).order_by(Trade.name, Trade.id)).all()
    months = period.months()

    totals = Figures()
    by_course = {c.id: Row(c.id, c.title, trade=c.name) for c in courses}
    by_trade = {t.id: Row(t.id, t.name) for t in trades}
    by_month = {m: Row(m, month_label(m)) for m in months}

    def rows_for(course_id: int | None, month: Month | None) -> list[Row]:
        rows = []
        if course_id in by_course:
            rows += [by_course[course_id], by_trade[trade_of[course_id]]]
        if month in by_month:
            rows.append(by_month[month])
        return rows

    # Learners registered, and of them those enrolled in each course and trade. The database
    # counts: with tens of thousands of learners, no row a learner comes back to Python.
    registered_in = (learner, _in(User.created_at, period))
    # A count a month over the index on (role, created_at): counting ranges of the index, with
    # no date function run on every learner's row.
    per_month = union_all(*(
        select(literal(number).label("number"), func.count().label("count"))
        .select_from(User).where(learner, User.created_at >= start, User.created_at < end)
        for number, (start, end) in enumerate(period.month_bounds())))
    for number, count in db.session.execute(select(per_month.subquery())).all():
        by_month[months[number]].figures.registered = count
        totals.registered += count
    # Over the enrolments in their order, looking each learner up by id (EXISTS, not a join
    # that SQLite would drive from the learners by date, reading the enrolments out of order).
    enrolled = (select(Enrolment.user_id, Enrolment.course_id)
                .where(exists().where(User.id == Enrolment.user_id, *registered_in))
                .subquery())
    # A learner is enrolled once in a course (uq_enrolments_user_course).
    _count_distinct(enrolled, by_course, by_trade, "registered", trade_of, unique=True)

    # Active learners: (user, course, year, month) with progress or a quiz started.
    progress_activity = (
        select(LessonProgress.user_id.label("user_id"), Lesson.course_id.label("course_id"),
               *_month_columns(LessonProgress.updated_at, labelled=True))
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(User, LessonProgress.user_id == User.id)
        .where(learner, _in(LessonProgress.updated_at, period))
    )
    quiz_activity = (
        select(QuizAttempt.user_id.label("user_id"), Quiz.course_id.label("course_id"),
               *_month_columns(QuizAttempt.started_at, labelled=True))
        .join(Quiz, QuizAttempt.quiz_id == Quiz.id)
        .join(User, QuizAttempt.user_id == User.id)
        .where(learner, _in(QuizAttempt.started_at, period))
    )
    activity = union(progress_activity, quiz_activity).subquery()
    learners = func.count(func.distinct(activity.c.user_id))
    totals.active = db.session.scalar(select(learners)) or 0
    _count_distinct(activity, by_course, by_trade, "active", trade_of)
    for year, month, count in db.session.execute(
            select(activity.c.at_year, activity.c.at_month, learners)
            .group_by(activity.c.at_year, activity.c.at_month)).all():
        if (int(year), int(month)) in by_month:
            by_month[(int(year), int(month))].figures.active = count

    # Learning hours.
    seconds = db.session.execute(
        select(Lesson.course_id, *_month_columns(LessonProgress.updated_at),
               func.sum(LessonProgress.watched_s))
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(User, LessonProgress.user_id == User.id)
        .where(learner, _in(LessonProgress.updated_at, period))
        .group_by(Lesson.course_id, *_month_columns(LessonProgress.updated_at))
    ).all()
    # Live classes watched while live count too (a class's replay is a lesson, counted above).
    seconds += db.session.execute(
        select(LiveClass.course_id, *_month_columns(LiveAttendance.updated_at),
               func.sum(LiveAttendance.watched_s))
        .join(LiveClass, LiveAttendance.live_class_id == LiveClass.id)
        .join(User, LiveAttendance.user_id == User.id)
        .where(learner, _in(LiveAttendance.updated_at, period))
        .group_by(LiveClass.course_id, *_month_columns(LiveAttendance.updated_at))
    ).all()
    total_s = 0.0
    per_row_s: dict[int, float] = defaultdict(float)
    for course_id, year, month, watched in seconds:
        total_s += watched or 0.0
        for row in rows_for(course_id, (int(year), int(month))):
            per_row_s[id(row)] += watched or 0.0
    totals.hours = _hours(total_s)
    for row in [*by_course.values(), *by_trade.values(), *by_month.values()]:
        row.figures.hours = _hours(per_row_s.get(id(row), 0.0))

    # Completions.
    issued = db.session.execute(
        select(Certificate.course_id, *_month_columns(Certificate.issued_at), func.count())
        .join(User, Certificate.user_id == User.id)
        .where(learner, _in(Certificate.issued_at, period))
        .group_by(Certificate.course_id, *_month_columns(Certificate.issued_at))
    ).all()
    for course_id, year, month, count in issued:
        totals.completions += count
        for row in rows_for(course_id, (int(year), int(month))):
            row.figures.completions += count

    # Quiz pass rate over distinct (learner, quiz) pairs, counted by the database: a pair a
    # month for the months (passed if an attempt that month passed), and a pair over the whole
    # period for the totals, courses and trades (passed if any attempt passed).
    passed_any = func.max(case((QuizAttempt.passed.is_(True), 1), else_=0))
    monthly = (
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, Quiz.course_id,
               *_month_columns(QuizAttempt.submitted_at, labelled=True),
               passed_any.label("passed"))
        .join(Quiz, QuizAttempt.quiz_id == Quiz.id)
        .join(User, QuizAttempt.user_id == User.id)
        .where(learner, QuizAttempt.submitted_at.is_not(None),
               _in(QuizAttempt.submitted_at, period))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id, Quiz.course_id,
                  *_month_columns(QuizAttempt.submitted_at))
    ).subquery()
    for year, month, count, passed in db.session.execute(
            select(monthly.c.at_year, monthly.c.at_month, func.count(), func.sum(monthly.c.passed))
            .group_by(monthly.c.at_year, monthly.c.at_month)).all():
        figures = by_month[(int(year), int(month))].figures
        figures.quizzes_taken += count
        figures.quizzes_passed += int(passed or 0)
    pairs = (select(monthly.c.course_id, func.max(monthly.c.passed).label("passed"))
             .group_by(monthly.c.user_id, monthly.c.quiz_id, monthly.c.course_id).subquery())
    for course_id, count, passed in db.session.execute(
            select(pairs.c.course_id, func.count(), func.sum(pairs.c.passed))
            .group_by(pairs.c.course_id)).all():
        totals.quizzes_taken += count
        totals.quizzes_passed += int(passed or 0)
        # A quiz belongs to one course, so pairs never repeat across courses or trades.
        for row in rows_for(course_id, None):
            row.figures.quizzes_taken += count
            row.figures.quizzes_passed += int(passed or 0)

    # Accessibility features: counts of distinct learners, never who.
    used = dict(db.session.execute(
        select(FeatureUse.feature, func.count(func.distinct(FeatureUse.user_id)))
        .join(User, FeatureUse.user_id == User.id)
        .where(learner, _in(FeatureUse.last_at, period))
        .group_by(FeatureUse.feature)
    ).all())

    return Report(
        period=period,
        totals=totals,
        by_course=list(by_course.values()),
        by_trade=list(by_trade.values()),
        by_month=list(by_month.values()),
        features=[(feature, used.get(feature, 0)) for feature in FEATURES],
    )


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 1)


def _count_distinct(pairs, by_course: dict, by_trade: dict, name: str, trade_of: dict,
                    unique: bool = False) -> None:
    """Distinct learners a course and a trade, counted by the database from ``pairs``, a
    subquery with ``user_id`` and ``course_id`` columns (``unique``: no pair repeats, so a
    course's rows need no DISTINCT). A trade with one course has that course's learners; only
    the trades with more than one course are counted again, over their courses."""
    learners = func.count() if unique else func.count(func.distinct(pairs.c.user_id))
    for course_id, count in db.session.execute(
            select(pairs.c.course_id, learners).group_by(pairs.c.course_id)).all():
        if course_id in by_course:
            setattr(by_course[course_id].figures, name, count)
    courses_of: dict[int, list[int]] = defaultdict(list)
    for course_id, trade_id in trade_of.items():
        courses_of[trade_id].append(course_id)
    shared = [trade_id for trade_id, courses in courses_of.items() if len(courses) > 1]
    for trade_id, courses in courses_of.items():
        if len(courses) == 1 and trade_id in by_trade:
            setattr(by_trade[trade_id].figures, name,
                    getattr(by_course[courses[0]].figures, name))
    if shared:
        for trade_id, count in db.session.execute(
                select(Course.trade_id, func.count(func.distinct(pairs.c.user_id)))
                .join(Course, Course.id == pairs.c.course_id)
                .where(Course.trade_id.in_(shared)).group_by(Course.trade_id)).all():
            if trade_id in by_trade:
                setattr(by_trade[trade_id].figures, name, count)


@dataclass(frozen=True)
class CompletionRow:
    display_name: str
    real_name: str
    course_title: str
    issued_on: str  # ISO 8601 date
    code: str
    # What a training-subsidy claim asks for besides: who (their e-mail address identifies
    # them), for which employer, and in which trade.
    email: str = ""
    organisation: str = ""
    trade: str = ""


def completions(period: Period | None = None,
                organisation_id: int | None = None) -> list[CompletionRow]:
    """The certificates issued to learners in the period (of one organisation, when given),
    oldest first."""
    period = period or default_period()
    rows = db.session.execute(
        select(User.display_name, User.real_name, Certificate.course_title,
               Certificate.issued_at, Certificate.code, User.email, Organisation.name,
               Trade.name)
        .join(User, Certificate.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .join(Course, Course.id == Certificate.course_id)
        .join(Trade, Trade.id == Course.trade_id)
        .where(_learner(organisation_id), _in(Certificate.issued_at, period))
        .order_by(Certificate.issued_at, Certificate.id)
    ).all()
    return [CompletionRow(name, real or "", title, issued.date().isoformat(), code, email,
                          organisation or "", trade)
            for name, real, title, issued, code, email, organisation, trade in rows]


def neutralise(cell: object) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def completions_csv(period: Period | None = None, headers: Sequence[str] = CSV_HEADERS,
                    organisation_id: int | None = None) -> str:
    """The completions export as CSV text (RFC 4180 line endings), with a UTF-8 byte-order mark
    so that spreadsheets read Chinese and Korean names correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    for row in completions(period, organisation_id):
        writer.writerow([neutralise(v) for v in (
            row.display_name, row.real_name, row.course_title, row.issued_on, row.code,
            row.email, row.organisation, row.trade)])
    return "\ufeff" + out.getvalue()
