"""nginx for the live ingest: whether it can run here, and its generated configuration.

nginx (Debian's ``nginx`` with ``libnginx-mod-rtmp``) accepts RTMP on ``RTMP_PORT`` (OBS:
``rtmp://host:1935/live``, the class's stream key as the key). Before a stream is accepted it
asks the web app (``on_publish``), which accepts only the key of a class whose time it is; it
tells the app when the stream ends and when the recording is written. It writes HLS with one
folder a key (``hls_nested``: segment names carry no key), which the web app serves to whoever
may see the class, and records each stream as FLV. Only this machine may play the RTMP stream
(the captioner does).

It must not import the application (the launcher asks it whether live classes can run) nor
start anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
HLS_FRAGMENT_S = 1  # a segment per keyframe interval, at least this long
HLS_WINDOW_S = 120  # the live window a viewer can go back in


def available() -> str | None:
    """Why live classes cannot run here, or None when nginx and its RTMP module are there."""
    if shutil.which("nginx") is None or not MODULE.is_file():
        return ("Live classes need nginx with its RTMP module: sudo apt-get install nginx "
                "libnginx-mod-rtmp (make run installs them).")
    return None


def config_text(live_root: Path, port: int, web_url: str, as_root: bool) -> str:
    """nginx.conf for the ingest. ``web_url``: the web app, for the ingest's questions."""
    hls, recordings = live_root / "hls", live_root / "recordings"
    return "\n".join([
        f"load_module {MODULE};",
        "daemon off;",
        "worker_processes 1;",  # the RTMP module keeps its streams in one worker
        *(["user root;"] if as_root else []),
        f"pid {live_root / 'nginx' / 'nginx.pid'};",
        "error_log stderr warn;",
        "events { worker_connections 1024; }",
        "rtmp {",
        "  server {",
        f"    listen {port};",
        "    chunk_size 4096;",
        "    application live {",
        "      live on;",
        "      allow play 127.0.0.1;",
        "      deny play all;",
        f"      on_publish {web_url}/live/ingest/publish;",
        f"      on_publish_done {web_url}/live/ingest/publish-done;",
        f"      on_record_done {web_url}/live/ingest/recorded;",
        "      notify_method post;",
        "      hls on;",
        f"      hls_path {hls};",
        "      hls_nested on;",
        f"      hls_fragment {HLS_FRAGMENT_S}s;",
        f"      hls_playlist_length {HLS_WINDOW_S}s;",
        "      record all;",
        f"      record_path {recordings};",
        "      record_unique on;",
        "    }",
        "  }",
        "}",
        "",
    ])


def recording_started(path: Path, key: str) -> int | None:
    """When nginx began a recording of the stream ``key`` (a Unix time, to the second), from its
    name: ``record_unique`` names it ``<key>-<Unix time>.flv``. None for another stream's."""
    stamp = path.stem[len(key) + 1:] if path.stem.startswith(f"{key}-") else ""
    return int(stamp) if stamp.isdigit() and path.suffix == ".flv" else None


def write_config(live_root: Path, port: int, web_url: str) -> Path:
    for folder in ("hls", "recordings", "nginx", "events"):
        (live_root / folder).mkdir(parents=True, exist_ok=True)
    conf = live_root / "nginx" / "nginx.conf"
    conf.write_text(config_text(live_root, port, web_url, os.geteuid() == 0), encoding="utf-8")
    return conf


def start_nginx(conf: Path) -> subprocess.Popen:
    return subprocess.Popen(["nginx", "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"])
