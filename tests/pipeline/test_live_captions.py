"""Live captions (issue 28), the pipeline's part: real Korean speech (the first three Zeroth
clips of ../shared/data/speech/ko/long/dev_concat.wav) fed to media_pipeline.live in 0.1 s steps,
as the captioner feeds it from a stream. Partial words come before the final ones; a cue's final
text only ever grows; closed cues keep the caption rules and follow one another; and what the
live captions say is about as right as the batch pipeline's captions of the same sound."""

from __future__ import annotations

import csv
import wave

import pytest

from conftest import SHARED_DATA
from media_pipeline import metrics, recognise, speech_models, words
from media_pipeline.live import LiveCaptioner
from media_pipeline.segment import profile_for

LONG = SHARED_DATA / "speech" / "ko" / "long"
UNTIL_S = 33.0  # the end of the third clip


def _references() -> str:
    with open(LONG / "dev_concat.segments.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return " ".join(r["reference"] for r in rows if float(r["end_s"]) <= UNTIL_S)


@pytest.fixture(scope="module")
def model_path():
    return speech_models.find_model("ko").path


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("live") / "first.wav"
    with wave.open(str(LONG / "dev_concat.wav"), "rb") as source, \
            wave.open(str(path), "wb") as target:
        target.setparams(source.getparams())
        target.writeframes(source.readframes(int(UNTIL_S * source.getframerate())))
    return path


@pytest.fixture(scope="module")
def fed(model_path, clip):
    captioner = LiveCaptioner(str(model_path), "ko")
    events = []
    with wave.open(str(clip), "rb") as w:
        while data := w.readframes(1600):
            for event in captioner.feed(data):
                events.append((captioner.heard_s, event))
    events += [(captioner.heard_s, e) for e in captioner.finish()]
    return captioner, events


def _bare(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def test_partial_words_come_first_and_a_cue_s_final_text_only_grows(fed):
    _captioner, events = fed
    kinds = [e["type"] for _t, e in events]
    assert "partial" in kinds and kinds.index("partial") < kinds.index("final")
    seen: dict[int, str] = {}
    for _t, event in events:
        if event["type"] != "final":
            continue
        before = seen.get(event["cue"], "")
        assert _bare(event["text"]).startswith(_bare(before)), (before, event)
        seen[event["cue"]] = event["text"]
    assert sorted(seen) == list(range(1, len(seen) + 1))


def test_closed_cues_keep_the_caption_rules_and_follow_one_another(fed):
    captioner, _events = fed
    profile = profile_for("ko")
    cues = captioner.cues
    assert len(cues) >= 5
    previous_end = 0.0
    for _number, start, end, text in cues:
        lines = text.split("\n")
        assert len(lines) <= profile.max_lines, text
        assert all(len(line) <= profile.max_line_chars for line in lines), text
        assert start >= previous_end - 1e-6, cues  # never over the cue before
        assert 0 < end - start <= profile.max_duration, (start, end, text)
        assert start <= UNTIL_S + 0.5
        previous_end = end


def test_live_captions_are_about_as_right_as_the_batch_captions(fed, model_path, clip):
    captioner, _events = fed
    reference = _references()
    live_text = " ".join(text.replace("\n", " ") for *_rest, text in captioner.cues)
    batch = words.rejoin(recognise.recognise(clip, model_path, jobs=1), "ko")
    batch_text = " ".join(w.text for w in batch)
    live_cer, batch_cer = metrics.cer(reference, live_text), metrics.cer(reference, batch_text)
    # Measured here: 0.225 live and 0.183 batch on these three clips (six characters of 142;
    # on the whole 118 s recording, make bench measures 0.158 live against 0.150, the issue's
    # goal of 0.02 met: a fresh recogniser every 20 s, and nothing lost at the stream's start).
    assert live_cer <= batch_cer + 0.06, (live_cer, batch_cer, live_text)
