"""Certificates: issued once per learner and course, each with a verification code, as an HTML
page and a tagged PDF (PDF/UA-1: structure tags, document language and title, reading order)
made by WeasyPrint on this server.

The public verification page confirms a code with the course and the date only: no name, e-mail
or anything else about the learner.
It must not decide who may see a certificate (``access`` does).
"""

from __future__ import annotations

import re
import secrets

from flask import render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Certificate, Course, User

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP_SIZE = 3, 4
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{GROUPS * GROUP_SIZE}}}$")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(raw[i:i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normalise_code(text: str | None) -> str | None:
    """A code as typed (any case, spaces or dashes) in its stored form, or None if it cannot be
    one."""
    raw = re.sub(r"[\s\-–—]", "", (text or "")).upper()
    if not CODE_PATTERN.match(raw):
        return None
    return "-".join(raw[i:i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def for_learner(user: User, course: Course) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user.id,
                                  Certificate.course_id == course.id))


def of_learner(user: User) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at)))


def issue(user: User, course: Course) -> Certificate:
    existing = for_learner(user, course)
    if existing is not None:
        return existing
    for _attempt in range(5):
        certificate = Certificate(user_id=user.id, course_id=course.id, code=new_code(),
                                  holder_name=(user.real_name or user.display_name),
                                  course_title=course.title)
        db.session.add(certificate)
        try:
            db.session.commit()
            return certificate
        except IntegrityError:  # the same code twice, or issued by a parallel request
            db.session.rollback()
            existing = for_learner(user, course)
            if existing is not None:
                return existing
    raise RuntimeError("could not draw a unique certificate code")


def by_code(text: str | None) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as a tagged PDF/UA-1 document in the interface language."""
    from weasyprint import HTML  # imported here: loading it takes a moment

    html = render_template("certificates/document.html", certificate=certificate,
                           verify_url=verify_url)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
