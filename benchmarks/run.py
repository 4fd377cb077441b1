"""`make bench`: figures measured side by side in one run, printed as ratios.

Web: our catalogue, course and lesson pages (logged in as a learner) against a trivial Flask page,
both under gunicorn with 2 sync workers, loaded with wrk on 127.0.0.1. Those pages are kept
rendered after their first request (page_cache.py), as they are for every learner after the
first with the same language, role, preferences and progress; the lesson page is also measured
from a third server that keeps nothing, so rendering it each time is in the table too; and a
fourth answers "ok" to a signed-in request (benchmarks/signed_in.py): the floor under every
signed-in page.
Captioning (after the web figures): see benchmarks/captioning.py.
Audio description (after captioning): see benchmarks/description.py.
Renditions: bytes and encode time of the smaller versions, and the time to first frame of each on
a slow link in Chromium; see benchmarks/renditions.py and benchmarks/first_frame.py.
Live classes (last): the delay from speech to live captions at a viewer, their accuracy against
the batch pipeline's, and 200 viewers at once; see benchmarks/live.py.
Voice commands (with the web figures): the same utterances recognised by the bare recogniser in
this process and posted to the lesson page's voice endpoint over HTTP; see benchmarks/voice.py.
Scale (after the voice figures): the pages that list people, with the demo's users and with
40,000 more learners; see benchmarks/scale.py.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

BIN = Path(sys.executable).parent
USER_AGENT = "accessible-learning-bench"  # the same for log-in and load: sessions are bound to it
DURATION = os.environ.get("BENCH_SECONDS", "5")
WARM_UP = 20  # requests to a page before it is measured


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def gunicorn(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         app_spec], env=env,
    )


# wrk's Lua hooks: an optional request body, a count of 5xx answers across threads, and the
# percentiles (wrk itself prints 50/75/90/99 only).
WRK_SCRIPT = """
local threads = {}
fives = 0
function setup(thread) table.insert(threads, thread) end
function init(args)
  if args[1] then wrk.method = "POST"; wrk.body = args[1]
    wrk.headers["Content-Type"] = "application/json" end
end
function response(status, headers, body) if status >= 500 then fives = fives + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("fives") end
  io.write(string.format("P50 %d\\nP95 %d\\nP99 %d\\nFIVES %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), total))
end
"""


# For the progress endpoint: each report a second further than the thread's last (a player
# watching), so that each one is stored; the same report again changes nothing and writes nothing.
MOVING_REPORTS = """
local second = 0
function request()
  second = (second + 1) % 60
  return wrk.format(nil, nil, nil, string.format(
    '{"position": %d.0, "played": [[%d.0, %d.0]]}', second + 1, second, second + 1))
end
"""


def wrk(url: str, cookie: str | None = None, body: str | None = None,
        headers: dict | None = None, duration: int | None = None, lua: str = "") -> dict:
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {}),
               **(headers or {})}
    # Warm up first: both workers' first requests compile templates and SQL and fill the kept
    # pages, which a server does once after starting, not under load.
    for _ in range(WARM_UP):
        if body is None:
            response = urllib.request.urlopen(urllib.request.Request(url, headers=headers))
            if response.status != 200 or response.url != url:
                raise SystemExit(f"{url} does not answer 200 for the benchmark user")
        else:
            request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
                **headers, "Content-Type": "application/json"})
            if urllib.request.urlopen(request).status != 200:
                raise SystemExit(f"POST {url} does not answer 200 for the benchmark user")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT + lua)
    cmd = ["wrk", "-t2", "-c8", f"-d{duration or DURATION}s", "-s", script.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd += [url] + (["--", body] if body is not None else [])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def number(label):
        return int(re.search(rf"^{label} (\d+)$", out, re.M).group(1))

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": number("P50") / 1000, "p95": number("P95") / 1000, "p99": number("P99") / 1000,
        "errors": int(errors.group(1)) if errors else 0,
        "fives": number("FIVES"),
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def learner_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]

    def token(path):
        html = opener.open(base + path).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def post(path, data, token_page):
        body = urllib.parse.urlencode({**data, "csrf_token": token(token_page)}).encode()
        opener.open(base + path, data=body).read()

    post("/login", {"email": "learner@example.org", "password": "learner-demo-pass"}, "/login")
    post("/courses/1/enrol", {}, "/courses/1")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def csrf_token(base: str, cookie: str, path: str) -> str:
    request = urllib.request.Request(base + path,
                                     headers={"User-Agent": USER_AGENT, "Cookie": cookie})
    html = urllib.request.urlopen(request).read().decode()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def page_weight(base: str, cookie: str, path: str) -> tuple[int, int, int]:
    """Bytes of a page's HTML, CSS and JS as sent to a browser that accepts compression, as
    they would be uncompressed, and the number of files."""
    import brotli

    def fetch(url):
        request = urllib.request.Request(base + url, headers={
            "User-Agent": USER_AGENT, "Cookie": cookie, "Accept-Encoding": "gzip, deflate, br"})
        with urllib.request.urlopen(request) as response:
            body, encoding = response.read(), response.headers.get("Content-Encoding")
        plain = {"br": brotli.decompress, "gzip": gzip.decompress,
                 "deflate": zlib.decompress}.get(encoding, lambda b: b)(body)
        return len(body), plain

    sent, html = fetch(path)
    raw = len(html)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html.decode())
    for asset in assets:
        size, plain = fetch(asset)
        sent, raw = sent + size, raw + len(plain)
    return sent, raw, 1 + len(assets)


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-"))
    # The voice benchmark sends 50 utterances in a few seconds: above a learner's usual limit.
    env = {**os.environ, "INSTANCE_PATH": str(tmp), "VOICE_RATE_LIMIT": "10000 per minute",
           "VOICE_CHECK_AT_STARTUP": "0"}
    flask = [str(BIN / "flask"), "--app", "accessible_learning"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True)
    ours_port, ref_port, bare_port, floor_port = (free_port() for _ in range(4))
    servers = [gunicorn("accessible_learning:create_app()", ours_port, env),
               gunicorn("benchmarks.trivial:app", ref_port, env),
               gunicorn("accessible_learning:create_app()", bare_port,
                        {**env, "PAGE_CACHE_ENTRIES": "0"}),
               gunicorn("benchmarks.signed_in:app", floor_port, env)]
    try:
        ours, ref = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{ref_port}"
        bare = f"http://127.0.0.1:{bare_port}"
        floor = f"http://127.0.0.1:{floor_port}"
        for server in (ours, ref, bare, floor):
            wait_up(server + "/")
        cookie = learner_cookie(ours)
        token = csrf_token(ours, cookie, "/lessons/1")
        progress = json.dumps({"position": 3.0, "played": [[2.0, 3.0]]})
        # Each of our pages is loaded right after a run of the trivial page, and its ratio is
        # to that run: the machine's speed drifts over a minute (the trivial page alone went
        # from 2,200 to 3,700 requests/s between runs here), and adjacent runs share the drift.
        rows, references = [], []
        for label, url, kwargs in [
                ("signed in, \"ok\" (the floor)", floor + "/bench/signed-in", {}),
                ("catalogue /courses", ours + "/courses", {}),
                ("catalogue search (htmx fragment)", ours + "/courses?q=noodle", {}),
                ("course page /courses/1", ours + "/courses/1", {}),
                ("lesson page /lessons/1", ours + "/lessons/1", {}),
                ("  the same, rendered each time", bare + "/lessons/1", {}),
                ("progress report POST, the same again", ours + "/lessons/1/progress",
                 {"body": progress, "headers": {"X-CSRFToken": token}}),
                ("  each report new, so stored", ours + "/lessons/1/progress",
                 {"body": progress, "headers": {"X-CSRFToken": token}, "lua": MOVING_REPORTS})]:
            reference = wrk(ref + "/")
            references.append(reference["rps"])
            rows.append((label, wrk(url, cookie, **kwargs), reference["rps"]))
        references.sort()
        print(f"\nWeb throughput: gunicorn, 2 sync workers, wrk -t2 -c8 -d{DURATION}s, logged in "
              "(goal: at least 0.25 × the trivial page, p99 under 50 ms, no errors)")
        print(f"The trivial Flask page: {references[len(references) // 2]:.0f} requests/s (median "
              f"of {len(references)} runs, {references[0]:.0f} to {references[-1]:.0f}); each "
              "page's ratio is to the run just before it.")
        print(f"{'page':<36} {'req/s':>8} {'× trivial':>9} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'non-2xx':>7} {'5xx':>5}")
        for label, r, reference in rows:
            print(f"{label:<36} {r['rps']:>8.0f} {r['rps'] / reference:>9.2f} {r['p50']:>7.2f} "
                  f"{r['p95']:>7.2f} {r['p99']:>7.2f} {r['errors']:>7} {r['fives']:>5}")
        soak_seconds = int(os.environ.get("BENCH_SOAK_SECONDS", "600"))
        if soak_seconds:
            soak = [wrk(ours + "/lessons/1", cookie, duration=soak_seconds // 2),
                    wrk(ours + "/lessons/1/progress", cookie, body=progress,
                        headers={"X-CSRFToken": token}, duration=soak_seconds // 2)]
            print(f"\nSoak: {soak_seconds} s (lesson page, then progress reports): "
                  f"{sum(r['requests'] for r in soak)} requests, "
                  f"{sum(r['fives'] for r in soak)} answers 5xx, "
                  f"{sum(r['errors'] for r in soak)} non-2xx (goal: zero 5xx)")
        sent, raw, files = page_weight(ours, cookie, "/lessons/1")
        print(f"\nPage weight of /lessons/1 (HTML, CSS and JS; {files} files, no media): "
              f"{sent / 1024:.1f} KB sent compressed, {raw / 1024:.1f} KB uncompressed "
              f"(goal: under 100 KB)")
        from benchmarks import voice

        voice.compare_with_http(ours + "/lessons/1/voice", cookie,
                                csrf_token(ours, cookie, "/lessons/1"), USER_AGENT)
        voice.browser_latency({**env, "VOICE_CHECK_AT_STARTUP": "1"})
        from benchmarks import scale

        scale.main(tmp)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    from benchmarks import captioning, description, live, renditions, voice

    web = main()
    voice.main()
    captions = captioning.main()
    described = description.main()
    made = renditions.main()
    sys.exit(live.main() or made or described or captions or web)
