"""The queue itself: huey, which carries job ids from the web to the workers.

Owns the huey instance (SQLite in the instance folder by default; ``REDIS_URL`` switches to
Redis so that workers on several machines share the work), putting a job id on it (``put``) and
the worker's tasks. It knows nothing of what a job does: the worker process (``worker.py``)
wires in how to build the application and what running a job and sweeping stale jobs mean, so
this module must not import the application or the job records.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from huey import PriorityRedisHuey, SqliteHuey, crontab
from huey.utils import normalize_time

from ..paths import instance_path


def make_huey(redis_url: str | None = None):
    redis_url = redis_url or os.environ.get("REDIS_URL")
    if redis_url:
        return PriorityRedisHuey("accessible-learning", url=redis_url)  # Redis 5 or later
    return SqliteHuey("accessible-learning", filename=str(instance_path() / "huey.db"))


huey = make_huey()
_HUEY_REDIS_URL = os.environ.get("REDIS_URL") or None
_redis_queues: dict[str, PriorityRedisHuey] = {}
# Set by worker.serve in a worker process: how to build the app, run a job and sweep.
_worker: dict[str, Callable] = {}


def serve(*, build_app: Callable, run: Callable[[int], None],
          sweep: Callable[[], object]) -> None:
    """Make this process a worker: ``run(job_id)`` runs a job and ``sweep()`` re-queues jobs
    whose worker stopped, both inside the application ``build_app()`` returns (built once)."""
    _worker.update(build_app=build_app, run=run, sweep=sweep)


def _in_app(action: str, *args) -> None:
    if "app" not in _worker:
        if "build_app" not in _worker:
            raise RuntimeError("This process is not a worker: start one with "
                               "huey_consumer accessible_learning.worker.huey")
        _worker["app"] = _worker["build_app"]()
    with _worker["app"].app_context():
        _worker[action](*args)


@huey.task()  # retries with backoff are decided by jobs.runners.run
def run_job(job_id: int) -> None:
    _in_app("run", job_id)


@huey.on_startup()
def requeue_stale_jobs_at_start() -> None:
    """A worker killed mid-task loses that task from huey; our jobs table still has it."""
    _in_app("sweep")


@huey.periodic_task(crontab(minute="*"))
def requeue_stale_jobs() -> None:
    _in_app("sweep")


def put(job_id: int, delay: float | None = None, priority: int = 0) -> None:
    """Put a job id on the queue of the current app: the Redis of its ``REDIS_URL`` setting
    when that is not the one this module's ``huey`` was built from at import (an app made with
    another configuration, as in tests), else this module's ``huey``. A worker takes the
    waiting job of the highest ``priority`` first (then the oldest)."""
    from flask import current_app

    redis_url = current_app.config.get("REDIS_URL") or None
    if redis_url is None or redis_url == _HUEY_REDIS_URL:
        if delay:
            run_job.schedule((job_id,), delay=delay, priority=priority)
        else:
            huey.enqueue(run_job.s(job_id, priority=priority))
        return
    queue = _redis_queues.get(redis_url)
    if queue is None:
        queue = _redis_queues[redis_url] = make_huey(redis_url)
        queue._registry.register(run_job.task_class)  # the same task name the workers know
    eta = normalize_time(delay=delay, utc=queue.utc) if delay else None
    queue.enqueue(run_job.task_class((job_id,), None, eta=eta, priority=priority))
