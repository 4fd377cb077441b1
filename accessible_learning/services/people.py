"""Administrators' changes to accounts: giving and taking roles, disabling and enabling, and
deleting an account with its personal data; each one transaction, each written to the audit log.

The rules: an administrator cannot demote, disable or delete their own account (another
administrator must), so that a training centre is never left without one by mistake. Disabling
ends the account's sessions at once. Deleting removes the person and everything about them
(sessions, preferences, enrolments, progress, quiz attempts, practical videos, feature counts);
their certificates stay, without the name, so that a code given to an employer still checks out.
Refusals are ``PeopleError`` with words for the administrator, and change nothing. It must not
decide who may make these changes (the admin blueprint does).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import (
    ROLES,
    AuditEntry,
    CaptionTrack,
    Certificate,
    DescriptionTrack,
    Enrolment,
    FeatureUse,
    Lesson,
    LessonProgress,
    LiveAttendance,
    LiveQuestion,
    LoginSession,
    MediaAsset,
    PasswordReset,
    Preferences,
    QuizAttempt,
    Submission,
    User,
    VoiceSample,
    course_examiners,
    utcnow,
)
from . import accounts

AUDIT_PER_PAGE = 50


class PeopleError(Exception):
    """A change the rules refuse; ``str()`` says why, for the administrator."""


def _not_yourself(admin: User, user: User, message: str) -> None:
    if admin.id == user.id:
        raise PeopleError(message)


def _audit(admin: User, user: User | None, action: str, **detail) -> None:
    db.session.add(AuditEntry(actor_id=admin.id, target_id=user.id if user else None,
                              action=action, detail=detail))


def set_role(admin: User, user: User, role: str) -> bool:
    """False when the user already has the role (nothing is written)."""
    if role not in ROLES:
        raise PeopleError(_("Choose a role from the list."))
    if user.role == role:
        return False
    _not_yourself(admin, user, _("You cannot change your own role. Ask another administrator."))
    _audit(admin, user, "role", before=user.role, after=role)
    user.role = role
    db.session.commit()
    return True


def disable(admin: User, user: User) -> None:
    _not_yourself(admin, user, _("You cannot disable your own account. Ask another "
                                 "administrator."))
    if user.disabled_at is not None:
        return
    user.disabled_at = utcnow()
    accounts.end_sessions(user.id, user.disabled_at)
    _audit(admin, user, "disable")
    db.session.commit()


def enable(admin: User, user: User) -> None:
    if user.disabled_at is None:
        return
    user.disabled_at = None
    _audit(admin, user, "enable")
    db.session.commit()


def _unused_media(asset_ids: set[int]) -> list[MediaAsset]:
    """Of these media (a learner's practical videos), those no lesson, description or other
    submission uses."""
    if not asset_ids:
        return []
    used: set[int] = set()
    for column in (Lesson.media_id, Lesson.new_media_id, Lesson.chapters_media_id,
                   Submission.media_id, CaptionTrack.media_id, DescriptionTrack.media_id,
                   DescriptionTrack.mixed_media_id, DescriptionTrack.extended_media_id):
        used |= set(db.session.scalars(select(column).where(column.in_(asset_ids))))
    return [db.session.get(MediaAsset, i) for i in sorted(asset_ids - used)]


def delete_account(admin: User, user: User) -> None:
    """Delete the account and its personal data (see the module's rules)."""
    _not_yourself(admin, user, _("You cannot delete your own account. Ask another "
                                 "administrator."))
    detail = {"account": user.id, "role": user.role}
    videos = set(db.session.scalars(select(Submission.media_id)
                                    .where(Submission.user_id == user.id)))
    db.session.execute(update(Certificate).where(Certificate.user_id == user.id)
                       .values(user_id=None, holder_name=""))
    for model in (LoginSession, PasswordReset, Preferences, Enrolment, LessonProgress,
                  QuizAttempt, FeatureUse, Submission, LiveQuestion, LiveAttendance,
                  VoiceSample):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(course_examiners).where(course_examiners.c.user_id == user.id))
    db.session.execute(update(Submission).where(Submission.examiner_id == user.id)
                       .values(examiner_id=None))
    db.session.execute(update(CaptionTrack).where(CaptionTrack.published_by_id == user.id)
                       .values(published_by_id=None))
    db.session.execute(update(AuditEntry).where(AuditEntry.target_id == user.id)
                       .values(target_id=None))
    db.session.execute(update(AuditEntry).where(AuditEntry.actor_id == user.id)
                       .values(actor_id=None))
    db.session.execute(update(PasswordReset).where(PasswordReset.created_by_id == user.id)
                       .values(created_by_id=None))
    db.session.flush()
    files = []
    for asset in _unused_media(videos):
        files.append(Path(current_app.config["MEDIA_ROOT"]) / asset.filename)
        db.session.delete(asset)
    db.session.execute(delete(User).where(User.id == user.id))
    _audit(admin, None, "delete", **detail)
    db.session.commit()
    for path in files:  # after the commit: a failed transaction keeps its files
        path.unlink(missing_ok=True)


def audit_page(page: int, per_page: int = AUDIT_PER_PAGE):
    """One page of the audit log, newest first (a Flask-SQLAlchemy ``Pagination``)."""
    return db.paginate(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
                       page=page, per_page=per_page, error_out=False)
