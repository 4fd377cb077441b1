"""model_download: fetch an official Vosk model archive, verify it, unpack it to ``<dest>/<lang>``.

Used by ``flask --app accessible_learning models download LANG``; no Flask here.

What is checked before anything is installed:

* the HTTP answer is 200 and the body has exactly the advertised ``Content-Length``;
* the size, SHA-256 and MD5 match the catalogue's pins (for the official archives below) or the
  SHA-256 the caller pinned (``sha256=``);
* the file is a valid zip whose every member's CRC is right (``ZipFile.testzip``);
* the archive has exactly one top-level folder and no member could land outside it (no absolute
  paths, no ``..``, no backslashes, no symlinks or other special files);
* the unpacked folder is a Vosk model (``am/final.mdl`` and ``conf/model.conf``).

Atomic: the archive is downloaded to a hidden temporary file in ``dest``, unpacked into a hidden
temporary folder in ``dest``, and only then renamed to ``dest/<lang>``. An existing model is moved
aside (not deleted) until the new one is in place, and put back if that fails. On any failure
nothing is left behind: no partial folder, no temporary files.

Owns: the catalogue of pinned official model archives, downloading, verifying and unpacking.
Must not: import Flask or click (the CLI in ``accessible_learning.cli`` wraps it), choose which
installed model is used (``speech_models``), or hold language names (``languages``).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import languages
from .errors import MediaError
from .speech_models import _is_model

OFFICIAL_BASE_URL = "https://alphacephei.com/vosk/models/"
BASE_URL_ENV = "VOSK_MODEL_BASE_URL"  # a local mirror holding the same <name>.zip files
CHUNK = 1024 * 1024
TIMEOUT_SECONDS = 60
USER_AGENT = "accessible-learning model download"
MODEL_MARKERS = ("am/final.mdl", "conf/model.conf")
_LANGUAGE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# (stage, done, total): stage is "download", "verify" or "unpack"; total is None when unknown.
Progress = Callable[[str, int, int | None], None]


class DownloadError(MediaError):
    """The model could not be installed; the message says what went wrong and what to do."""


@dataclass(frozen=True)
class CatalogueEntry:
    language: str
    name: str  # the archive's name on the server and its top-level folder
    size: int | None = None  # bytes of the .zip
    sha256: str | None = None
    md5: str | None = None  # the checksum upstream publishes in its model-list.json

    def url(self, base_url: str | None = None) -> str:
        base = base_url or os.environ.get(BASE_URL_ENV) or OFFICIAL_BASE_URL
        return f"{base.rstrip('/')}/{self.name}.zip"


# Small models for the app's languages. Size and MD5 are the values of upstream's model list
# (https://alphacephei.com/vosk/models/model-list.json); the SHA-256 values are the ones recorded
# independently by several public projects that pin these archives. None were computed here.
CATALOGUE: dict[str, CatalogueEntry] = {
    "ko": CatalogueEntry(
        "ko", "vosk-model-small-ko-0.22", size=86_914_329,
        sha256="eea36124087fed26c59996a4761519458e3bd185e8ea9d9865ad8760c4a1d989",
        md5="fa8029a173787a159e0e72fe6135f890"),
    "zh": CatalogueEntry(
        "zh", "vosk-model-small-cn-0.22", size=43_898_754,
        sha256="3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
        md5="d1a8e82933dcc7632667c036b0bb3dbb"),
    "en": CatalogueEntry(
        "en", "vosk-model-small-en-us-0.15", size=41_205_931,
        sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
        md5="09ab50ccd62b674cbaa231b825f9c1cb"),
}


@dataclass(frozen=True)
class Source:
    """What to download and what it must match."""

    language: str
    url: str
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    pinned_by: str = "nothing"  # "catalogue", "caller" or "nothing"


@dataclass(frozen=True)
class Installed:
    language: str
    path: Path
    url: str
    size: int
    sha256: str
    pinned_by: str
    replaced: bool  # an earlier model at path was replaced


def known_languages() -> str:
    return ", ".join(f"{lang} ({languages.get(lang).name})" for lang in sorted(CATALOGUE))


def check_language(language: str) -> str:
    if not _LANGUAGE.match(language or ""):
        raise DownloadError(
            f"'{language}' is not a language code (lower-case letters, digits, '-' or '_', "
            f"e.g. ko). Known languages: {known_languages()}.")
    return language


def resolve_source(language: str, url: str | None = None, sha256: str | None = None,
                   base_url: str | None = None) -> Source:
    """The archive to fetch for ``language``.

    Without ``url`` and ``sha256`` the catalogue's URL (on ``base_url`` / ``$VOSK_MODEL_BASE_URL``
    if set, e.g. a local mirror) and its pinned size and checksums are used. A caller who passes
    another ``url`` or a ``sha256`` takes over: only their ``sha256`` (if any) is checked.
    """
    language = check_language(language)
    if sha256 is not None:
        sha256 = sha256.strip().lower()
        if not _SHA256.match(sha256):
            raise DownloadError(
                "The SHA-256 must be 64 hexadecimal characters, as printed by sha256sum.")
    entry = CATALOGUE.get(language)
    if url is None:
        if entry is None:
            raise DownloadError(
                f"There is no catalogued model for '{language}'. Known languages: "
                f"{known_languages()}. For another language, pass the archive's address "
                "with --url (and its checksum with --sha256).")
        url = entry.url(base_url)
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"Only http:// and https:// addresses can be downloaded, not '{url}' "
                            f"(check --url or ${BASE_URL_ENV}).")
    if entry is not None and sha256 is None and url == entry.url(base_url):
        return Source(language, url, entry.size, entry.sha256, entry.md5, "catalogue")
    return Source(language, url, sha256=sha256, pinned_by="caller" if sha256 else "nothing")


def download_model(language: str, dest: str | Path, *, url: str | None = None,
                   sha256: str | None = None, base_url: str | None = None,
                   progress: Progress | None = None,
                   timeout: float = TIMEOUT_SECONDS) -> Installed:
    """Download, verify and install the model for ``language`` at ``dest/<language>``."""
    source = resolve_source(language, url, sha256, base_url)
    dest = Path(dest).absolute()
    target = dest / source.language
    if dest.exists() and not dest.is_dir():
        raise DownloadError(f"{dest} is not a folder. Choose a models folder with --dest.")
    created = _missing_parents(dest)
    try:
        return _download(source, dest, target, progress, timeout)
    except BaseException:
        for folder in reversed(created):  # folders this call created, if still empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _download(source: Source, dest: Path, target: Path, progress: Progress | None,
              timeout: float) -> Installed:
    archive: Path | None = None
    unpack_dir: Path | None = None
    try:
        try:
            dest.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DownloadError(f"Cannot create the models folder {dest}: {exc.strerror}. "
                                "Choose another folder with --dest.") from exc
        if not os.access(dest, os.W_OK | os.X_OK):
            raise DownloadError(f"The models folder {dest} is not writable by this user. "
                                "Fix its permissions or choose another folder with --dest.")
        try:
            fd, name = tempfile.mkstemp(dir=dest, prefix=f".{source.language}-",
                                        suffix=".zip.part")
            archive = Path(name)
            with os.fdopen(fd, "wb") as out:
                size, digest = _fetch(source, out, dest, progress, timeout)
            _emit(progress, "verify", 0, None)
            top = _check_archive(archive, source, dest)
            unpack_dir = Path(tempfile.mkdtemp(dir=dest, prefix=f".{source.language}-unpack-"))
            _unpack(archive, unpack_dir, progress)
            model = unpack_dir / top
            if not _is_model(model):
                missing = " or ".join(MODEL_MARKERS)
                raise DownloadError(_not_a_model(source, f"{top} has no {missing}"))
            replaced = _install(model, target, dest)
        except OSError as exc:
            raise DownloadError(
                f"Could not write the model into {dest}: {exc}. Check the free space and the "
                "folder's permissions, then run the command again; nothing was installed."
            ) from exc
        return Installed(source.language, target, source.url, size, digest,
                         source.pinned_by, replaced)
    finally:
        if archive is not None:
            archive.unlink(missing_ok=True)
        if unpack_dir is not None:
            shutil.rmtree(unpack_dir, ignore_errors=True)


def _emit(progress: Progress | None, stage: str, done: int, total: int | None) -> None:
    if progress is not None:
        progress(stage, done, total)


def _missing_parents(path: Path) -> list[Path]:
    """The folders that mkdir(parents=True) would create, outermost first."""
    missing = []
    while not path.exists() and path.parent != path:
        missing.append(path)
        path = path.parent
    return list(reversed(missing))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _check_space(dest: Path, needed: int, what: str) -> None:
    free = shutil.disk_usage(dest).free
    if needed > free:
        raise DownloadError(
            f"Not enough free space in {dest} for {what}: it needs {_megabytes(needed)}, "
            f"{_megabytes(free)} are free. Free some space or choose another folder with --dest.")


def _fetch(source: Source, out, dest: Path, progress: Progress | None,
           timeout: float) -> tuple[int, str]:
    """Stream ``source.url`` into ``out``; check length and checksums. (size, sha256 hex)."""
    request = urllib.request.Request(source.url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    retry = "Run the command again; nothing was installed."
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (scheme checked)
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"The server answered {exc.code} {exc.reason} for {source.url}. Check the address "
            f"(--url, or the mirror in ${BASE_URL_ENV}) and try again.") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(
            f"Could not connect to download {source.url}: {reason}. Check the network connection "
            f"and proxy settings, or install from a local mirror with ${BASE_URL_ENV} or --url."
        ) from exc
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    done = 0
    with response:
        length_header = response.headers.get("Content-Length")
        try:
            advertised = int(length_header) if length_header is not None else None
        except ValueError:
            advertised = None
        if advertised is not None and source.size is not None and advertised != source.size:
            raise DownloadError(
                f"The server offers {advertised} bytes for {source.url}, but the official archive "
                f"has {source.size} bytes. This is not the expected file; check the mirror or "
                "pass the right --url and --sha256.")
        total = advertised if advertised is not None else source.size
        if total is not None:
            _check_space(dest, total, "the download")
        _emit(progress, "download", 0, total)
        try:
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                sha256.update(chunk)
                md5.update(chunk)
                done += len(chunk)
                _emit(progress, "download", done, total)
                if total is not None and done > total:
                    raise DownloadError(
                        f"The server sent more than the {total} bytes it announced for "
                        f"{source.url}. {retry}")
        except (OSError, http.client.HTTPException) as exc:
            raise DownloadError(
                f"The download of {source.url} broke off after {done} bytes ({exc}). {retry}"
            ) from exc
    if advertised is not None and done != advertised:
        raise DownloadError(
            f"The download of {source.url} is incomplete: {done} of {advertised} bytes arrived. "
            f"{retry}")
    if source.size is not None and done != source.size:
        raise DownloadError(
            f"The download of {source.url} has {done} bytes, but the official archive has "
            f"{source.size}. {retry}")
    digest = sha256.hexdigest()
    if source.sha256 is not None and digest != source.sha256:
        raise DownloadError(
            f"The SHA-256 of the download from {source.url} is {digest}, but {source.sha256} was "
            f"expected. The file is damaged or not the expected archive; nothing was installed. "
            "Run the command again; if it keeps failing, check the mirror or the pinned --sha256.")
    if source.md5 is not None and md5.hexdigest() != source.md5:
        raise DownloadError(
            f"The MD5 of the download from {source.url} is {md5.hexdigest()}, but {source.md5} "
            f"was expected. The file is damaged or not the expected archive. {retry}")
    return done, digest


def _refuse(source: Source, detail: str) -> DownloadError:
    return DownloadError(
        f"The archive from {source.url} was refused: {detail}. Nothing was installed. Use an "
        "official Vosk model archive (https://alphacephei.com/vosk/models).")


def _not_a_model(source: Source, detail: str) -> str:
    return (f"The archive from {source.url} is not a Vosk model: {detail}. Nothing was "
            "installed. Check that --url points to a Vosk model .zip (it must contain "
            "am/final.mdl and conf/model.conf).")


def _member_parts(info: zipfile.ZipInfo, source: Source) -> tuple[str, ...]:
    name = info.filename
    if not name or "\\" in name or "\x00" in name:
        raise _refuse(source, f"it has a member with an unsafe name {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name):
        raise _refuse(source, f"the member {name!r} has an absolute path")
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if ".." in parts:
        raise _refuse(source, f"the member {name!r} would be written outside the model folder")
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type, 0 when not recorded
    if info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        if kind == stat.S_IFLNK:
            raise _refuse(source, f"the member {name!r} is a symbolic link")
        raise _refuse(source, f"the member {name!r} is not a plain file or folder")
    if not parts:
        raise _refuse(source, f"it has a member with an empty name {name!r}")
    return parts


def _check_archive(archive: Path, source: Source, dest: Path) -> str:
    """The archive's single top-level folder, after every safety check."""
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise _refuse(source, f"the member {bad!r} is corrupt (CRC mismatch)")
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            NotImplementedError, RuntimeError) as exc:  # RuntimeError: encrypted member
        raise DownloadError(
            f"The download from {source.url} is not a valid zip archive ({exc}). It may be "
            "damaged or the address may point to something else (an HTML page?). Run the "
            "command again, or check --url; nothing was installed.") from exc
    if not infos:
        raise _refuse(source, "it is empty")
    tops: set[str] = set()
    files: set[tuple[str, ...]] = set()
    unpacked = 0
    for info in infos:
        parts = _member_parts(info, source)
        tops.add(parts[0])
        if not info.is_dir():
            if len(parts) == 1:
                raise _refuse(source, f"the file {info.filename!r} is outside a model folder")
            files.add(parts)
            unpacked += info.file_size
    if len(tops) != 1:
        shown = ", ".join(sorted(tops)[:5])
        raise _refuse(source, f"it must hold exactly one top-level folder, not {len(tops)} "
                              f"({shown})")
    top = tops.pop()
    for marker in MODEL_MARKERS:
        if (top, *marker.split("/")) not in files:
            raise DownloadError(_not_a_model(source, f"{top}/{marker} is missing"))
    _check_space(dest, unpacked, "unpacking the model")
    return top


def _unpack(archive: Path, into: Path, progress: Progress | None) -> None:
    root = into.resolve()
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        done = 0
        _emit(progress, "unpack", 0, total)
        for info in infos:
            target = (root / info.filename).resolve()
            if root not in target.parents:  # already refused in _check_archive; belt and braces
                raise DownloadError(f"Refusing to unpack {info.filename!r} outside {root}.")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            done += info.file_size
            _emit(progress, "unpack", done, total)


def _install(model: Path, target: Path, dest: Path) -> bool:
    """Rename ``model`` to ``target``; an existing target is kept aside until that worked."""
    if not target.exists() and not target.is_symlink():
        os.rename(model, target)
        return False
    backup = Path(tempfile.mkdtemp(dir=dest, prefix=f".{target.name}-old-"))
    aside = backup / "model"
    os.rename(target, aside)
    try:
        os.rename(model, target)
    except BaseException:
        os.rename(aside, target)
        shutil.rmtree(backup, ignore_errors=True)
        raise
    if aside.is_symlink() or aside.is_file():
        aside.unlink()
    shutil.rmtree(backup, ignore_errors=True)
    return True
