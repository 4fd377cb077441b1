"""One live class's captioner, a process of its own: ``python -m accessible_learning.live.captioner
<class id>``, started by the ingest's supervisor while the class may stream (from before its
time): it loads the model, then waits for the stream.

It reads the recording nginx is writing of the class's stream with ffmpeg, following the file as
it grows (sound only, 16 kHz mono PCM, as it arrives), and feeds it to
``media_pipeline.live.LiveCaptioner``. The recording holds the stream from its first packet, so
nothing is lost while this process starts (playing the RTMP stream instead began where the
stream was when ffmpeg had connected, 2 to 3 s in: the first words of the class, and of every
reconnection, were never captioned). It publishes every event on the bus (numbered, with the
wall-clock time it was sent), keeps each closed cue in the database (for viewers who join late,
and the captions file) and writes it into the class's HLS stream as a subtitle playlist
(``hls_subtitles``). It ends when the recording stops growing for ``END_AFTER_S`` (the stream
ended), and marks the recording captioned. Started again for a recording not marked (it was
stopped), it goes on after the last caption kept. It must not decide who sees the captions nor
serve anything.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

from media_pipeline import languages, speech_models
from media_pipeline.live import BYTES_PER_S, LiveCaptioner
from media_pipeline.processes import die_with_parent

from ..extensions import db
from ..factory import create_app
from ..models import LiveClass
from ..services import live
from .bus import bus_for
from .hls_subtitles import SEGMENT_S, SubtitleTrack
from .nginx import recording_started

READ_BYTES = 1600  # 50 ms of sound: the captioner's step
END_AFTER_S = 3  # the recording did not grow for this long: the stream has ended
WAIT_STEP_S = 0.1  # how often the class and its recording are looked for
STILL_S = 0.3  # nothing came for this long: is the stream still coming?


def recording_of(folder: Path, key: str, since: float) -> Path | None:
    """The recording nginx began for the stream published at ``since`` (a Unix time): the
    newest ``<key>-<Unix time>.flv`` (``record_unique``) begun then or after (to the second)."""
    found = []
    for path in folder.glob(f"{key}-*.flv") if folder.is_dir() else ():
        stamp = recording_started(path, key)
        if stamp is not None and stamp >= int(since) - 1:
            found.append((stamp, path))
    return max(found)[1] if found else None


def follow_command(path: Path) -> list[str]:
    """ffmpeg reading a growing recording as it is written (``-follow``), sound only, each
    packet to the pipe at once (``-flush_packets``; ffmpeg otherwise fills 32 KB first: a
    second of this sound); it ends when the file has not grown for ``END_AFTER_S``."""
    return ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-follow", "1",
            "-rw_timeout", str(END_AFTER_S * 1_000_000), "-analyzeduration", "500000",
            "-f", "flv", "-i", f"file:{path}", "-vn", "-ac", "1", "-ar", "16000",
            "-flush_packets", "1", "-f", "s16le", "-"]


def captioned_mark(recording: Path) -> Path:
    """Beside a recording once it is captioned to its end."""
    return recording.with_suffix(".captioned")


def _wait_for_stream(class_id: int, folder: Path) -> tuple[LiveClass, Path] | None:
    """The class and the recording of its latest stream once that is there and not captioned
    yet (a stream that came and went while this process loaded is captioned all the same), or
    None when no stream will come (the class ended, or its time to stream has passed). The
    model is loaded before, so the first words wait for nothing."""
    while True:
        live_class = db.session.get(LiveClass, class_id)
        if live_class is None or not live.may_publish(live_class):
            return None
        if live_class.published_at is not None:
            published = live_class.published_at.replace(tzinfo=UTC).timestamp()
            path = recording_of(folder, live_class.stream_key, published)
            if path is not None and not captioned_mark(path).exists():
                return live_class, path
        db.session.remove()
        time.sleep(WAIT_STEP_S)


def run(class_id: int) -> int:
    app = create_app()
    with app.app_context():
        live_class = db.session.get(LiveClass, class_id)
        if live_class is None or not live.may_publish(live_class):
            return 0
        key, language = live_class.stream_key, live_class.language
        model = speech_models.find_model(language, app.config["VOSK_MODELS"]).path
        db.session.remove()
        captioner = LiveCaptioner(str(model), language)  # loads the model
        found = _wait_for_stream(class_id, Path(app.config["LIVE_ROOT"]) / "recordings")
        if found is None:
            return 0
        live_class, path = found
        # Stream time (seconds since the class started) of this stream's first packet.
        offset_s = max(0.0, (live_class.published_at - live_class.started_at).total_seconds())
        captions = [(c.number, c.start, c.end, c.text) for c in live_class.captions]
        db.session.remove()
        # After a dropped connection, or this process started again, the captions go on where
        # they stopped, and its sound up to the last caption kept is passed over.
        first_number = max((c[0] for c in captions), default=0) + 1
        resume_s = max((c[2] for c in captions), default=0.0)
        subtitles = SubtitleTrack(Path(app.config["LIVE_ROOT"]) / "hls" / key, language,
                                  languages.get(language).native_name,
                                  [c[1:] for c in captions])
        bus = bus_for(app.config)
        seq = bus.last_seq(class_id)
        ffmpeg = subprocess.Popen(follow_command(path), stdout=subprocess.PIPE,
                                  preexec_fn=die_with_parent)
        assert ffmpeg.stdout is not None
        skip = max(0, int((resume_s - offset_s) * BYTES_PER_S)) // 2 * 2
        captioner.begin_at(offset_s + skip / BYTES_PER_S, first_number)

        def send(events: list[dict]) -> None:
            nonlocal seq
            for event in events:
                seq += 1
                bus.publish(class_id, {**event, "seq": seq, "sent": time.time()})
                if event["type"] == "final" and event["closed"]:
                    live.add_caption(class_id, event["cue"], event["start"], event["end"],
                                     event["text"])
                    db.session.remove()
                    subtitles.add(event["start"], event["end"], event["text"])

        fed = False
        for data in _sound(class_id, ffmpeg, skip):
            fed = True
            send(captioner.feed(data))
            subtitles.advance(captioner.heard_s)
        if fed:
            send(captioner.finish())
            subtitles.advance(captioner.heard_s + SEGMENT_S)
        if ffmpeg.poll() is None:
            ffmpeg.terminate()
        ffmpeg.wait()  # the stream ended (or the recording is unreadable)
        captioned_mark(path).touch()
    return 0


def _sound(class_id: int, ffmpeg: subprocess.Popen, skip: int) -> Iterator[bytes]:
    """The PCM ffmpeg gives (whole samples), after ``skip`` bytes. It ends when ffmpeg does, or
    as soon as nothing has come for ``STILL_S`` after nginx said the stream stopped: the last
    words are captioned at once, not when ffmpeg gives up on the file ``END_AFTER_S`` later (the
    last word of a stream has no pause after it to end its utterance)."""
    fd = ffmpeg.stdout.fileno()
    pending = b""
    while True:
        if not select.select([fd], [], [], STILL_S)[0]:
            found = db.session.get(LiveClass, class_id)
            stopped = found is None or not found.streaming
            db.session.remove()
            if stopped:
                return
            continue
        chunk = os.read(fd, READ_BYTES)
        if not chunk:
            return
        pending += chunk
        whole = len(pending) // 2 * 2
        data, pending = pending[:whole], pending[whole:]
        dropped = min(skip, len(data))
        skip -= dropped
        if data[dropped:]:
            yield data[dropped:]


def main() -> int:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return run(int(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())
