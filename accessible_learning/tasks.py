"""The job queue (huey) and the tasks the worker runs.

Start a worker with ``huey_consumer accessible_learning.tasks.huey``. SQLite storage in the
instance folder by default; ``REDIS_URL`` switches to Redis so that workers on several machines
share the work. Tasks only call services and the media pipeline; the ``jobs`` table records state.
"""

from __future__ import annotations

import os

from huey import RedisHuey, SqliteHuey, crontab

from .paths import instance_path


def make_huey():
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("accessible-learning", url=redis_url)
    return SqliteHuey("accessible-learning", filename=str(instance_path() / "huey.db"))


huey = make_huey()
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
