"""`make run`'s launcher starts the web server and a worker together; Ctrl-C stops both."""

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
from conftest import clone_instance


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_launcher_serves_the_demo_and_stops_both_processes_on_ctrl_c(demo_template, tmp_path):
    config = clone_instance(demo_template, tmp_path / "instance")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MEDIA_ROOT": config["MEDIA_ROOT"], "PORT": str(port),
           "INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop(allocator.SETTING, None)  # the default: jemalloc
    launcher = subprocess.Popen([sys.executable, "-m", "accessible_learning.launcher"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/courses", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert "Garment pattern-making basics" in body
        children = subprocess.run(["pgrep", "-P", str(launcher.pid), "-a"], capture_output=True,
                                  text=True).stdout
        assert "huey_consumer" in children and "gunicorn" in children
        # Both recognise speech, on jemalloc (accessible_learning.allocator).
        for line in children.splitlines():
            maps = Path(f"/proc/{line.split()[0]}/maps").read_text()
            assert "libjemalloc" in maps, line
    finally:
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == 0, output
    left = subprocess.run(["pgrep", "-P", str(launcher.pid)], capture_output=True).stdout
    assert not left


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
