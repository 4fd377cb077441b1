"""The content version: a token that changes whenever anything of the catalogue's content changes.

Pages that many learners share (the catalogue, a course, a lesson) are kept rendered under it by
``page_cache``. The token must therefore change with *every* change to what such a page shows of
the content, by whatever process makes it (a web worker, the job worker, a ``flask`` command):

- any flush that adds, changes or deletes an object of a content model writes a new random token
  in the same transaction, so the change and the new token are committed (or rolled back)
  together;
- so does any ORM bulk ``UPDATE`` or ``DELETE`` of a content model.

A model counts as content unless it is listed in ``PERSONAL_MODELS`` below: a model added later
is content until someone decides otherwise, so a new kind of content cannot leave a page stale.
What the personal models hold (who the learner is, their preferences, enrolments, progress,
attempts, certificates, submissions) is read for each request, not kept with a shared page.

The token is random rather than a counter, so that a database restored from a backup, or
another database behind the same process, can never reuse a token for other content.
"""

from __future__ import annotations

import secrets

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from .. import driver_sql
from ..models import (
    AuditEntry,
    Certificate,
    ContentVersion,
    Enrolment,
    FeatureUse,
    Job,
    LessonProgress,
    LiveAttendance,
    LiveCaption,
    LiveQuestion,
    LoginFailure,
    LoginSession,
    PasswordReset,
    Preferences,
    QuizAttempt,
    Submission,
    User,
)

PERSONAL_MODELS = frozenset({
    User, LoginSession, PasswordReset, Preferences, Enrolment, LessonProgress, QuizAttempt,
    Certificate, FeatureUse, Submission, Job, ContentVersion,
    # Failed log-ins and the administration's audit log: no shared page shows them, so a wrong
    # password or a role change does not empty every process's page cache.
    LoginFailure, AuditEntry,
    # A live class's captions come every few seconds while it is live, its questions and its
    # viewers' attendance too; no shared page shows them (the class's own page is not kept).
    LiveCaption, LiveQuestion, LiveAttendance,
})

_TABLE = ContentVersion.__table__
_CURRENT = "SELECT token FROM content_version WHERE id = 1"  # the same SQL for every database


def current() -> str | None:
    """The token now (None in a database without the table's row: nothing is kept then).

    Read for every shared page, so with the database driver's own cursor (``driver_sql``), on
    the session's connection and in its transaction: the content the page then reads is at
    least as new as the token."""
    row = driver_sql.fetch_one(_CURRENT)
    return row[0] if row else None


def _is_content(obj) -> bool:
    return type(obj) not in PERSONAL_MODELS


def _new_token(connection) -> None:
    connection.execute(update(_TABLE).where(_TABLE.c.id == 1).values(token=secrets.token_hex(16)))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    # Still the state before the flush here: what was added, changed and deleted.
    changed = any(_is_content(obj) for obj in session.new) or any(
        _is_content(obj) for obj in session.deleted) or any(
        _is_content(obj) and session.is_modified(obj) for obj in session.dirty)
    if changed:
        _new_token(session.connection())


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ not in PERSONAL_MODELS:
        _new_token(state.session.connection())
