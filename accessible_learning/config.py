"""Configuration from environment variables, with safe defaults.

It must not read anything but the environment and the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def vosk_models() -> dict[str, str]:
    """``VOSK_MODELS`` ("ko=/srv/models/ko,zh=…"): a model folder by language."""
    return dict(item.split("=", 1) for item in os.environ.get("VOSK_MODELS", "").split(",")
                if "=" in item)


def _secret_key(instance: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    tmp = key_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    os.replace(tmp, key_file)
    return key


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance: Path) -> dict:
    media_root = Path(os.environ.get("MEDIA_ROOT") or instance / "media").resolve()
    default_db = instance / "accessible_learning.db"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_db}"
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MEDIA_ROOT": str(media_root),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Live classes (issue 28): what the RTMP ingest (nginx) writes (HLS, recordings, the
        # captions' event logs), the port it listens on, and the address teachers' encoders
        # are given (the machine's public name; the page's own host when unset).
        "LIVE_ROOT": str(Path(os.environ.get("LIVE_ROOT") or instance / "live").resolve()),
        "RTMP_PORT": int(os.environ.get("RTMP_PORT", "1935")),
        # A live class whose stream dropped waits this long for its teacher to stream again.
        "LIVE_RECONNECT_GRACE_S": float(os.environ.get("LIVE_RECONNECT_GRACE_S", "300")),
        "RTMP_PUBLIC_HOST": os.environ.get("RTMP_PUBLIC_HOST") or None,
        # The training centre's time zone: class times are entered and shown in it.
        "CLASS_TIME_ZONE": os.environ.get("CLASS_TIME_ZONE", "UTC"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", str(2 * 1024**3))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": {"en": "English", "zh": "简体中文"},
        # Vosk models by language from configuration, e.g. VOSK_MODELS="ko=/srv/models/ko,zh=…"
        "VOSK_MODELS": vosk_models(),
        # Voice commands: how sure the recogniser must be before the player acts (0–1), and how
        # many utterances one learner may send (Flask-Limiter syntax).
        "VOICE_CONFIDENCE_THRESHOLD": float(os.environ.get("VOICE_CONFIDENCE_THRESHOLD", "0")
                                            or 0) or None,  # None: the recogniser's default
        "VOICE_CHECK_AT_STARTUP": _flag("VOICE_CHECK_AT_STARTUP", True),
        # Each web worker loads the voice-command models as it starts (gunicorn_conf.py).
        "VOICE_PRELOAD": _flag("VOICE_PRELOAD", True),
        "VOICE_RATE_LIMIT": os.environ.get("VOICE_RATE_LIMIT", "30 per minute"),
        # Hands-free listening sends each short sound it hears, to find the wake word.
        "VOICE_WAKE_RATE_LIMIT": os.environ.get("VOICE_WAKE_RATE_LIMIT", "120 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Log-in: failed attempts allowed per account from one address, per account from all
        # (a slower ceiling) and per address before a pause (services/login_limits.py, counted
        # in the database); new accounts per address.
        "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": os.environ.get(
            "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", "10 per 15 minutes"),
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get("LOGIN_FAILURES_PER_ACCOUNT",
                                                     "100 per hour"),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get("LOGIN_FAILURES_PER_ADDRESS",
                                                     "50 per 15 minutes"),
        "REGISTRATIONS_PER_ADDRESS": os.environ.get("REGISTRATIONS_PER_ADDRESS", "10 per hour"),
        # A log-in lasts at most this long (then the learner logs in again).
        "LOGIN_SESSION_HOURS": float(os.environ.get("LOGIN_SESSION_HOURS", str(14 * 24))),
        # Password reset links (made by administrators): how long one works, and how many
        # unknown or used links one address may try before a pause.
        "RESET_LINK_HOURS": float(os.environ.get("RESET_LINK_HOURS", "72")),
        "RESET_ATTEMPTS_PER_ADDRESS": os.environ.get("RESET_ATTEMPTS_PER_ADDRESS",
                                                     "10 per 15 minutes"),
        "RECOGNITION_JOBS": int(os.environ.get("RECOGNITION_JOBS", "0")) or None,  # None: cores
        # A running job's worker writes its heartbeat every JOB_HEARTBEAT_SECONDS (at most a
        # quarter of JOB_STALE_SECONDS), whatever the job is doing; a job silent for
        # JOB_STALE_SECONDS has lost its worker and is queued again.
        # Practical videos a learner hands in: the longest one, and how many and how many
        # minutes in all a learner may hand in over 24 hours (each is captioned by the worker
        # that also captions lessons).
        "PRACTICAL_MAX_MINUTES": float(os.environ.get("PRACTICAL_MAX_MINUTES", "15")),
        "PRACTICAL_UPLOADS_PER_DAY": int(os.environ.get("PRACTICAL_UPLOADS_PER_DAY", "5")),
        "PRACTICAL_MINUTES_PER_DAY": float(os.environ.get("PRACTICAL_MINUTES_PER_DAY", "45")),
        "JOB_STALE_SECONDS": float(os.environ.get("JOB_STALE_SECONDS", "120")),
        "JOB_HEARTBEAT_SECONDS": float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10")),
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # Rendered catalogue, course and lesson pages kept per server process (see
        # page_cache.py; each is some 5 to 40 KB); 0 keeps none.
        "PAGE_CACHE_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "500")),
    }
