"""``flask --app accessible_learning …`` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from media_pipeline import model_download, voice
from media_pipeline import models as model_registry
from media_pipeline.describe import describe, read_descriptions
from media_pipeline.errors import MediaError
from media_pipeline.pipeline import caption, caption_many
from media_pipeline.words import Word
from media_pipeline.write import atomic_write

from .services import demo

media_cli = AppGroup("media", help="Run the media pipeline from the command line.")
models_cli = AppGroup("models", help="Speech recognition models.")
voice_cli = AppGroup("voice", help="Spoken player commands (voice navigation).")


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
@click.option("--script", "script_path", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path),
              help="The lesson script: captions carry its text, timed by recognition.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes for recognition (default: the number of cores).")
def caption_command(source, language, output, srt, json_path, transcript, script_path, jobs):
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
        script = script_path.read_text(encoding="utf-8") if script_path else None
        result = caption(source, language, script=script, jobs=jobs, progress=progress,
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
    if result.missing_words:
        click.echo("Script words the model cannot recognise (timed from their neighbours): "
                   + ", ".join(result.missing_words))
    for item in result.report:
        click.echo(f"cue {item.cue_index + 1}: {item.rule}: {item.detail}")
    click.echo(result.summary())


@media_cli.command("caption-batch")
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
                                           configured_models=current_app.config.get(
                                               "VOSK_MODELS")):
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
    for path in (result.described, result.extended, result.vtt):
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
    name = model_registry.KNOWN_LANGUAGES.get(source.language, source.language)
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
    if language not in voice.PHRASES:
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
              help=f"Confidence needed to answer with a command (default "
                   f"{voice.DEFAULT_THRESHOLD}); below it the answer is none.")
def voice_recognise_command(source: Path, language: str, threshold: float | None) -> None:
    """Recognise the spoken command in SOURCE (a WAV file of at most 10 s) and print it as JSON:
    {"command", "args", "text", "confidence"}."""
    language = _voice_language(language)
    model = _voice_model(language)
    try:
        pcm = voice.read_wav_pcm(source)
        result = voice.recogniser(model, language).recognise_pcm(pcm, threshold=threshold)
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
    """Check that the installed model can spell every command phrase (exit 1 when not)."""
    language = _voice_language(language)
    model = _voice_model(language)
    try:
        missing = voice.check_phrases(language, model)
    except MediaError as exc:
        raise click.ClickException(str(exc)) from exc
    count = len(voice.phrases(language))
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

    @app.cli.command("demo-learners")
    @click.argument("count", type=click.IntRange(1, 1_000_000))
    def demo_learners_command(count: int) -> None:
        """Add COUNT learners enrolled in the demo courses, to try the server at scale."""
        first, last = demo.add_learners(count)
        click.echo(f"Added {count:,} learners, learner{first:05d}@{demo.SCALE_DOMAIN} to "
                   f"learner{last:05d}@{demo.SCALE_DOMAIN}. Nobody knows their password: "
                   "an administrator makes a reset link for one on Administration › Users.")
