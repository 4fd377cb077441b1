"""`make bench`, part of the renditions figures (issue 29): time to first frame on a slow link.

A lesson's outputs (the uploaded file, its HLS renditions and its audio-only file) are served
from a small Flask app on 127.0.0.1 (``send_file`` with range requests and the content types the
lesson's media route sends), and Debian's Chromium, driven by Playwright, plays each of them
under DevTools network emulation: 400 kbit/s down and up, 400 ms round trip (issue 29's figures,
a 2G-like link). Measured side by side in one run, each in a fresh browser context (nothing
cached), from the moment the learner presses Play on a page whose scripts are already loaded to
the media's ``playing`` event:

- **original**: the uploaded file in a ``<video>`` (what every learner got before renditions);
- **240p**: the 240p rendition through the vendored hls.js, fixed as the player fixes a quality
  (the master playlist, the rendition's playlist, its initialisation segment and first segment);
- **automatic**: hls.js choosing for itself, started as the player starts it (the smallest);
- **audio only**: the audio-only file in an ``<audio>`` ("audio and text").

Goals (issue 29): under 3 s for 240p and under 1.5 s for audio only. The median of
``BENCH_FIRST_FRAME_RUNS`` (default 3) runs is printed. hls.js itself (the vendored module, fetched
once and then cached by the browser) is not in the figure; its size as sent (Brotli 11) is
printed.
"""

from __future__ import annotations

import logging
import os
import statistics
import threading
from pathlib import Path

import brotli
from flask import Flask, abort, send_file
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
HLS = ROOT / "static" / "vendor" / "hls-1.7.4" / "hls.light.min.mjs"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"]
LINK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
        "uploadThroughput": 400_000 / 8}
RUNS = int(os.environ.get("BENCH_FIRST_FRAME_RUNS", "3"))
GOALS_S = {"240p": 3.0, "audio only": 1.5}
TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".mp4": "video/mp4",
         ".m4s": "video/iso.segment", ".webm": "video/webm"}

PAGE = """<!doctype html><html lang="en"><title>first frame</title><body>
<script type="module">import Hls from "/hls.mjs"; window.Hls = Hls;</script></body></html>"""

# Pressing Play: the element and its source made as the player makes them, then play().
PLAY = """async ([kind, url]) => {
  const started = performance.now();
  const media = document.createElement(kind === "audio only" ? "audio" : "video");
  media.muted = true;
  document.body.append(media);
  const playing = new Promise((done, failed) => {
    media.addEventListener("playing", done, { once: true });
    media.addEventListener("error", () => failed(new Error("media error")), { once: true });
  });
  if (kind === "240p" || kind === "automatic") {
    const hls = new window.Hls({ enableWorker: false, startLevel: 0, testBandwidth: false });
    if (kind === "240p") {
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
        hls.loadLevel = hls.levels.findIndex(level => level.height === 240);
      });
    }
    hls.loadSource(url);
    hls.attachMedia(media);
  } else {
    media.src = url;
  }
  media.play().catch(() => {});
  await playing;
  return [(performance.now() - started) / 1000, media.videoHeight || 0];
}"""


def _server(folder: Path, original: Path):
    app = Flask(__name__)

    @app.get("/")
    def page():
        return PAGE

    @app.get("/hls.mjs")
    def library():
        return send_file(HLS, mimetype="text/javascript")

    @app.get("/original")
    def original_file():
        return send_file(original, conditional=True)

    @app.get("/r/<path:name>")
    def rendition(name: str):
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            abort(404)
        return send_file(path, mimetype=TYPES[path.suffix], conditional=True)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _once(browser, base: str, kind: str, url: str) -> tuple[float, int]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_function("() => window.Hls !== undefined")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", LINK)
        seconds, height = page.evaluate(PLAY, [kind, url])
        return seconds, height
    finally:
        context.close()


def measure(folder: Path, original: Path) -> int:
    """Print the time to first frame of each way of playing one lesson; how many goals failed."""
    from playwright.sync_api import sync_playwright

    server = _server(folder, original)
    base = f"http://127.0.0.1:{server.server_port}"
    ways = {"original": "/original", "240p": "/r/master.m3u8", "automatic": "/r/master.m3u8",
            "audio only": "/r/audio.webm"}
    failed = 0
    print(f"  time to first frame at 400 kbit/s and 400 ms RTT (median of {RUNS}; hls.js is "
          f"{len(brotli.compress(HLS.read_bytes(), quality=11)) / 1000:.0f} KB as the server "
          f"sends it, once):")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for kind, path in ways.items():
                runs = [_once(browser, base, kind, base + path) for _ in range(RUNS)]
                seconds = statistics.median(t for t, _h in runs)
                height = runs[0][1]
                goal = GOALS_S.get(kind)
                mark = "" if goal is None else (
                    f"  (goal < {goal:g} s: {'met' if seconds < goal else 'NOT met'})")
                failed += goal is not None and seconds >= goal
                shown = f"{height} lines" if height else "no picture"
                print(f"    {kind:>10}: {seconds:5.2f} s ({shown}){mark}")
            browser.close()
    finally:
        server.shutdown()
    return failed
