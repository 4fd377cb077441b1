"""A live class seen through two web nodes (issue 28): two gunicorn servers on the same
PostgreSQL database and Redis, each with a live folder of its own (nothing shared on disk).
The captions published by a captioner on another machine (the Redis bus it uses) reach a viewer
on either node, the same events in the same order; a question asked on one node reaches the
teacher on the other; a line corrected on that node reaches the viewer on the first."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest

from accessible_learning.extensions import db
from accessible_learning.live.bus import RedisBus
from accessible_learning.models import Course, utcnow
from accessible_learning.services import live
from conftest import DEMO_EMAILS, DEMO_PASSWORDS, free_port, wait_for_url

pytestmark = pytest.mark.scale
AGENT = "two-nodes-test"  # a session is bound to its browser: the same agent every time


def _node(app, tmp_path, name: str):
    port = free_port()
    env = {**app.config["WORKER_ENV"], "SECRET_KEY": "two-nodes-share-this",
           "LIVE_ROOT": str(tmp_path / name), "INSTANCE_PATH": str(tmp_path / f"{name}-inst")}
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-b", f"127.0.0.1:{port}",
         "-w", "2", "--worker-class", "gthread", "--threads", "8",
         "accessible_learning:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_url(f"http://127.0.0.1:{port}/", process)
    return port, process


def _session(port: int, role: str) -> str:
    """A signed-in session on the node (its cookie), as a browser gets one."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", AGENT)]
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": DEMO_EMAILS[role], "password": DEMO_PASSWORDS[role],
                                   "csrf_token": token}).encode()
    assert opener.open(base + "/login", data=body).geturl().endswith("/dashboard")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _post(port: int, cookie: str, path: str, form: dict, token_page: str) -> int:
    """Send a form as the signed-in browser would; the answer's status (redirects not
    followed)."""
    base = f"http://127.0.0.1:{port}"
    page = urllib.request.urlopen(urllib.request.Request(
        base + token_page, headers={"Cookie": cookie, "User-Agent": AGENT})).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", path, body=urllib.parse.urlencode({**form, "csrf_token": token}),
                       headers={"Cookie": cookie, "Accept": "application/json",
                                "User-Agent": AGENT,
                                "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    return response.status


class Follower(threading.Thread):
    def __init__(self, port: int, cookie: str, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.cookie, self.path = port, cookie, path
        self.events: list[tuple[str, dict]] = []
        self.ready = threading.Event()
        self.status = None

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", self.path, headers={"Cookie": self.cookie,
                                                      "User-Agent": AGENT})
        response = connection.getresponse()
        self.status = response.status
        kind = None
        while True:
            line = response.fp.readline().decode()
            if not line:
                return
            self.ready.set()
            if line.startswith("event: "):
                kind = line[7:].strip()
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                self.events.append((kind, data))
                if kind == "state" and data["state"] == "ended":
                    return


def _wait_for(condition, timeout: float = 20) -> None:
    until = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < until, "timed out"
        time.sleep(0.1)


def test_viewers_on_two_nodes_get_the_same_captions_through_redis(pg_app, tmp_path):
    with pg_app.app_context():
        made = live.schedule(db.session.get(Course, 1), live.ClassDetails(
            "Two nodes", utcnow() - timedelta(minutes=1), 60, "ko"))
        class_id, key = made.id, made.stream_key
        assert live.start(key) is not None  # the ingest accepted the stream
    nodes = [_node(pg_app, tmp_path, "a"), _node(pg_app, tmp_path, "b")]
    try:
        (port_a, _), (port_b, _) = nodes
        learner_a = _session(port_a, "learner")
        assert _post(port_a, learner_a, "/courses/1/enrol", {}, "/courses/1") == 302
        teacher_b = _session(port_b, "content")
        viewer_a = Follower(port_a, learner_a, f"/live/{class_id}/events")
        teacher = Follower(port_b, teacher_b, f"/live/{class_id}/events")
        for follower in (viewer_a, teacher):
            follower.start()
            assert follower.ready.wait(10), follower.status
        time.sleep(0.5)  # both nodes subscribed

        captioner = RedisBus(pg_app.config["REDIS_URL"])  # as on the ingest's machine
        sent = [{"type": "partial", "text": "지난해", "seq": 1},
                {"type": "final", "cue": 1, "start": 0.4, "end": 1.9, "text": "지난해 삼월",
                 "closed": False, "words": 2, "seq": 2},
                {"type": "final", "cue": 1, "start": 0.4, "end": 2.3, "text": "지난해 삼월",
                 "closed": True, "words": 2, "seq": 3}]
        for event in sent:
            captioner.publish(class_id, event)
        with pg_app.app_context():
            live.add_caption(class_id, 1, 0.4, 2.3, "지난해 삼월")
        _wait_for(lambda: len(viewer_a.events) >= 3 and len(teacher.events) >= 3)
        assert [e for _k, e in viewer_a.events[:3]] == [e for _k, e in teacher.events[:3]]
        assert [e["seq"] for _k, e in viewer_a.events[:3]] == [1, 2, 3]

        asked = _post(port_a, learner_a, f"/live/{class_id}/questions",
                      {"question": "다시 말씀해 주세요"}, f"/live/{class_id}")
        assert asked == 200
        _wait_for(lambda: any(k == "question" for k, _e in teacher.events))
        corrected = _post(port_b, teacher_b, f"/studio/live/{class_id}/captions/1",
                          {"text": "지난해 삼 월"}, f"/studio/live/{class_id}/captions/1")
        assert corrected == 302
        _wait_for(lambda: any(k == "correction" for k, _e in viewer_a.events))
        assert not any(k == "question" for k, _e in viewer_a.events)  # the teacher's only
        with pg_app.app_context():
            dropped = live.stop(key)  # the stream stopped: the class waits for it
            assert dropped.state == "live" and dropped.interrupted_at is not None
            live.end(dropped)
        for follower in (viewer_a, teacher):
            follower.join(timeout=15)
            assert follower.events[-1] == ("state", {"state": "ended"})
            # Both nodes told their viewers of the dropped stream, from the bus.
            assert any(k == "state" and e["state"] == "interrupted" for k, e in follower.events)
    finally:
        for _port, process in nodes:
            process.terminate()
            process.wait(timeout=20)
