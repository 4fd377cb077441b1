"""``flask --app accessible_learning …`` commands.

Commands call services; they must not hold logic of their own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from media_pipeline import languages, model_download, voice
from media_pipeline import speech_models as model_registry
from media_pipeline.errors import MediaError

from . import jobs
from .extensions import db
from .media_commands import media_cli
from .services import demo, renditions

models_cli = AppGroup("models", help="Speech recognition models.")
voice_cli = AppGroup("voice", help="Spoken player commands (voice navigation).")


@models_cli.command("list")
def list_models():
    """Show the installed speech recognition models."""
    found = model_registry.installed(current_app.config.get("VOSK_MODELS"))
    if not found:
        click.echo("No speech recognition model is installed. Install one with: "
                   "flask --app accessible_learning models download LANG")
        return
    for info in found:
        name = languages.get(info.language).name
        click.echo(f"{info.language}\t{name}\t{info.source}\t{info.path}")


class _DownloadProgress:
    """A click progress bar on a terminal, otherwise a few plain lines."""

    LABELS = {"download": "Downloading", "verify": "Verifying", "unpack": "Unpacking"}
    STEP = 50_000_000

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.stage: str | None = None
        self.bar = None
        self.shown = 0
        self.next_mark = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.shown = stage, 0
            self.next_mark = 25 if total else self.STEP
            label = self.LABELS.get(stage, stage)
            if self.interactive and total:
                self.bar = click.progressbar(length=total, label=label, show_percent=True,
                                             show_pos=False)
                self.bar.__enter__()
            elif stage == "download" and total:
                click.echo(f"{label} {total / 1_000_000:.1f} MB…")
            else:
                click.echo(f"{label}…")
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done
        elif stage == "download":
            if total:  # a line at 25, 50, 75 and 100 %
                percent = done * 100 // total
                if percent >= self.next_mark:
                    click.echo(f"  {percent}%")
                    self.next_mark = (percent // 25 + 1) * 25
            elif done >= self.next_mark:  # size unknown: a line every 50 MB
                click.echo(f"  {done / 1_000_000:.0f} MB")
                self.next_mark = (done // self.STEP + 1) * self.STEP

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@models_cli.command("download")
@click.argument("language")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Models folder; the model is installed at DEST/LANGUAGE "
                   "(default: $VOSK_MODELS_DIR, else models/ in the instance folder).")
@click.option("--url", help="Download this Vosk model .zip instead of the catalogued one.")
@click.option("--sha256", help="Expected SHA-256 of the archive (pins it; replaces the "
                               "catalogued size and checksums).")
def download_model_command(language: str, dest: Path | None, url: str | None,
                           sha256: str | None) -> None:
    """Download, verify and install the speech recognition model for LANGUAGE (e.g. ko).

    Catalogued languages are downloaded from https://alphacephei.com/vosk/models/ and checked
    against pinned sizes and checksums; set VOSK_MODEL_BASE_URL to use a local mirror instead.
    """
    language = language.strip().lower()
    env_dir = model_registry.default_models_dir()
    dest = Path(dest or env_dir or Path(current_app.instance_path) / "models").absolute()
    try:
        source = model_download.resolve_source(language, url, sha256)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    name = languages.get(source.language).name
    click.echo(f"Installing the {name} ({source.language}) model from {source.url}")
    click.echo(f"into {dest / source.language}")
    progress = _DownloadProgress(sys.stdout.isatty())
    try:
        result = model_download.download_model(language, dest, url=url, sha256=sha256,
                                                progress=progress)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
    click.echo(f"Installed the {name} ({result.language}) model at {result.path}"
               + (", replacing the previous one." if result.replaced else "."))
    click.echo(f"SHA-256 {result.sha256} ({result.size} bytes), "
               + {"catalogue": "matches the pinned checksum.",
                  "caller": "matches --sha256.",
                  "nothing": f"not pinned: pass --sha256 {result.sha256} to pin it."}
               [result.pinned_by])
    if env_dir is None or env_dir.absolute() != dest:
        click.echo(f"Set VOSK_MODELS_DIR={dest} for the app and its worker so they find it "
                   f"(or VOSK_MODEL_{result.language.upper()}={result.path}).")
    try:
        used = model_registry.find_model(result.language, current_app.config.get("VOSK_MODELS"),
                                         models_dir=dest)
    except model_registry.ModelNotFound:
        used = None
    if used is not None and used.path.absolute() != result.path.absolute():
        click.echo(f"Note: the model from {used.source} at {used.path} comes first and is used "
                   "instead; remove that setting to use the new model.")


def _voice_language(language: str) -> str:
    language = language.strip().lower()
    if not voice.phrases(language):
        raise click.ClickException(
            f"There are no voice commands for {language!r}; languages: "
            + ", ".join(voice.languages()) + ".")
    return language


def _voice_model(language: str) -> str:
    try:
        return str(model_registry.find_model(language,
                                             current_app.config.get("VOSK_MODELS")).path)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc


@voice_cli.command("recognise")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "language", required=True, help="Language of the command, e.g. ko.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help=f"Confidence needed to act on a command (default {voice.DEFAULT_THRESHOLD}).")
@click.option("--ask-threshold", type=click.FloatRange(0, 1), default=None,
              help=f"Confidence needed to ask the learner whether it is the command (default "
                   f"{voice.DEFAULT_ASK_THRESHOLD}); below it the answer is none.")
@click.option("--unconfirmed", type=click.Choice([voice.ASK, voice.REFUSE, voice.OFF]),
              default=voice.ASK, show_default=True,
              help="A command that the second decoding with the language's common words does "
                   "not confirm is asked about (ask), refused when it would have been asked "
                   "about (refuse, the careful sensitivity), or not checked (off).")
def voice_recognise_command(source: Path, language: str, threshold: float | None,
                            ask_threshold: float | None, unconfirmed: str) -> None:
    """Recognise the spoken command in SOURCE (a WAV file of at most 10 s) and print it as JSON:
    {"command", "args", "text", "confidence", "decision"}; the decision is "act", "ask" (the
    player asks first) or "none"."""
    language = _voice_language(language)
    model = _voice_model(language)
    try:
        pcm = voice.read_wav_pcm(source)
        result = voice.recogniser(model, language).recognise_pcm(
            pcm, threshold=threshold, ask_threshold=ask_threshold, unconfirmed=unconfirmed)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False))


@voice_cli.command("phrases")
@click.option("--lang", "language", required=True, help="Language, e.g. ko.")
def voice_phrases_command(language: str) -> None:
    """List the command phrases of a language: phrase, command and arguments (JSON)."""
    for phrase in voice.phrases(_voice_language(language)):
        click.echo(f"{phrase.text}\t{phrase.command}\t{json.dumps(phrase.args)}")


@voice_cli.command("check")
@click.option("--lang", "language", required=True, help="Language, e.g. ko.")
def voice_check_command(language: str) -> None:
    """Check that the installed model can spell every command phrase (exit 1 when not), and
    list the phrases of different commands that sound almost alike."""
    language = _voice_language(language)
    model = _voice_model(language)
    try:
        missing = voice.check_phrases(language, model)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    count = len(voice.phrases(language))
    pairs = voice.confusable_pairs(language)
    if pairs:
        click.echo(f"{len(pairs)} pairs of phrases that do different things differ in at most "
                   f"{voice.CONFUSABLE} sounds; the player asks rather than acts when it hears "
                   "one of them unsure:")
        for a, b in pairs:
            click.echo(f"  {a.text} ({a.command}) / {b.text} ({b.command})")
    if missing:
        click.echo(f"{len(missing)} of {count} phrases have words missing from the model's "
                   f"vocabulary (phrase (word)):")
        for item in missing:
            click.echo(f"  {item}")
        sys.exit(1)
    click.echo(f"All {count} {language} command phrases are in the vocabulary of {model}.")


def register_cli(app) -> None:
    app.cli.add_command(media_cli)
    app.cli.add_command(models_cli)
    app.cli.add_command(voice_cli)
    register_import_command(app)

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

    @app.cli.command("renditions")
    @click.option("--queue", "queue_them", is_flag=True,
                  help="Queue a job per file for the worker instead of making them here.")
    def renditions_command(queue_them: bool) -> None:
        """Make the smaller versions (480p, 360p, 240p and audio only) of lesson media that
        lacks them: media uploaded before they existed, or the demo's."""
        todo = renditions.missing()
        for asset in todo:
            if queue_them:
                jobs.enqueue_renditions(asset)
                continue
            made = renditions.make(asset)
            db.session.commit()
            click.echo(f"{asset.original_name or asset.filename}: "
                       f"{', '.join(v['name'] for v in made.variants) or 'no picture'}"
                       f"{' and audio only' if made.audio_bytes else ''}, "
                       f"{made.total_bytes / 1e6:.1f} MB in {made.seconds:.1f} s.")
        what = "queued for the worker" if queue_them else "made"
        click.echo(f"Smaller versions of {len(todo)} media file(s) {what}.")

    @app.cli.command("demo-learners")
    @click.argument("count", type=click.IntRange(1, 1_000_000))
    def demo_learners_command(count: int) -> None:
        """Add COUNT learners enrolled in the demo courses, to try the server at scale."""
        first, last = demo.add_learners(count)
        click.echo(f"Added {count:,} learners, learner{first:05d}@{demo.SCALE_DOMAIN} to "
                   f"learner{last:05d}@{demo.SCALE_DOMAIN}. Nobody knows their password: "
                   "an administrator makes a reset link for one on Administration › Users.")


def register_import_command(app) -> None:
    @app.cli.command("import-learners")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--links", "links_path", required=True,
                  type=click.Path(dir_okay=False, writable=True, path_type=Path),
                  help="Where to write the new accounts' set-password links (CSV; it must not "
                       "exist yet). Hand each person their own link.")
    @click.option("--base-url", default="http://localhost:5000", show_default=True,
                  help="The server's address, as learners open it, for the links.")
    def import_learners_command(source: Path, links_path: Path, base_url: str) -> None:
        """Import learners from a CSV file (name, email, organisation, courses): every row, or
        none when a row is wrong (each wrong row is listed with its line number)."""
        from .services import bulk_import

        if links_path.exists():
            raise click.UsageError(f"{links_path} exists already; choose a new file for the "
                                   "links, so that no earlier list is overwritten.")
        rows, problems = bulk_import.read(source.read_bytes())
        report = bulk_import.Report(problems=problems)
        if not problems:
            with click.progressbar(length=len(rows), label="Importing learners") as bar:
                report = bulk_import.run(rows, None, progress=bar.update)
        if not report.imported:
            for problem in report.problems:
                click.echo(f"line {problem.line}: {problem.message}", err=True)
            raise click.ClickException(f"Nothing was imported: {len(report.problems)} "
                                       "line(s) to correct, listed above.")
        base = base_url.rstrip("/")
        with links_path.open("x", encoding="utf-8", newline="") as out:
            out.write(bulk_import.links_csv(report, lambda token: f"{base}/reset-password/{token}"))
        click.echo(f"Imported {report.rows:,} rows: {len(report.created):,} new accounts, "
                   f"{report.existing:,} already had one, {report.enrolments:,} enrolments, "
                   f"{len(report.organisations_made)} organisations made. The set-password "
                   f"links are in {links_path}.")
