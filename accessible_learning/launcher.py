"""Start the web server (gunicorn) and a huey worker together and keep them running: one that
stops is started again, with a growing pause, while the other goes on; Ctrl-C stops both (used
by ``make run``). ``WEB_WORKERS`` and ``WEB_THREADS`` size the web server (default 2 and 8: threads
keep pages answering while videos stream).

It must not import the application: it only starts processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import allocator
from .live import nginx as ingest


def _stop(_signum, _frame):
    raise KeyboardInterrupt


# A process that stops is started again after a pause that doubles each time it stops soon
# after starting (1, 2, 4 … 60 s), and is back to 1 s once it has run for a minute.
FIRST_PAUSE_S = 1.0
LONGEST_PAUSE_S = 60.0
HEALTHY_AFTER_S = 60.0


class Child:
    """One supervised process: its command, the process now running, and its back-off."""

    def __init__(self, name: str, command: list[str], env: dict) -> None:
        self.name, self.command, self.env = name, command, env
        self.pause = FIRST_PAUSE_S
        self.restart_at: float | None = None
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command, env=self.env)
        return self.process

    def watch(self, now: float) -> None:
        """Start the process again when it has stopped and its pause is over."""
        if self.restart_at is None and self.process.poll() is not None:
            if now - self.started >= HEALTHY_AFTER_S:
                self.pause = FIRST_PAUSE_S
            print(f"The {self.name} stopped (exit code {self.process.returncode}); starting it "
                  f"again in {self.pause:.0f} s. The other process goes on.", file=sys.stderr,
                  flush=True)
            self.restart_at = now + self.pause
            self.pause = min(LONGEST_PAUSE_S, self.pause * 2)
        if self.restart_at is not None and now >= self.restart_at:
            self.restart_at = None
            self.start()
            print(f"The {self.name} started again (pid {self.process.pid}).", file=sys.stderr,
                  flush=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def wait(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def web_command(bin_dir: Path, host: str, port: str | int) -> list[str]:
    """The web server's command line: gunicorn with its config file (gunicorn_conf.py),
    ``WEB_WORKERS`` gthread workers of ``WEB_THREADS`` threads, access log on stdout."""
    return [str(bin_dir / "gunicorn"), "--config", "python:accessible_learning.gunicorn_conf",
            "--bind", f"{host}:{port}",
            "--workers", os.environ.get("WEB_WORKERS", "2"), "--worker-class", "gthread",
            "--threads", os.environ.get("WEB_THREADS", "8"), "--graceful-timeout", "5",
            "--access-logfile", "-", "accessible_learning:create_app()"]


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop works like Ctrl-C
    bin_dir = Path(sys.executable).parent
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    env = allocator.environ()  # both recognise speech: captions, and voice commands
    # Two threads: one for a long job (captions, mixing; one at a time, jobs.runners), the
    # other for probes and short jobs meanwhile.
    worker = Child("worker", [str(bin_dir / "huey_consumer"), "accessible_learning.worker.huey",
                              "--workers", "2"], env)
    web = Child("web server", web_command(bin_dir, host, port), env)
    # Live classes: nginx's RTMP ingest and a captioner per live class (it says so and stops
    # when nginx or its RTMP module is missing; everything else runs without it).
    children = [web, worker]
    missing = ingest.available()
    if missing:
        print(missing, file=sys.stderr, flush=True)
    else:
        children.append(Child("live ingest", [str(bin_dir / "python"), "-m",
                                              "accessible_learning.live.ingest"], env))
    print(f"Accessible Learning is at http://{host}:{port}/ (worker pid {worker.process.pid}). "
          "Press Ctrl-C to stop.", flush=True)
    try:
        # A worker that dies (killed, out of memory) is started again while pages go on being
        # served; only Ctrl-C (or SIGTERM) stops both.
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            for child in children:
                child.watch(now)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.stop()
        for child in children:
            child.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
