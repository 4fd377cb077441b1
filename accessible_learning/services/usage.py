"""That learners use captions, audio description and voice commands, for counts in reports.

One row per learner and feature with first and last use and a count: never what they watched,
said or needed, and reports only ever count rows.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import FEATURES, FeatureUse, User, utcnow


def features_from(raw) -> list[str]:
    """The known feature names in a client's list; anything else is ignored."""
    if not isinstance(raw, list):
        return []
    return [f for f in FEATURES if f in raw]


def record(user: User, *features: str) -> None:
    now = utcnow()
    for feature in features:
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}")
        row = db.session.scalar(select(FeatureUse).where(FeatureUse.user_id == user.id,
                                                         FeatureUse.feature == feature))
        if row is None:
            db.session.add(FeatureUse(user_id=user.id, feature=feature, first_at=now,
                                      last_at=now, uses=1))
        else:
            row.last_at, row.uses = now, row.uses + 1
    try:
        db.session.commit()
    except IntegrityError:  # a parallel request added the row first: its count is enough
        db.session.rollback()
