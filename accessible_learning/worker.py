"""The worker process: ``huey_consumer accessible_learning.worker.huey``.

Owns wiring the queue to the application: it builds the app once (on the first task) and tells
the queue how to run a job (``jobs.runners.run``) and how to sweep jobs whose worker stopped
(``jobs.records.requeue_stale``). Other modules must not import this one: it is the only place where
the job queue meets the application factory.
"""

from __future__ import annotations

from .factory import create_app
from .jobs import queue, records, runners

queue.serve(build_app=create_app, run=runners.run, sweep=records.requeue_stale)
huey = queue.huey
