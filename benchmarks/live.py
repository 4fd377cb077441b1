"""`make bench`, live classes (issue 28): how soon live captions reach viewers, how right they
are, and 200 viewers at once, on the real parts.

A throwaway instance runs the web app under gunicorn (2 workers, gthread, 128 threads each: every
open event stream holds a thread) and the live ingest as ``make run`` starts it (nginx with the
RTMP module, and a captioner process for the class). A class is scheduled for now; 200 viewers
(threads of this process, signed in as the content team) follow its events
(``/live/N/events``, Server-Sent Events); then ffmpeg streams the long Zeroth concatenation
(``../shared/data/speech/ko/long/dev_concat.wav``, 118 s of real Korean speech, with a test
picture) to nginx in real time (``-re``), as OBS would.

- **Delay**: the end of each spoken word comes from forced alignment of the file to its
  reference transcript (``media_pipeline.align``), in wall-clock time from the moment ffmpeg sent
  the stream's time 0 (from its progress reports). The live text (the finished cues) is matched
  to the reference character by character (``difflib``); a word's final delay is when the last
  of its matched characters had arrived as final text at viewer 0, minus the word's end; its
  partial delay is when the text shown (final and partial) first reached that far. Goals: p95
  ≤ 1.5 s for finals, ≤ 0.8 s for partials.
- **Accuracy**: the character error rate of the live captions and of the batch pipeline's
  (``recognise`` on the same file, as the caption job runs it), against the reference. Goal: live
  within 0.02 of batch.
- **Viewers**: how many of the 200 connected with 200, how many answers were 5xx, and how many
  of the final events each received (every viewer should have them all).

Run alone with ``python -m benchmarks.live``.
"""

from __future__ import annotations

import csv
import difflib
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from media_pipeline import align, metrics, recognise, speech_models, words

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
LONG = ROOT.parent / "shared" / "data" / "speech" / "ko" / "long"
VIEWERS = int(os.environ.get("BENCH_LIVE_VIEWERS", "200"))
USER_AGENT = "accessible-learning-bench"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bare(text: str) -> str:
    return "".join(text.split())


def _wait(url_or_port, timeout: float = 60) -> None:
    import socket

    until = time.monotonic() + timeout
    while time.monotonic() < until:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", url_or_port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on {url_or_port}")


def _login(port: int) -> str:
    """A session cookie of the demo's content team (bound to this agent)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": "content@example.org",
                                   "password": "content-demo-pass", "csrf_token": token})
    if not opener.open(base + "/login", data=body.encode()).geturl().endswith("/dashboard"):
        raise SystemExit("the bench could not log in")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Viewer(threading.Thread):
    def __init__(self, port: int, path: str, cookie: str, keep: bool) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.cookie, self.keep = port, path, cookie, keep
        self.status = None
        self.events: list[tuple[float, str, dict]] = []
        self.finals = 0
        self.stop = False

    def run(self) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            connection.request("GET", self.path, headers={
                "User-Agent": USER_AGENT, "Cookie": self.cookie, "Accept": "text/event-stream"})
            response = connection.getresponse()
            self.status = response.status
            kind = None
            while not self.stop:
                line = response.fp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind:
                    if kind == "final":
                        self.finals += 1
                    if self.keep:
                        self.events.append((time.time(), kind, json.loads(line[6:])))
                    if kind == "state" and json.loads(line[6:])["state"] == "ended":
                        break
        except OSError:
            self.status = self.status or -1


_slowest: list[tuple[float, float, str]] = []  # final delay, the word's end, the word


def _delays(events, t0: float, aligned: list[words.Word]) -> tuple[list, list, int]:
    """Each reference word's final and partial delay (see the module's docstring)."""
    closed: dict[int, str] = {}
    open_cue = (0, "")
    final_at: list[float] = []  # arrival time of each final character
    shown_at: list[float] = []  # arrival time of each character shown (final or partial)
    for at, kind, data in events:
        if kind == "final":
            if data["closed"]:
                closed[data["cue"]] = data["text"]
                if open_cue[0] == data["cue"]:
                    open_cue = (0, "")
            else:
                open_cue = (data["cue"], data["text"])
            committed = sum(len(_bare(t)) for t in closed.values()) + len(_bare(open_cue[1]))
            final_at += [at] * max(0, committed - len(final_at))
            shown_at += [at] * max(0, committed - len(shown_at))
        elif kind == "partial":
            visible = len(final_at) + len(_bare(data["text"]))
            shown_at += [at] * max(0, visible - len(shown_at))
    live = "".join(_bare(closed[n]) for n in sorted(closed))
    reference, owner = [], []
    for index, word in enumerate(aligned):
        for char in _bare(word.text):
            reference.append(char)
            owner.append(index)
    last_match: dict[int, int] = {}
    matched_chars: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, "".join(reference), live, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            word = owner[block.a + k]
            last_match[word] = block.b + k
            matched_chars[word] = matched_chars.get(word, 0) + 1
    finals, partials = [], []
    for index, position in last_match.items():
        if matched_chars[index] * 2 < len(_bare(aligned[index].text)):
            continue  # mostly misrecognised: no delay to speak of
        end = t0 + aligned[index].end
        if position < len(final_at):
            finals.append(final_at[position] - end)
            _slowest.append((final_at[position] - end, aligned[index].end, aligned[index].text))
        if position < len(shown_at):
            partials.append(shown_at[position] - end)
    return finals, partials, len(aligned)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> int:
    from accessible_learning.live.nginx import available

    if available():
        print(f"\nLive classes: skipped ({available()})")
        return 1
    speech = LONG / "dev_concat.wav"
    with open(LONG / "dev_concat.segments.tsv", encoding="utf-8") as fh:
        segments = list(csv.DictReader(fh, delimiter="\t"))
    script = "\n".join(s["reference"] + "." for s in segments)
    reference = " ".join(s["reference"] for s in segments)
    duration = float(segments[-1]["end_s"]) + 0.5

    tmp = Path(tempfile.mkdtemp(prefix="al-bench-live-"))
    web_port, rtmp_port = _free_port(), _free_port()
    env = {**os.environ, "INSTANCE_PATH": str(tmp), "LIVE_ROOT": str(tmp / "live"),
           "RTMP_PORT": str(rtmp_port), "LIVE_CALLBACK_URL": f"http://127.0.0.1:{web_port}",
           "VOICE_CHECK_AT_STARTUP": "0",
           # The stream stops when the file ends: the class waits this long for it, then ends.
           "LIVE_RECONNECT_GRACE_S": "8"}
    flask = [str(BIN / "flask"), "--app", "accessible_learning"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True)
    schedule = ("from accessible_learning import create_app\n"
                "from accessible_learning.extensions import db\n"
                "from accessible_learning.models import Course, utcnow\n"
                "from accessible_learning.services import live\n"
                "app = create_app()\n"
                "with app.app_context():\n"
                "    c = db.session.get(Course, 1)\n"
                "    m = live.schedule(c, live.ClassDetails('Bench class', utcnow(), 60, 'ko'))\n"
                "    print(m.id, m.stream_key)\n")
    class_id, key = subprocess.run([str(BIN / "python"), "-c", schedule], env=env, check=True,
                                   capture_output=True, text=True).stdout.split()
    log = open(tmp / "servers.log", "w")  # noqa: SIM115
    processes = [
        subprocess.Popen([str(BIN / "gunicorn"), "-b", f"127.0.0.1:{web_port}", "-w", "2",
                          "--worker-class", "gthread", "--threads", "128", "--log-level",
                          "warning", "accessible_learning:create_app()"], env=env, stdout=log,
                         stderr=subprocess.STDOUT),
        subprocess.Popen([str(BIN / "python"), "-m", "accessible_learning.live.ingest"],
                         env=env, stdout=log, stderr=subprocess.STDOUT)]
    try:
        _wait(web_port)
        _wait(rtmp_port)
        cookie = _login(web_port)
        viewers = [Viewer(web_port, f"/live/{class_id}/events", cookie, keep=i == 0)
                   for i in range(VIEWERS)]
        for viewer in viewers:
            viewer.start()
        time.sleep(3)  # every viewer connected and waiting
        teacher = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1", "-re",
             "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-re", "-i", str(speech),
             "-map", "0:v", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset",
             "veryfast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p", "-c:a",
             "aac", "-b:a", "64k", "-f", "flv", f"rtmp://127.0.0.1:{rtmp_port}/live/{key}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # When the stream's time 0 was sent: ffmpeg reports how far its output is about twice
        # a second; wall clock minus that is the moment its clock started (its start-up and
        # the RTMP handshake are not counted, as a teacher's encoder is connected before the
        # class begins).
        starts = []
        for line in teacher.stdout:
            if line.startswith("out_time_us=") and line.strip()[12:].isdigit():
                sent_s = int(line.strip()[12:]) / 1e6
                if sent_s > 2:
                    starts.append(time.time() - sent_s)
        if teacher.wait() != 0 or not starts:
            raise SystemExit(f"ffmpeg could not stream: {teacher.stderr.read()[-500:]}")
        t0 = sorted(starts)[len(starts) // 2]
        until = time.monotonic() + 45
        while any(v.is_alive() for v in viewers) and time.monotonic() < until:
            time.sleep(0.5)  # the class ends: each viewer's stream says so and stops
        for viewer in viewers:
            viewer.stop = True
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    model = speech_models.find_model("ko").path
    aligned = align.align(speech, model, script, "ko", duration_s=duration, jobs=2).words
    finals, partials, total = _delays(viewers[0].events, t0, aligned)
    closed = {}
    for _at, kind, data in viewers[0].events:
        if kind == "final" and data["closed"]:
            closed[data["cue"]] = data["text"]
    live_text = " ".join(closed[n].replace("\n", " ") for n in sorted(closed))
    batch = words.rejoin(recognise.recognise(speech, model, jobs=2), "ko")
    live_cer = metrics.cer(reference, live_text)
    batch_cer = metrics.cer(reference, " ".join(w.text for w in batch))
    statuses = [v.status for v in viewers]
    counts = [v.finals for v in viewers]
    print(f"\nLive classes: {duration:.0f} s of real Korean speech streamed with ffmpeg -re to "
          f"nginx-rtmp, captioned live, followed by {VIEWERS} viewers over SSE (gunicorn "
          "2 gthread workers × 128 threads)")
    print(f"  delay from a word's end to its final text at a viewer: median "
          f"{_percentile(finals, 0.5):.2f} s, p95 {_percentile(finals, 0.95):.2f} s, max "
          f"{max(finals, default=float('nan')):.2f} s over {len(finals)} of {total} words "
          "(goal: p95 ≤ 1.5 s)")
    print("  the slowest words (final delay at stream time): " + ", ".join(
        f"{text} {delay:.2f} s at {end:.1f} s" for delay, end, text in sorted(_slowest)[-4:]))
    print(f"  delay to the first text shown for it (partial or final): median "
          f"{_percentile(partials, 0.5):.2f} s, p95 {_percentile(partials, 0.95):.2f} s "
          "(goal: p95 ≤ 0.8 s)")
    print(f"  character error rate: live {live_cer:.3f}, batch pipeline {batch_cer:.3f}, "
          f"difference {live_cer - batch_cer:+.3f} (goal: within 0.02)")
    print(f"  viewers: {statuses.count(200)} of {VIEWERS} connected, "
          f"{sum(1 for s in statuses if s and s >= 500)} answers 5xx, final events a viewer "
          f"got: {min(counts)} to {max(counts)} (viewer 0: {counts[0]})")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
