"""Settings of the web server's gunicorn (``make run`` starts it with ``--config
python:accessible_learning.gunicorn_conf``; a server started by hand should pass the same).

Each worker readies the voice-command recognisers of every installed language as it starts, in
the background (``services.voice_commands.prepare``): loading a model takes about 2.5 s, which
used to be added to the first command a learner spoke to each worker. ``VOICE_PRELOAD=0`` leaves
them to load on first use (less memory: about 0.6 GB a worker for Korean).

It must not delay the worker (pages are served while the models load) nor stop it when a model
cannot be loaded (the voice routes then say so, as before).
"""

from __future__ import annotations

import threading
import time


def post_worker_init(worker) -> None:
    app = worker.wsgi
    if not getattr(app, "config", {}).get("VOICE_PRELOAD"):
        return

    def prepare() -> None:
        from accessible_learning.services import voice_commands

        started = time.monotonic()
        try:
            with app.app_context():
                languages = voice_commands.prepare()
        except Exception:  # noqa: BLE001 - a broken model must not stop the worker
            worker.log.exception("Voice commands: the recognisers could not be readied")
            return
        worker.log.info("Voice commands ready in %.1f s (%s)", time.monotonic() - started,
                        ", ".join(languages) or "no language installed")

    threading.Thread(target=prepare, name="voice-preload", daemon=True).start()
