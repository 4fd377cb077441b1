"""The job queue (huey) and the tasks the worker runs.

Start a worker with ``huey_consumer accessible_learning.tasks.huey``. SQLite storage in the
instance folder by default; ``REDIS_URL`` switches to Redis so that workers on several machines
share the work. Tasks only call services and the media pipeline; the ``jobs`` table records state.
"""

from __future__ import annotations

import os

from huey import RedisHuey, SqliteHuey, crontab
from huey.utils import normalize_time

from .paths import instance_path


def make_huey(redis_url: str | None = None):
    redis_url = redis_url or os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("accessible-learning", url=redis_url)
    return SqliteHuey("accessible-learning", filename=str(instance_path() / "huey.db"))


huey = make_huey()
_HUEY_REDIS_URL = os.environ.get("REDIS_URL") or None
_redis_queues: dict[str, RedisHuey] = {}
_app = None


def _flask_app():
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app


@huey.task()  # retries with backoff are decided by services.jobs.run
def run_job(job_id: int) -> None:
    from .services import jobs

    with _flask_app().app_context():
        jobs.run(job_id)


@huey.on_startup()
def requeue_stale_jobs_at_start() -> None:
    """A worker killed mid-task loses that task from huey; our jobs table still has it."""
    from .services import jobs

    with _flask_app().app_context():
        jobs.requeue_stale()


@huey.periodic_task(crontab(minute="*"))
def requeue_stale_jobs() -> None:
    from .services import jobs

    with _flask_app().app_context():
        jobs.requeue_stale()


def enqueue(job_id: int, delay: float | None = None) -> None:
    """Put a job id on the queue of the current app: the Redis of its ``REDIS_URL`` setting
    when that is not the one this module's ``huey`` was built from at import (an app made with
    another configuration, as in tests), else this module's ``huey``."""
    from flask import current_app

    redis_url = current_app.config.get("REDIS_URL") or None
    if redis_url is None or redis_url == _HUEY_REDIS_URL:
        if delay:
            run_job.schedule((job_id,), delay=delay)
        else:
            run_job(job_id)
        return
    queue = _redis_queues.get(redis_url)
    if queue is None:
        queue = _redis_queues[redis_url] = make_huey(redis_url)
        queue._registry.register(run_job.task_class)  # the same task name the workers know
    eta = normalize_time(delay=delay, utc=queue.utc) if delay else None
    queue.enqueue(run_job.task_class((job_id,), None, eta=eta))
