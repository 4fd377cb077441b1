"""Pauses after failed log-ins, counted in the database that every web process and machine
shares (a count in each process's memory let 20 wrong passwords through a limit of 10 with two
processes).

Three counts, each "N per period" (Flask-Limiter's syntax, read by ``limits``):
- ``LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS``: wrong passwords for one account from one address.
  A pause here stops that address guessing that account, and nobody else: the account's owner
  still logs in from another address.
- ``LOGIN_FAILURES_PER_ACCOUNT``: the slower ceiling for one account from every address (a
  guesser with many addresses), which pauses the account everywhere.
- ``LOGIN_FAILURES_PER_ADDRESS``: wrong passwords from one address for any accounts.

Owns recording a failure, the pause left (in seconds) before a log-in is tried, and clearing an
account-and-address's failures when its password is right. Must not: authenticate (``accounts``)
or say whether an account exists (a failure is recorded for any address typed).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginFailure, utcnow

_SETTINGS = ("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", "LOGIN_FAILURES_PER_ACCOUNT",
             "LOGIN_FAILURES_PER_ADDRESS")


def _account(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _rules() -> list[tuple[str, int, timedelta]]:
    rules = []
    for name in _SETTINGS:
        item = parse(current_app.config[name])
        rules.append((name, item.amount, timedelta(seconds=item.get_expiry())))
    return rules


def pause_left(email: str, address: str, now: datetime | None = None) -> int:
    """Seconds before a log-in to ``email`` from ``address`` may be tried (0: now)."""
    now = now or utcnow()
    account, address = _account(email), (address or "")[:64]
    left = 0.0
    for name, amount, window in _rules():
        where = [LoginFailure.at > now - window]
        if name != "LOGIN_FAILURES_PER_ADDRESS":
            where.append(LoginFailure.account == account)
        if name != "LOGIN_FAILURES_PER_ACCOUNT":
            where.append(LoginFailure.address == address)
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(*where)).one()
        if count >= amount:
            # Paused until the oldest failure of the window leaves it.
            left = max(left, (oldest + window - now).total_seconds())
    return math.ceil(left)


def failed(email: str, address: str) -> None:
    """Record a wrong password (and forget the failures older than every window)."""
    now = utcnow()
    longest = max(window for _name, _amount, window in _rules())
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - longest))
    db.session.add(LoginFailure(account=_account(email), address=(address or "")[:64], at=now))
    db.session.commit()


def succeeded(email: str, address: str) -> None:
    """The right password: this address's failures for the account are forgotten."""
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.account == _account(email), LoginFailure.address == (address or "")[:64]))
    db.session.commit()
