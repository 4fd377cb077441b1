"""`make run`'s launcher starts the web server, a worker and the live ingest (nginx's RTMP
server) together, starts again one that dies, and stops them all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from accessible_learning import allocator, create_app
from conftest import clone_instance, free_port


def _children(pid: int) -> dict[str, int]:
    """The launcher's children by name (huey_consumer, gunicorn, live.ingest) and pid."""
    lines = subprocess.run(["pgrep", "-P", str(pid), "-a"], capture_output=True,
                           text=True).stdout.splitlines()
    found = {}
    for line in lines:
        child_pid, command = line.split(maxsplit=1)
        for name in ("huey_consumer", "gunicorn", "live.ingest"):
            if name in command:
                found[name] = int(child_pid)
    return found


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.monotonic() < deadline, f"nothing listens on {port}"
        time.sleep(0.2)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_launcher_serves_the_demo_restarts_a_killed_worker_and_stops_on_ctrl_c(
        demo_template, tmp_path):
    config = clone_instance(demo_template, tmp_path / "instance")
    port, rtmp_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "PORT": str(port),
           "INSTANCE_PATH": str(tmp_path / "instance"), "RTMP_PORT": str(rtmp_port),
           "LIVE_ROOT": str(tmp_path / "live")}
    env.pop(allocator.SETTING, None)  # the default: jemalloc
    log = tmp_path / "launcher.log"
    launcher = subprocess.Popen([sys.executable, "-m", "accessible_learning.launcher"], env=env,
                                stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/courses"
    output = ""
    try:
        deadline = time.monotonic() + 90  # a busy machine starts gunicorn slowly
        body = ""
        while time.monotonic() < deadline:
            try:
                body = _get(url)
                break
            except OSError:
                time.sleep(0.3)
        assert "Garment pattern-making basics" in body
        children = _children(launcher.pid)
        assert set(children) == {"huey_consumer", "gunicorn", "live.ingest"}, children
        # Both recognise speech, on jemalloc (accessible_learning.allocator).
        for name in ("huey_consumer", "gunicorn"):
            assert "libjemalloc" in Path(f"/proc/{children[name]}/maps").read_text(), name
        _wait_for_port(rtmp_port)  # nginx takes RTMP streams

        # The worker killed (as the out-of-memory killer would): pages go on being served, and
        # a new worker is started.
        os.kill(children["huey_consumer"], signal.SIGKILL)
        deadline = time.monotonic() + 30
        restarted = None
        while time.monotonic() < deadline:
            assert "Garment pattern-making basics" in _get(url)
            now = _children(launcher.pid)
            if now.get("huey_consumer") not in (None, children["huey_consumer"]):
                restarted = now
                break
            time.sleep(0.3)
        assert restarted, "the worker was not started again"
        assert restarted["gunicorn"] == children["gunicorn"]  # the web server went on
        assert launcher.poll() is None
        # Each web worker readies the voice recognisers as it starts (gunicorn_conf.py), so
        # that a learner's first command is not kept waiting for the model to load.
        deadline = time.monotonic() + 120
        while log.read_text().count("Voice commands ready") < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        ready = [line for line in log.read_text().splitlines()
                 if "Voice commands ready in" in line]
        assert len(ready) == 2 and all(line.endswith("(ko)") for line in ready), log.read_text()
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=30)
        output = log.read_text()
    assert launcher.returncode == 0, output
    assert "The worker stopped (exit code -9); starting it again in 1 s." in output, output
    left = subprocess.run(["pgrep", "-P", str(launcher.pid)], capture_output=True).stdout
    assert not left
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", rtmp_port)) != 0  # nginx stopped with the rest


def test_allocator_environment_preloads_jemalloc_unless_told_not_to(monkeypatch):
    library = allocator.jemalloc()
    assert library, "libjemalloc2 is one of the Makefile's RUN_PACKAGES"
    assert allocator.environ({"PATH": "/bin"}) == {
        "PATH": "/bin", "LD_PRELOAD": library, allocator.SETTING: "jemalloc"}
    assert allocator.environ({"LD_PRELOAD": "/x.so"})["LD_PRELOAD"] == f"{library}:/x.so"
    already = {"LD_PRELOAD": library}
    assert allocator.environ(already) == already
    monkeypatch.setenv(allocator.SETTING, "system")
    assert allocator.environ({"PATH": "/bin"}) == {"PATH": "/bin"}


def test_demo_command_does_not_seed_twice(demo_template, tmp_path):
    app = create_app(clone_instance(demo_template, tmp_path / "instance"))
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has users" in result.output
