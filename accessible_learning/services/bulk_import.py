"""Bringing in a staff list: learners from a CSV file (name, e-mail, organisation, courses to
enrol), as one transaction.

**All or nothing.** Every row is checked first; when any row is wrong, the report names each
wrong row by its line number and nothing is written. A half-imported list would leave an
employer with some staff enrolled, a link list for only part of them, and a file that can no
longer be imported again as it is; fixing the named lines and sending the same file again is
simpler and safe.

A row whose e-mail address already has an account is enrolled in the row's courses (and put in
the organisation if it is in none); it gets no link, since it has a password. A new account
gets no password at all: it gets a one-time "set your password" link (a password reset link,
valid for ``LINK_DAYS``), returned once for the employer to hand out; only the link's SHA-256
is stored. Organisations named in the file are made when they do not exist. Rows are written
with bulk inserts, so 40,000 rows take seconds (``make bench``). It must not decide who may
import (the admin blueprint and the ``flask`` command do).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import insert, select

from ..extensions import db
from ..models import (
    Course,
    Enrolment,
    Organisation,
    PasswordReset,
    Preferences,
    User,
    utcnow,
)
from . import accounts

COLUMNS = ("name", "email", "organisation", "courses")
MAX_ROWS = 100_000
MAX_BYTES = 20_000_000
LINK_DAYS = 14
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c<>]")


@dataclass
class Problem:
    line: int  # the line of the file (1: the header)
    message: str


@dataclass
class NewAccount:
    name: str
    email: str
    token: str  # the secret of the set-password link, shown once


@dataclass
class Report:
    rows: int = 0
    created: list[NewAccount] = field(default_factory=list)
    existing: int = 0
    enrolments: int = 0
    organisations_made: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    line: int
    name: str
    email: str
    organisation: str
    course_ids: list[int]


def read(data: bytes) -> tuple[list[dict], list[Problem]]:
    """The rows of the file (UTF-8, with or without a byte-order mark; comma or semicolon)."""
    if len(data) > MAX_BYTES:
        return [], [Problem(0, _("The file is larger than 20 MB. Split it into smaller files."))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and send "
                                 "it again."))]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ("name", "email") if name not in header]
    if missing:
        return [], [Problem(1, _("The first line must name the columns: name, email, "
                                 "organisation, courses (organisation and courses may be empty). "
                                 "Missing: %(columns)s.", columns=", ".join(missing)))]
    reader.fieldnames = header
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            return [], [Problem(reader.line_num, _(
                "The file has more than %(max)d rows. Split it into smaller files.",
                max=MAX_ROWS))]
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # an empty line
        rows.append({"line": reader.line_num, **{k: (row.get(k) or "").strip()
                                                  for k in COLUMNS}})
    if not rows:
        return [], [Problem(1, _("The file has no learners in it, only its first line."))]
    return rows, []


def _course_ids() -> dict[str, int]:
    """Published courses by lower-cased title and by id."""
    found = {}
    for course_id, title in db.session.execute(
            select(Course.id, Course.title).where(Course.published.is_(True))).all():
        found[title.strip().lower()] = course_id
        found[str(course_id)] = course_id
    return found


def _check(rows: list[dict]) -> tuple[list[_Row], list[Problem]]:
    courses = _course_ids()
    seen: dict[str, int] = {}
    checked, problems = [], []
    for row in rows:
        line, name = row["line"], row["name"]
        wrong = []
        if not name:
            wrong.append(_("the name is empty"))
        elif len(name) > 60:
            wrong.append(_("the name is longer than 60 characters"))
        elif _CONTROLS.search(name) or any(unicodedata.category(c) == "Cc" for c in name):
            wrong.append(_("the name has < >, control or text-direction characters"))
        email = row["email"]
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            wrong.append(_("“%(email)s” is not an e-mail address", email=email[:80]))
        else:
            email = accounts.normalise_email(email)
            if email in seen:
                wrong.append(_("the e-mail address is already on line %(line)d",
                               line=seen[email]))
            seen.setdefault(email, line)
        if len(row["organisation"]) > 200:
            wrong.append(_("the organisation's name is longer than 200 characters"))
        ids = []
        for title in filter(None, (t.strip() for t in row["courses"].split(";"))):
            course_id = courses.get(title.lower())
            if course_id is None:
                wrong.append(_("there is no published course “%(title)s”", title=title[:80]))
            elif course_id not in ids:
                ids.append(course_id)
        if wrong:
            problems.append(Problem(line, "; ".join(wrong) + "."))
        else:
            checked.append(_Row(line, name, email, row["organisation"], ids))
    return checked, problems


def run(rows: list[dict], made_by: User | None,
        progress: Callable[[int], None] | None = None) -> Report:
    """Check every row, then import them all in one transaction, or nothing (see above)."""
    report = Report(rows=len(rows))
    checked, report.problems = _check(rows)
    existing = {}
    emails = [row.email for row in checked]
    for start in range(0, len(emails), 500):
        for user in db.session.scalars(select(User).where(
                User.email.in_(emails[start:start + 500]))):
            existing[user.email] = user
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    for row in checked:
        user = existing.get(row.email)
        if (user is not None and row.organisation and user.organisation_id is not None
                and (organisations.get(row.organisation) is None
                     or organisations[row.organisation].id != user.organisation_id)):
            report.problems.append(Problem(row.line, _(
                "%(email)s already has an account in another organisation; an administrator "
                "can move it on the person's page.", email=row.email)))
    if report.problems:
        report.problems.sort(key=lambda problem: problem.line)
        return report

    now = utcnow()
    for name in dict.fromkeys(row.organisation for row in checked if row.organisation):
        if name not in organisations:
            organisation = Organisation(name=name, created_at=now)
            db.session.add(organisation)
            organisations[name] = organisation
            report.organisations_made.append(name)
    db.session.flush()

    new_rows = [row for row in checked if row.email not in existing]
    unusable = "!imported"  # no password until the link is used: verify_password refuses it
    db.session.execute(insert(User), [
        {"email": row.email, "display_name": row.name, "accessibility_needs": [],
         "password_hash": unusable, "role": "learner", "created_at": now,
         "organisation_id": organisations[row.organisation].id if row.organisation else None}
        for row in new_rows])
    ids = {}
    for start in range(0, len(new_rows), 500):
        ids.update(db.session.execute(select(User.email, User.id).where(
            User.email.in_([row.email for row in new_rows[start:start + 500]]))).all())
    db.session.execute(insert(Preferences), [{"user_id": ids[row.email]} for row in new_rows])
    links = []
    resets = []
    expires = now + timedelta(days=LINK_DAYS)
    for done, row in enumerate(new_rows, start=1):
        token, token_hash = accounts.new_reset_secret()
        links.append(NewAccount(row.name, row.email, token))
        resets.append({"user_id": ids[row.email], "token_hash": token_hash,
                       "created_by_id": made_by.id if made_by else None, "created_at": now,
                       "expires_at": expires})
        if progress and done % 1000 == 0:
            progress(1000)
    if resets:
        db.session.execute(insert(PasswordReset), resets)
    for row in checked:
        user = existing.get(row.email)
        if user is not None:
            ids[row.email] = user.id
            report.existing += 1
            if row.organisation and user.organisation_id is None:
                user.organisation_id = organisations[row.organisation].id
    enrolled = set()
    if existing:
        user_ids = [user.id for user in existing.values()]
        for start in range(0, len(user_ids), 500):
            enrolled.update(db.session.execute(select(Enrolment.user_id, Enrolment.course_id)
                                               .where(Enrolment.user_id.in_(
                                                   user_ids[start:start + 500]))).all())
    enrolments = [{"user_id": ids[row.email], "course_id": course_id, "created_at": now}
                  for row in checked for course_id in row.course_ids
                  if (ids[row.email], course_id) not in enrolled]
    if enrolments:
        db.session.execute(insert(Enrolment), enrolments)
    db.session.commit()
    if progress:
        progress(len(new_rows) % 1000 + (len(checked) - len(new_rows)))
    report.created = links
    report.enrolments = len(enrolments)
    return report


def links_csv(report: Report, url_for_token: Callable[[str], str]) -> str:
    """The set-password links of the new accounts, for the employer to hand out (one each)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("E-mail"), _("Set-password link (works once, for %(days)d "
                                                "days)", days=LINK_DAYS)])
    for account in report.created:
        writer.writerow([account.name, account.email, url_for_token(account.token)])
    return "\ufeff" + out.getvalue()
