"""Start the web server (gunicorn) and a huey worker together; Ctrl-C stops both (used by
``make run``). ``WEB_WORKERS`` and ``WEB_THREADS`` size the web server (default 2 and 8: threads
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


def _stop(_signum, _frame):
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop works like Ctrl-C
    bin_dir = Path(sys.executable).parent
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    env = allocator.environ()  # both recognise speech: captions, and voice commands
    worker = subprocess.Popen(
        [str(bin_dir / "huey_consumer"), "accessible_learning.worker.huey", "--workers", "1"],
        env=env,
    )
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--bind", f"{host}:{port}",
         "--workers", os.environ.get("WEB_WORKERS", "2"), "--worker-class", "gthread",
         "--threads", os.environ.get("WEB_THREADS", "8"), "--graceful-timeout", "5",
         "--access-logfile", "-", "accessible_learning:create_app()"],
        env=env,
    )
    print(f"Accessible Learning is at http://{host}:{port}/ (worker pid {worker.pid}). "
          "Press Ctrl-C to stop.", flush=True)
    children = [web, worker]
    code = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        code = next(child.returncode for child in children if child.poll() is not None)
        print("One of the processes stopped; stopping the other.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
