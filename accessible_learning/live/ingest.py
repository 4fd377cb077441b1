"""The live ingest: nginx with Debian's ``libnginx-mod-rtmp``, run with a generated
configuration, and a captioner process for each live class.

``python -m accessible_learning.live.ingest`` (started by ``make run`` through the launcher, like
the worker) writes ``nginx.conf`` under ``LIVE_ROOT/nginx``, starts nginx in the foreground and
watches the database: each class that may stream now (from half an hour before its time) gets
a captioner (``captioner``) that loads its model and waits for the stream, started again when it
stops while the class may still stream (after a dropped connection it waits for the next one).
A class whose stream dropped waits for its teacher; the supervisor ends it once it has waited
``LIVE_RECONNECT_GRACE_S`` (``services.live.end_abandoned``). A teacher who goes live
from the browser (no OBS) sends the recording to the web app, which writes it to
``LIVE_ROOT/browser/<class id>.webm`` as it comes; the supervisor starts a relay for it (ffmpeg
following the growing file, H.264 and AAC to nginx with the class's key) and stops it when the
teacher stops (``<class id>.end``).

What nginx is told to do is in ``nginx``.

It must not decide who may watch (the web app does) nor serve HTTP itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .nginx import available, start_nginx, write_config

RESTART_PAUSE_S = 2  # a captioner whose stream is not there yet is tried again this often
ABANDONED_EVERY_S = 2  # how often classes waiting for their stream are looked at


def relay_command(path: Path, port: int, key: str) -> list[str]:
    """ffmpeg following a browser's growing WebM recording (VP8 or VP9 and Opus) and sending it
    to nginx as RTMP streams are sent: H.264 with a keyframe every second, and AAC. Ten seconds
    without new data end it (a browser that went away)."""
    return ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-follow", "1",
            "-rw_timeout", "10000000", "-i", f"file:{path}", "-map", "0:v:0?", "-map", "0:a:0?",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt",
            "yuv420p", "-r", "25", "-g", "25", "-c:a", "aac", "-b:a", "96k", "-ar", "44100",
            "-f", "flv", f"rtmp://127.0.0.1:{port}/live/{key}"]


class Supervisor:
    """nginx and a captioner per live class, kept running."""

    def __init__(self, app, web_url: str) -> None:
        self.app = app
        self.live_root = Path(app.config["LIVE_ROOT"])
        self.conf = write_config(self.live_root, app.config["RTMP_PORT"], web_url)
        self.nginx = start_nginx(self.conf)
        self.captioners: dict[int, subprocess.Popen] = {}
        self.relays: dict[int, subprocess.Popen] = {}
        self.started: dict[int, float] = {}
        self.looked_at = 0.0
        self.python = sys.executable

    def live_ids(self) -> set[int]:
        """The classes that may stream now (from ``EARLY`` before their time): each has a
        captioner with its model loaded, waiting for the stream or following it."""
        from sqlalchemy import select

        from ..extensions import db
        from ..models import LiveClass, utcnow
        from ..services import live

        with self.app.app_context():
            try:
                near = db.session.scalars(select(LiveClass).where(
                    LiveClass.state != "ended", LiveClass.starts_at <= utcnow() + live.EARLY))
                return {c.id for c in near if live.may_publish(c)}
            finally:
                db.session.remove()

    def end_abandoned(self) -> None:
        if time.monotonic() - self.looked_at < ABANDONED_EVERY_S:
            return
        self.looked_at = time.monotonic()
        from ..extensions import db
        from ..services import live

        with self.app.app_context():
            try:
                for class_id in live.end_abandoned():
                    print(f"Live class {class_id} ended: its stream did not come back.",
                          flush=True)
            finally:
                db.session.remove()

    def stream_key(self, class_id: int) -> str | None:
        from ..extensions import db
        from ..models import LiveClass

        with self.app.app_context():
            try:
                found = db.session.get(LiveClass, class_id)
                return found.stream_key if found is not None else None
            finally:
                db.session.remove()

    def relay_browser_streams(self) -> None:
        """A relay for each browser recording being written; stopped when the teacher stops
        (ffmpeg ends the RTMP stream cleanly on SIGINT: nginx records and says it ended)."""
        folder = self.live_root / "browser"
        for path in folder.glob("*.webm") if folder.is_dir() else ():
            class_id = int(path.stem) if path.stem.isdigit() else None
            if class_id is None:
                continue
            relay = self.relays.get(class_id)
            ended = path.with_suffix(".end").is_file()
            if ended:
                if relay is not None and relay.poll() is None:
                    relay.send_signal(signal.SIGINT)
                    continue
                self.relays.pop(class_id, None)
                for leftover in (path, path.with_suffix(".end"), path.with_suffix(".next")):
                    leftover.unlink(missing_ok=True)
            elif relay is None or relay.poll() is not None:
                key = self.stream_key(class_id)
                if key is not None:
                    self.relays[class_id] = subprocess.Popen(
                        relay_command(path, self.app.config["RTMP_PORT"], key))

    def step(self) -> None:
        if self.nginx.poll() is not None:
            print(f"nginx stopped (exit code {self.nginx.returncode}); starting it again.",
                  file=sys.stderr, flush=True)
            time.sleep(1)
            self.nginx = start_nginx(self.conf)
        self.relay_browser_streams()
        self.end_abandoned()
        wanted = self.live_ids()
        for class_id in wanted:
            process = self.captioners.get(class_id)
            recent = time.monotonic() - self.started.get(class_id, -60) < RESTART_PAUSE_S
            if (process is None or process.poll() is not None) and not recent:
                self.started[class_id] = time.monotonic()
                self.captioners[class_id] = subprocess.Popen(
                    [self.python, "-m", "accessible_learning.live.captioner", str(class_id)])
        for class_id in list(self.captioners):
            process = self.captioners[class_id]
            if class_id not in wanted and process.poll() is not None:
                del self.captioners[class_id]  # it ended with its stream

    def stop(self) -> None:
        # A second Ctrl-C (the terminal's and the launcher's) must not cut the stopping short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in [*self.relays.values(), *self.captioners.values(), self.nginx]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.relays.values(), *self.captioners.values(), self.nginx]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _stop(_signum, _frame):
    raise KeyboardInterrupt


def main() -> int:
    reason = available()
    if reason:
        print(reason, file=sys.stderr, flush=True)
        return 0  # everything else runs without live classes
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # even when started with SIGINT ignored (in background)
    from ..factory import create_app

    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104 (not a bind)
    web_url = os.environ.get("LIVE_CALLBACK_URL") or (
        f"http://{host}:{os.environ.get('PORT', '5000')}")
    supervisor = Supervisor(app, web_url)
    print(f"Live classes: RTMP ingest on port {app.config['RTMP_PORT']} "
          f"(nginx pid {supervisor.nginx.pid}).", flush=True)
    try:
        while True:
            supervisor.step()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
