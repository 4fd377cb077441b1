"""Our scripts and styles sent as small as they compress (issue 29: a page and what it loads
under 50 KB on the wire before media, for learners on 2G-like links).

Flask-Compress compresses each response as it goes, at a level fast enough for pages made per
request. Static files never change while the server runs, so this module makes each script and
style sheet as small as it goes once: our own (not the vendored ``.min.`` files) without their
comments and spaces (rjsmin, rcssmin: the files in the repository keep them), then compressed
at the strongest levels (Brotli 11, gzip 9). The result is kept in memory and in the instance
folder (``compressed/``, by the file's content hash, so every process and restart shares it),
and sent with its own strong ETag; a browser that accepts neither gets the file as it is. It
must not touch media, nor pages (they change per request).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
import threading
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Flask, request
from werkzeug.security import safe_join

SUFFIXES = (".js", ".mjs", ".css")
# Strongest first: what a browser that accepts it gets.
ENCODINGS = {
    "br": lambda data: brotli.compress(data, quality=11),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}

VERSION = "1"  # of what is done to a file before it is compressed: part of the stored name

_memory: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def _digest(path: Path) -> tuple[str, bytes]:
    """The file's content hash and bytes."""
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), data


def minified(name: str, data: bytes) -> bytes:
    """Our script or style sheet without comments and spaces; a vendored file as it is."""
    if ".min." in name:
        return data
    text = data.decode("utf-8")
    small = rcssmin.cssmin(text) if name.endswith(".css") else rjsmin.jsmin(text)
    return small.encode("utf-8")


def _compressed(folder: Path, name: str, digest: str, data: bytes, encoding: str) -> bytes:
    key = (digest, encoding)
    found = _memory.get(key)
    if found is not None:
        return found
    path = folder / f"{digest}-v{VERSION}.{encoding}"
    try:
        found = path.read_bytes()
    except OSError:
        found = ENCODINGS[encoding](minified(name, data))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
                handle.write(found)
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only instance folder: kept in memory only
    with _lock:
        _memory[key] = found
    return found


def _accepted() -> str | None:
    for encoding in ENCODINGS:
        if request.accept_encodings[encoding] > 0:
            return encoding
    return None


def init_app(app: Flask) -> None:
    view = app.view_functions["static"]
    folder = Path(app.instance_path) / "compressed"

    @functools.wraps(view)
    def static(filename: str):
        response = view(filename=filename)
        encoding = _accepted()
        if (response.status_code != 200 or encoding is None or "Range" in request.headers
                or not filename.endswith(SUFFIXES)):
            return response
        path = safe_join(app.static_folder, filename)
        if path is None:
            return response
        digest, data = _digest(Path(path))
        body = _compressed(folder, filename, digest, data, encoding)
        response.close()  # the file it was going to stream
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{digest[:32]}-v{VERSION}-{encoding}")
        return response.make_conditional(request)

    app.view_functions["static"] = static


__all__ = ["init_app", "minified"]
