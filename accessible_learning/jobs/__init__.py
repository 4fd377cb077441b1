"""Background jobs, as one package: ``queue`` (huey), ``records`` (the ``jobs`` table: keys,
claims, heartbeats, stale jobs), ``runners`` (what each kind does, retries), ``messages``
(what a job says, in each reader's language) and ``scratch`` (each worker's temporary folder).

The web side queues work and reads its state through the names below. A worker process is
started with ``huey_consumer accessible_learning.worker.huey``; nothing here builds the
application. No module of this package imports a view.
It must not import a view or build the application.
"""

from __future__ import annotations

from .messages import N_, STAGE_MESSAGES, N_plural, message_text, say
from .records import (
    PIPELINE_VERSION,
    caption_key,
    describe_key,
    enqueue_caption,
    enqueue_describe,
    enqueue_live_replay,
    enqueue_probe,
    enqueue_renditions,
    enqueue_submission_captions,
    enqueue_suggest,
    latest_for_lesson,
    latest_for_submission,
    recent,
    requeue_stale,
    worker_name,
)
from .runners import MAX_ATTEMPTS, RETRY_BASE_SECONDS, run

__all__ = [
    "MAX_ATTEMPTS", "N_", "N_plural", "PIPELINE_VERSION", "RETRY_BASE_SECONDS", "STAGE_MESSAGES",
    "caption_key", "describe_key", "enqueue_caption", "enqueue_describe", "enqueue_live_replay",
    "enqueue_probe",
    "enqueue_renditions", "enqueue_submission_captions", "enqueue_suggest", "latest_for_lesson",
    "latest_for_submission", "message_text", "recent", "requeue_stale", "run", "say",
    "worker_name",
]
