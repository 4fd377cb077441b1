"""One live class's captioner, a process of its own: ``python -m accessible_learning.live.captioner
<class id>``, started by the ingest's supervisor while the class is live.

It plays the class's RTMP stream from the local ingest with ffmpeg (sound only, 16 kHz mono
PCM, as it arrives), feeds it to ``media_pipeline.live.LiveCaptioner``, publishes every event
on the bus (numbered, with the wall-clock time it was sent), keeps each closed cue in the
database (for viewers who join late, and the captions file) and writes it into the class's HLS
stream as a subtitle playlist (``hls_subtitles``). It ends when
the stream ends. It must not decide who sees the captions nor serve anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from media_pipeline import languages, speech_models
from media_pipeline.live import LiveCaptioner
from media_pipeline.processes import die_with_parent

from ..extensions import db
from ..factory import create_app
from ..models import LiveClass, utcnow
from ..services import live
from .bus import bus_for
from .hls_subtitles import SEGMENT_S, SubtitleTrack

READ_BYTES = 1600  # 50 ms of sound: the captioner's step


def stream_url(port: int, key: str) -> str:
    return f"rtmp://127.0.0.1:{port}/live/{key}"


def run(class_id: int) -> int:
    app = create_app()
    with app.app_context():
        live_class = db.session.get(LiveClass, class_id)
        if live_class is None or live_class.state != "live":
            return 0
        key, language, started_at = (live_class.stream_key, live_class.language,
                                     live_class.started_at)
        subtitles = SubtitleTrack(Path(app.config["LIVE_ROOT"]) / "hls" / key, language,
                                  languages.get(language).native_name)
        model = speech_models.find_model(language, app.config["VOSK_MODELS"]).path
        db.session.remove()
        bus = bus_for(app.config)
        seq = bus.last_seq(class_id)
        ffmpeg = subprocess.Popen(
            # -flush_packets: each packet to the pipe at once (ffmpeg otherwise fills a 32 KB
            # buffer first: a second of this sound).
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-fflags", "nobuffer",
             "-analyzeduration", "500000", "-i", stream_url(app.config["RTMP_PORT"], key),
             "-vn", "-ac", "1", "-ar", "16000", "-flush_packets", "1", "-f", "s16le", "-"],
            stdout=subprocess.PIPE, preexec_fn=die_with_parent)
        assert ffmpeg.stdout is not None
        # The model loads while ffmpeg connects, not when the first words are waiting.
        captioner = LiveCaptioner(str(model), language,
                                  first_number=_next_number(live_class_id=class_id))
        started = False

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

        while True:
            data = ffmpeg.stdout.read(READ_BYTES)
            if not data:
                break
            if not started:  # stream time: seconds since the class started
                captioner.offset_s = max(0.0, (utcnow() - started_at).total_seconds() - 0.1)
                started = True
            send(captioner.feed(data))
            subtitles.advance(captioner.heard_s)
        if started:
            send(captioner.finish())
            subtitles.advance(captioner.heard_s + SEGMENT_S)
        ffmpeg.wait()
    return 0


def _next_number(live_class_id: int) -> int:
    """After a dropped connection the captions go on numbering where they stopped."""
    numbers = [c.number for c in db.session.get(LiveClass, live_class_id).captions]
    db.session.remove()
    return max(numbers, default=0) + 1


def main() -> int:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return run(int(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())
