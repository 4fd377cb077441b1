"""The worker process: ``huey_consumer accessible_learning.worker.huey``.

Owns wiring the queue to the application: it builds the app once (on start-up, for the sweep of
stale jobs) and tells the queue how to run a job (``jobs.runners.run``) and how to sweep jobs
whose worker stopped (``jobs.records.requeue_stale``). Building it, the process takes a scratch
folder of its own (``jobs.scratch``: the folders of stopped workers are removed first). Other
modules must not import this one: it is the only place where the job queue meets the
application factory.
"""

from __future__ import annotations

from .factory import create_app
from .jobs import queue, records, runners, scratch


def _build_app():
    app = create_app()
    scratch.use_own()
    return app


queue.serve(build_app=_build_app, run=runners.run, sweep=records.requeue_stale)
huey = queue.huey
