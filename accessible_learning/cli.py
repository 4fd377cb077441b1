"""``flask --app accessible_learning …`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from media_pipeline import models as model_registry
from media_pipeline.errors import MediaError
from media_pipeline.pipeline import caption
from media_pipeline.write import atomic_write

from .services import demo

media_cli = AppGroup("media", help="Run the media pipeline from the command line.")
models_cli = AppGroup("models", help="Speech recognition models.")


@media_cli.command("caption")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "language", required=True, help="Language of the speech, e.g. ko.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the WebVTT captions.")
@click.option("--srt", type=click.Path(dir_okay=False, path_type=Path), help="Also write SRT.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write JSON with every word's start, end and confidence.")
@click.option("--transcript", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a plain-text transcript.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes for recognition (default: the number of cores).")
def caption_command(source, language, output, srt, json_path, transcript, jobs):
    """Caption SOURCE (a video or audio file) with offline speech recognition."""
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
        result = caption(source, language, jobs=jobs, progress=progress,
                         configured_models=current_app.config.get("VOSK_MODELS"))
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
    for item in result.report:
        click.echo(f"cue {item.cue_index + 1}: {item.rule}: {item.detail}")
    click.echo(result.summary())


@models_cli.command("list")
def list_models():
    """Show the installed speech recognition models."""
    found = model_registry.installed(current_app.config.get("VOSK_MODELS"))
    if not found:
        click.echo("No speech recognition model is installed. Install one with: "
                   "flask --app accessible_learning models download LANG")
        return
    for info in found:
        name = model_registry.KNOWN_LANGUAGES.get(info.language, info.language)
        click.echo(f"{info.language}\t{name}\t{info.source}\t{info.path}")


def register_cli(app) -> None:
    app.cli.add_command(media_cli)
    app.cli.add_command(models_cli)

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when the database has no users.")
    def demo_command(if_empty: bool) -> None:
        """Create the demo users (one per role) and the demo courses."""
        if if_empty and demo.is_seeded():
            click.echo("The database already has users; the demo was not added again.")
            return
        click.echo("Demo logins:")
        demo.seed(log=click.echo)
        click.echo("The demo is ready.")
