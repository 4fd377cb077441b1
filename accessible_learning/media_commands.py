"""``flask --app accessible_learning media …``: the media pipeline from the command line.

This module imports no more than the commands need (click, Flask's CLI helpers and the
pipeline), and it is also installed as a Flask plugin command (``flask.commands`` in
pyproject.toml), which Flask finds without loading the application. ``media caption`` needs
nothing from the application but the model settings, so it never builds it (about 0.6 s of
imports and set-up): it starts loading the speech model at once and probes and extracts the
sound meanwhile. ``caption-batch`` does not build it either; ``describe`` does (it keeps its
speech cache in the instance folder). ``caption`` and ``caption-batch`` first start themselves
again on jemalloc, which decodes faster (``allocator``). ``register_cli`` also adds the group to the
application's own commands, for ``app.test_cli_runner()`` and an installation without the
entry point.
"""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from media_pipeline import speech_models as model_registry
from media_pipeline.describe import describe, read_descriptions
from media_pipeline.errors import MediaError
from media_pipeline.pipeline import caption, caption_many
from media_pipeline.recognise import prepare
from media_pipeline.words import Word
from media_pipeline.write import atomic_write

from .allocator import restart_with_jemalloc
from .config import vosk_models

media_cli = AppGroup("media", help="Run the media pipeline from the command line.")


def _start_loading_model(language: str, jobs: int | None, script: bool) -> None:
    """Start loading the model for ``language`` while the command reads and probes its input.
    When no model is found, nothing starts: ``caption`` reports it with the command that fixes
    it."""
    try:
        model = model_registry.find_model(language, _configured_models())
    except MediaError:
        return
    prepare(model.path, jobs or os.cpu_count() or 1, free=not script)


@functools.cache
def _leave_memory_to_exit() -> None:
    """At exit, skip the garbage collector's passes over every object the process made: its
    memory goes back to the system as a whole. Measured at the end of ``media caption``
    on the benchmark lecture: 0.12 s from the command's end to the process's end, against 0.30 s
    (with ``media_pipeline.speech_models`` leaving the model unfreed as well)."""
    atexit.register(gc.freeze)


def _configured_models() -> dict[str, str]:
    """The model settings: the application's when its context is pushed (``app.cli`` in
    tests), else read from the environment as the application reads them. ``caption`` and
    ``caption-batch`` need nothing else from the application, so they do not build it:
    measured, building it while the model loaded on the other core slowed the load from 1.04 s
    to 1.27 s."""
    return current_app.config.get("VOSK_MODELS") if current_app else vosk_models()


@media_cli.command("caption", with_appcontext=False)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "language", required=True, help="Language of the speech, e.g. ko.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the WebVTT captions.")
@click.option("--srt", type=click.Path(dir_okay=False, path_type=Path), help="Also write SRT.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write JSON with every word's start, end and confidence.")
@click.option("--transcript", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a plain-text transcript.")
@click.option("--script", "script_path", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path),
              help="The lesson script: captions carry its text, timed by recognition.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes for recognition (default: the number of cores).")
def caption_command(source, language, output, srt, json_path, transcript, script_path, jobs):
    """Caption SOURCE (a video or audio file) with offline speech recognition."""
    restart_with_jemalloc()
    script = script_path.read_text(encoding="utf-8") if script_path else None
    _start_loading_model(language, jobs, bool(script and script.strip()))
    _leave_memory_to_exit()
    interactive = sys.stdout.isatty()
    bar = click.progressbar(length=1000, label="Captioning", show_percent=True) \
        if interactive else None
    last_stage = {"name": None, "done": 0}

    def progress(stage: str, fraction: float) -> None:
        if bar is not None:
            target = int(fraction * 1000)
            bar.label = f"Captioning: {stage}"
            bar.update(max(0, target - last_stage["done"]))
            last_stage["done"] = max(last_stage["done"], target)
        elif stage != last_stage["name"]:
            click.echo(f"{stage}…")
        last_stage["name"] = stage

    try:
        if bar is not None:
            bar.__enter__()
        result = caption(source, language, script=script, jobs=jobs, progress=progress,
                         configured_models=_configured_models())
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    atomic_write(output, result.vtt)
    for path, text in ((srt, result.srt), (json_path, result.json),
                       (transcript, result.transcript)):
        if path:
            atomic_write(path, text)
    if result.missing_words:
        click.echo("Script words the model cannot recognise (timed from their neighbours): "
                   + ", ".join(result.missing_words))
    for item in result.report:
        click.echo(f"cue {item.cue_index + 1}: {item.rule}: {item.detail}")
    click.echo(result.summary())


@media_cli.command("caption-batch", with_appcontext=False)
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "language", required=True, help="Language of the speech, e.g. ko.")
@click.option("--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for NAME.vtt (and NAME.srt, NAME.json, NAME.txt) of each NAME.mp4.")
@click.option("--srt", is_flag=True, help="Also write SRT.")
@click.option("--json", "json_words", is_flag=True,
              help="Also write JSON with every word's start, end and confidence.")
@click.option("--transcript", is_flag=True, help="Also write a plain-text transcript.")
@click.option("--scripts-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of lesson scripts: NAME.txt, where present, is the script of NAME.mp4.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes, each captioning one file at a time (default: the number of "
                   "cores).")
def caption_batch_command(sources, language, output_dir, srt, json_words, transcript,
                          scripts_dir, jobs):
    """Caption every SOURCE, several at a time, with the model loaded once per process. A file
    that cannot be captioned is reported and the others go on; the exit status is then 1."""
    restart_with_jemalloc()
    _leave_memory_to_exit()
    names: dict[str, Path] = {}
    for source in sources:
        if source.stem in names:
            raise click.ClickException(
                f"{names[source.stem]} and {source} would both be captioned as "
                f"{source.stem}.vtt; rename one of them or caption them separately.")
        names[source.stem] = source
    output_dir.mkdir(parents=True, exist_ok=True)
    scripts = {}
    for source in sources:
        script = scripts_dir / f"{source.stem}.txt" if scripts_dir else None
        if script is not None and script.is_file():
            scripts[source] = script.read_text(encoding="utf-8")
    outputs = [(".vtt", "vtt", True), (".srt", "srt", srt), (".json", "json", json_words),
               (".txt", "transcript", transcript)]
    done = failed = 0
    try:
        for source, result in caption_many(list(sources), language, scripts=scripts, jobs=jobs,
                                           configured_models=_configured_models()):
            if isinstance(result, MediaError):
                failed += 1
                click.echo(f"{source}: not captioned: {result}", err=True)
                continue
            for suffix, attribute, wanted in outputs:
                if wanted:
                    atomic_write(output_dir / f"{source.stem}{suffix}", getattr(result, attribute))
            done += 1
            click.echo(f"{source}: {result.summary()}")
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{done} captioned, {failed} not captioned; captions in {output_dir}")
    if failed:
        sys.exit(1)


@media_cli.command("describe")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--descriptions", "descriptions_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="WebVTT (kind descriptions) or SRT file: each cue's start is where the thing "
                   "it describes is shown.")
@click.option("--lang", "language", required=True, help="Language of the lesson, e.g. ko.")
@click.option("--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for described.webm (or .ogg), extended.webm and descriptions.vtt.")
@click.option("--words", "words_path", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="The word timings from `media caption --json`; without it the speech is "
                   "recognised again to find the gaps.")
@click.option("--rate", type=click.IntRange(80, 400), default=175, show_default=True,
              help="Speaking rate of the descriptions, in words a minute.")
@click.option("--window", type=click.FloatRange(0, 120), default=10.0, show_default=True,
              help="How many seconds after its anchor a description may start.")
@click.option("--max-speedup", type=click.FloatRange(1.0, 2.0), default=1.25, show_default=True,
              help="How much faster than its natural rate a description may be spoken to fit.")
@click.option("--duck-db", type=click.FloatRange(-40, 0), default=-12.0, show_default=True,
              help="How far the programme audio is lowered under a description.")
def describe_command(source, descriptions_path, language, output_dir, words_path, rate, window,
                     max_speedup, duck_db):
    """Add audio description to SOURCE: place the descriptions in the speech gaps, speak them
    and mix them in."""
    try:
        if not descriptions_path.is_file():
            raise MediaError(f"The descriptions file {descriptions_path} does not exist.")
        descriptions = read_descriptions(descriptions_path.read_bytes(), descriptions_path.name)
        words = _read_words(words_path) if words_path else None
        result = describe(source, descriptions, language, output_dir, words=words, rate=rate,
                          window=window, max_speedup=max_speedup, depth_db=duck_db,
                          cache_dir=Path(current_app.instance_path) / "speech-cache",
                          configured_models=current_app.config.get("VOSK_MODELS"),
                          progress=lambda stage: click.echo(f"{stage}…"))
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in result.report():
        click.echo(line)
    for path in (result.described, result.extended, result.vtt, result.stem):
        if path is not None:
            click.echo(f"wrote {path}")
    if result.extended is None:
        click.echo("No description needed the video to pause, so there is no extended version.")
    click.echo(result.summary())


def _read_words(path: Path) -> list[Word]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("conf", 1)))
                for w in data["words"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise MediaError(f"{path.name} is not a word-timing file from `media caption --json`: "
                         f"{exc}") from exc
