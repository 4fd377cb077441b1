"""Voice commands: recognition time per utterance and accuracy, on synthesised Korean commands.

``utterances()`` speaks ``BENCH_VOICE_UTTERANCES`` (default 50) Korean command phrases with
espeak-ng (voice ``ko``, speeds 130/175/220 words a minute, pitches 30/50/70, chosen with a fixed
seed) and converts them with ffmpeg to 16 kHz mono 16-bit PCM: a list of
``(pcm, expected_command, expected_args)``, ready to be sent to the web app as well.

``bare_timings(utterances)`` times ``CommandRecogniser.recognise_pcm`` on each, with the model
loaded once beforehand: checking the audio, decoding with the grammar (on the Vosk recogniser
this thread keeps between utterances; the first utterance creates it) and deciding. ``main()``
prints those times, the utterances' durations, and the answers (correct / none / wrong) of
the recogniser, at each learner sensitivity, without the check with common words, at the
former threshold and at ``BOLD_THRESHOLD``, and of the naive approach (the one best text of a
grammar of the phrases, which acts on whatever it hears) on the same audio. Beside them, real
speech: pieces of the Zeroth sentences (``not_commands``) and each of their words said alone
(``real_words``), which must be refused, and the one command word among them, which must be
understood; then the wake word (``wake_word``) and a learner's own commands (``personal``).

Run alone with ``python -m benchmarks.voice``.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from pathlib import Path

from media_pipeline import languages, speech_models, voice

LANGUAGE = "ko"
COUNT = int(os.environ.get("BENCH_VOICE_UTTERANCES", "50"))
SPEEDS = (130, 175, 220)
PITCHES = (30, 50, 70)
SEED = 7
BOLD_THRESHOLD = 0.65  # ours made about as bold as the naive approach, to compare the two

Utterance = tuple[bytes, str, dict]


def synthesise(items: list[tuple[str, int, int]], directory: Path) -> list[bytes]:
    """16 kHz mono 16-bit PCM for each (text, speed, pitch), spoken by espeak-ng's Korean voice;
    ffmpeg converts up to 16 files per run."""
    raw = []
    for i, (text, speed, pitch) in enumerate(items):
        path = directory / f"u{i}.22k.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-p", str(pitch), "-w",
                        str(path), text], check=True, capture_output=True)
        raw.append(path)
    pcm_paths = [directory / f"u{i}.wav" for i in range(len(items))]
    for start in range(0, len(raw), 16):
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        for path in raw[start:start + 16]:
            cmd += ["-i", str(path)]
        for j, path in enumerate(pcm_paths[start:start + 16]):
            cmd += ["-map", f"{j}:a", "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", str(path)]
        subprocess.run(cmd, check=True, capture_output=True)
    found = []
    for path in pcm_paths:
        with wave.open(str(path), "rb") as w:
            found.append(w.readframes(w.getnframes()))
    return found


def utterances(count: int = COUNT) -> list[Utterance]:
    """``count`` synthesised commands as (pcm, expected command, expected args)."""
    rng = random.Random(SEED)
    phrases = voice.phrases(LANGUAGE)
    chosen = [(phrases[i % len(phrases)], rng.choice(SPEEDS), rng.choice(PITCHES))
              for i in rng.sample(range(len(phrases) * 9), count)]
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-voice-"))
    try:
        pcms = synthesise([(p.text, s, q) for p, s, q in chosen], tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [(pcm, p.command, dict(p.args)) for pcm, (p, _s, _q) in zip(pcms, chosen, strict=True)]


def recogniser() -> voice.CommandRecogniser:
    return voice.recogniser(speech_models.find_model(LANGUAGE).path, LANGUAGE)


def bare_timings(utterances: list[Utterance]) -> list[float]:
    """Seconds ``recognise_pcm`` takes for each utterance (the model is loaded first)."""
    rec = recogniser()
    found = []
    for pcm, _command, _args in utterances:
        start = time.perf_counter()
        rec.recognise_pcm(pcm)
        found.append(time.perf_counter() - start)
    return found


def outcome(result: voice.Command, command: str, args: dict) -> str:
    """"correct" or "wrong" when the player acts; "asked" or "asked_wrong" when it asks first
    (the learner confirms a right question and says no to a wrong one); "none"."""
    if result.decision == voice.NONE:
        return "none"
    right = (result.command, result.args) == (command, args)
    if result.decision == "ask":
        return "asked" if right else "asked_wrong"
    return "correct" if right else "wrong"


def not_commands() -> list[tuple[str, bytes]]:
    """Real speech that is no command: every Zeroth sentence of ../shared/data (its first
    9.9 s), and every 1 s and 2 s piece of them, a second apart (as short as commands)."""
    import csv

    from benchmarks.captioning import SPEECH as human

    with (human / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                if r["file"].startswith("zeroth")]
    found = []
    for row in rows:
        pcm = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(human / row["file"]),
                              "-ar", "16000", "-ac", "1", "-f", "s16le", "-"],
                             check=True, capture_output=True).stdout
        found.append((row["file"], pcm[:int(9.9 * 32000)]))
        for start in range(len(pcm) // 32000 - 1):
            for seconds in (1, 2):
                found.append((f"{row['file']} {start}+{seconds} s",
                              pcm[start * 32000:(start + seconds) * 32000]))
    return found


def real_words() -> tuple[list[tuple[str, bytes]], list[Utterance]]:
    """Every word of the Zeroth sentences of ../shared/data, where the model hears it, cut out
    alone between 0.4 s of silence, as short and as isolated as a command: those that are a
    command phrase (only 앞으로, "forward", in 0280) as real commands, the others as real
    speech that is no command."""
    import csv
    import json

    from vosk import KaldiRecognizer

    from benchmarks.captioning import SPEECH as human

    with (human / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        files = [r["file"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                 if r["file"].startswith("zeroth")]
    model = speech_models.load(str(speech_models.find_model(LANGUAGE).path))
    phrases = {p.text: p for p in voice.phrases(LANGUAGE)}
    silence = bytes(2 * int(0.4 * voice.SAMPLE_RATE))
    others, commands = [], []
    for name in files:
        pcm = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(human / name),
                              "-ar", "16000", "-ac", "1", "-f", "s16le", "-"],
                             check=True, capture_output=True).stdout
        recogniser = KaldiRecognizer(model, voice.SAMPLE_RATE)
        recogniser.SetWords(True)
        recogniser.AcceptWaveform(pcm)
        for word in json.loads(recogniser.FinalResult())["result"]:
            piece = silence + pcm[2 * int(word["start"] * 16000):2 * int(word["end"] * 16000)] \
                + silence
            phrase = phrases.get(word["word"])
            if phrase is None:
                others.append((f"{name} {word['word']}", piece))
            else:
                commands.append((piece, phrase.command, dict(phrase.args)))
    return others, commands


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    start = time.perf_counter()
    rec = recogniser()
    load_s = time.perf_counter() - start
    items = utterances()
    durations = [len(pcm) / 2 / voice.SAMPLE_RATE for pcm, _c, _a in items]
    rec.recognise_pcm(items[0][0])  # warm: first use of the decoding graph
    cpu_before = time.process_time()
    timings = bare_timings(items)
    cpu_ms = (time.process_time() - cpu_before) * 1000 / len(items)
    naive = Counter(outcome(rec.recognise_naive(pcm), c, a) for pcm, c, a in items)
    from accessible_learning.services.voice_commands import SENSITIVITY

    print(f"\nVoice commands: {len(items)} Korean commands spoken by espeak-ng (voice ko, speeds "
          f"{'/'.join(map(str, SPEEDS))}, pitches {'/'.join(map(str, PITCHES))}), model "
          f"{rec.model_path}, {os.cpu_count()} cores")
    print(f"model and grammar ready in {load_s:.1f} s (once per process); utterances "
          f"{min(durations):.2f}-{max(durations):.2f} s, "
          f"median {statistics.median(durations):.2f} s")
    print(f"recognise_pcm per utterance (one recogniser kept between utterances): median "
          f"{statistics.median(timings) * 1000:.0f} ms, p95 {percentile(timings, 0.95) * 1000:.0f} "
          f"ms, max {max(timings) * 1000:.0f} ms; CPU {cpu_ms:.0f} ms on average")
    others = not_commands()
    words, real = real_words()
    print("understood = acted on, or asked about and confirmed; a wrong question is answered no; "
          f"rejected = {len(others)} pieces of real speech that are no command (Zeroth "
          "sentences and their 1 s and 2 s pieces) given neither an action nor a question; "
          f"words = {len(words)} words cut alone from the same real speech, none a command: "
          "refused, and acted on (a wrong action); real = the real commands among those words "
          f"({len(real)}: 앞으로 in 0280) acted on or asked about")
    print(f"{'':<44} {'understood':>10} {'acted':>6} {'asked':>6} {'asked wrong':>11} "
          f"{'none':>5} {'WRONG':>6} {'rejected':>9} {'words refused':>13} {'acted':>7} "
          f"{'real':>5}")
    from accessible_learning.services.voice_commands import UNCONFIRMED

    rows = [(f"sensitivity {name} (ask {ask}, act {act})", ask, act,
             UNCONFIRMED.get(name, voice.ASK)) for name, (ask, act) in SENSITIVITY.items()]
    ask, act = SENSITIVITY["balanced"]
    rows.append(("balanced without the common-words check", ask, act, voice.OFF))
    rows.append((f"former single threshold {voice.DEFAULT_THRESHOLD}", voice.DEFAULT_THRESHOLD,
                 voice.DEFAULT_THRESHOLD, voice.OFF))
    rows.append((f"single threshold {BOLD_THRESHOLD}", BOLD_THRESHOLD, BOLD_THRESHOLD,
                 voice.OFF))
    for label, ask, act, unconfirmed in rows:
        def answer(pcm: bytes) -> voice.Command:
            return rec.recognise_pcm(pcm, act, ask, unconfirmed)  # noqa: B023 - used at once

        counts = Counter(outcome(answer(pcm), c, a) for pcm, c, a in items)
        rejected = sum(answer(pcm).decision == voice.NONE for _name, pcm in others)
        said = Counter(answer(pcm).decision for _name, pcm in words)
        heard = Counter(outcome(answer(pcm), c, a) for pcm, c, a in real)
        _row(label, counts, len(items), f"{100 * rejected / len(others):.1f} %",
             f"{100 * said[voice.NONE] / len(words):>12.1f}% "
             f"{100 * said['act'] / len(words):>6.1f}% {heard['correct'] + heard['asked']:>3}/"
             f"{len(real)}")
    _row("naive (one best text of a grammar of the phrases)", naive, len(items), "")
    print("goal: understood >= 85 %, wrong <= 2 %, rejected >= 95 % (espeak-ng's Korean is "
          "recognised poorly: the phrase said is among the 50 alternatives for about half)")
    wake_word(others, words)
    personal(others + words)
    return 0


def wake_word(others: list[tuple[str, bytes]], words: list[tuple[str, bytes]]) -> None:
    """Hands-free listening's wake word: espeak-ng's three voices saying it at three speeds
    and pitches must wake the player; the real speech that is no command (the pieces, and the
    words said alone, with and without the check) must not."""
    wake = voice.recogniser(speech_models.find_model(LANGUAGE).path, LANGUAGE, "wake")
    word = languages.get(LANGUAGE).wake[0].text
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-wake-"))
    try:
        takes = [pcm for name in ("ko", "ko+f2", "ko+m3") for pcm in _speak_as(
            name, [(word, 130, 30), (word, 175, 50), (word, 220, 70)], tmp)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def woken(items, unconfirmed=voice.ASK):
        return sum(wake.recognise_pcm(pcm, unconfirmed=unconfirmed).decision == "act"
                   for pcm in items)

    print(f"\nWake word \"{word}\": {woken(takes)} of {len(takes)} espeak-ng takes wake the "
          f"player; real speech wakes it {woken(p for _n, p in others)} times in {len(others)} "
          f"pieces, and {woken(p for _n, p in words)} times in {len(words)} words said alone "
          f"({woken((p for _n, p in words), voice.OFF)} without the check)")



PERSONAL_VOICES = ("ko", "ko+f2", "ko+m3", "ko+croak", "ko+whisper")
TEACH = ((175, 50), (130, 50))
HELD_OUT = ((220, 50), (150, 70), (200, 30))
SENTENCES = ("오늘 날씨가 정말 좋네요", "점심으로 김치찌개를 먹었어요", "커피를 한 잔 주세요",
             "손을 깨끗이 씻어야 합니다", "다음 주에 만나요", "자막을 읽어 보세요")


def _speak_as(voice_name: str, items: list[tuple[str, int, int]], directory: Path) -> list[bytes]:
    found = []
    for i, (text, speed, pitch) in enumerate(items):
        path = directory / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice_name, "-s", str(speed), "-p", str(pitch), "-w",
                        str(path), text], check=True, capture_output=True)
        found.append(subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ar",
                                     "16000", "-ac", "1", "-f", "s16le", "-"],
                                    check=True, capture_output=True).stdout)
    return found


def personal(others: list[tuple[str, bytes]]) -> None:
    """A learner's own commands (media_pipeline.voice_templates), espeak-ng voices standing in
    for learners: each command's first phrase recorded twice (TEACH), then said at three other
    speeds and pitches (HELD_OUT); the same voice's sentences and the real speech that is no
    command must be refused. The general recogniser on the same held-out takes beside it."""
    from media_pipeline import voice_templates

    rec = recogniser()
    first: dict[str, voice.Phrase] = {}
    for phrase in voice.phrases(LANGUAGE):
        first.setdefault(phrase.command, phrase)
    mains = list(first.values())
    print(f"\nA learner's own commands: {len(mains)} commands recorded twice (speeds "
          f"{TEACH[0][0]}, {TEACH[1][0]}) by each espeak-ng voice, then said {len(HELD_OUT)} "
          "times more at other speeds and pitches")
    print(f"{'voice':<12} {'understood':>10} {'acted':>6} {'WRONG':>6} {'general':>8} "
          f"{'own sentences':>13} {'real speech':>11} {'ms/utterance':>12}")
    times: list[float] = []
    for name in PERSONAL_VOICES:
        tmp = Path(tempfile.mkdtemp(prefix="al-bench-personal-"))
        try:
            teach = _speak_as(name, [(p.text, s, q) for p in mains for s, q in TEACH], tmp)
            held = _speak_as(name, [(p.text, s, q) for p in mains for s, q in HELD_OUT], tmp)
            sentences = _speak_as(name, [(t, 175, 50) for t in SENTENCES], tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        takes = [voice_templates.Take(p.command, dict(p.args), p.text,
                                      voice_templates.features(teach[i * len(TEACH) + k]))
                 for i, p in enumerate(mains) for k in range(len(TEACH))]
        matcher = voice_templates.PersonalCommands(takes)
        counts: Counter = Counter()
        general: Counter = Counter()
        for i, pcm in enumerate(held):
            phrase = mains[i // len(HELD_OUT)]
            start = time.perf_counter()
            result = matcher.recognise_pcm(pcm)
            times.append(time.perf_counter() - start)
            counts[outcome(result, phrase.command, dict(phrase.args))] += 1
            general[outcome(rec.recognise_pcm(pcm), phrase.command, dict(phrase.args))] += 1
        own_refused = sum(matcher.recognise_pcm(pcm).decision == voice.NONE for pcm in sentences)
        refused = sum(matcher.recognise_pcm(pcm).decision == voice.NONE for _n, pcm in others)
        total = len(held)
        print(f"{name:<12} {100 * (counts['correct'] + counts['asked']) / total:>9.0f}% "
              f"{100 * counts['correct'] / total:>5.0f}% {100 * counts['wrong'] / total:>5.0f}% "
              f"{100 * (general['correct'] + general['asked']) / total:>7.0f}% "
              f"{own_refused:>6} of {len(sentences):<4} {100 * refused / len(others):>10.1f}% "
              f"{1000 * statistics.median(times):>12.0f}")
    print("understood = acted on or asked about and confirmed; general = the general "
          "recogniser (balanced) on the same takes; real speech = the pieces and the words of "
          "Zeroth above refused (neither acted on nor asked about)")


def _row(label: str, counts: Counter, total: int, rejected: str, real: str = "") -> None:
    def pct(n: int) -> str:
        return f"{100 * n / total:.0f} %"

    understood = counts["correct"] + counts["asked"]
    print(f"{label:<44} {pct(understood):>10} {pct(counts['correct']):>6} "
          f"{pct(counts['asked']):>6} {pct(counts['asked_wrong']):>11} {pct(counts['none']):>5} "
          f"{pct(counts['wrong']):>6} {rejected:>9} {real}")


def _post(url: str, pcm: bytes, cookie: str, token: str, user_agent: str) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(url, data=pcm, method="POST", headers={
        "Content-Type": "application/octet-stream", "Cookie": cookie, "X-CSRFToken": token,
        "User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def compare_with_http(url: str, cookie: str, token: str, user_agent: str) -> None:
    """Voice-command latency over HTTP (request to response, gunicorn) beside the bare
    recogniser's time on the same utterances, in this run; and the accuracy over HTTP."""
    import statistics
    import time

    items = utterances()
    for pcm, _command, _args in items[:6]:  # each gunicorn worker loads the model once
        _post(url, pcm, cookie, token, user_agent)
    http_ms, correct, wrong = [], 0, 0
    for pcm, command, args in items:
        start = time.perf_counter()
        answer = _post(url, pcm, cookie, token, user_agent)
        http_ms.append(1000 * (time.perf_counter() - start))
        if (answer["command"], answer["args"]) == (command, args):
            correct += 1
        elif answer["command"] != "none":
            wrong += 1
    bare_ms = [1000 * t for t in bare_timings(items)]

    def p95(values):
        return percentile(values, 0.95)

    print(f"\nVoice commands: {len(items)} utterances, one recogniser per thread kept between "
          "utterances")
    print(f"{'':<28} {'median ms':>9} {'p95 ms':>7}")
    print(f"{'bare recogniser (in process)':<28} {statistics.median(bare_ms):>9.1f} "
          f"{p95(bare_ms):>7.1f}")
    print(f"{'over HTTP (gunicorn, 2 w.)':<28} {statistics.median(http_ms):>9.1f} "
          f"{p95(http_ms):>7.1f}")
    print(f"HTTP p95 / bare p95: {p95(http_ms) / p95(bare_ms):.2f}×  (goal: HTTP p95 < 100 ms)")
    print(f"over HTTP: {correct} correct, {len(items) - correct - wrong} not understood, "
          f"{wrong} wrong")


def server_like_make_run(env: dict) -> tuple[subprocess.Popen, str]:
    """The web server as ``make run`` starts it (``launcher.web_command``: gunicorn, gthread
    workers, its config file, which readies the voice recognisers in each worker), on the
    instance in ``env``, once both workers say their voice commands are ready; and its
    address."""
    import threading

    from accessible_learning.launcher import web_command
    from benchmarks.run import BIN, free_port

    port = free_port()
    server = subprocess.Popen(web_command(BIN, "127.0.0.1", port),
                              env={**env, "WEB_WORKERS": "2"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    ready, deadline = 0, time.monotonic() + 180
    while ready < 2:
        line = server.stderr.readline()
        if not line or time.monotonic() > deadline:
            server.kill()
            raise SystemExit(f"the voice server did not get ready: {line!r}")
        ready += "Voice commands ready" in line
    threading.Thread(target=server.stderr.read, daemon=True).start()  # keep the pipe drained
    return server, f"http://127.0.0.1:{port}"


def browser_latency(env: dict, runs: int = int(os.environ.get("BENCH_VOICE_BROWSER_RUNS", "12"))
                    ) -> None:
    """From the end of speech to the action, in Debian's Chromium with a fake microphone saying
    "정지" (espeak-ng, 1.5 s of silence before it): the learner presses Alt+Shift+V on the lesson
    page of a server started as ``make run`` starts it (``server_like_make_run``); the player's
    ``voice-timing`` event gives the moment the page heard the speech end (the last loud 8 ms
    frame) and the moment the answer came, after which the pause is done at once. Wait for the
    quiet that ends an utterance (0.45 s), sending, recognising and answering are all in the
    figure. Every run counts, the first commands to each worker included."""
    from playwright.sync_api import sync_playwright

    from accessible_learning.services.demo import DEMO_USERS
    from benchmarks.first_frame import ARGS, CHROMIUM

    email, password = next((e, p) for role, e, _n, p in DEMO_USERS if role == "learner")

    tmp = Path(tempfile.mkdtemp(prefix="al-bench-voice-browser-"))
    server, base = server_like_make_run(env)
    try:
        from benchmarks.run import learner_cookie

        learner_cookie(base)  # enrolled in the demo course, whose first lesson is used
        raw, wav = tmp / "raw.wav", tmp / "pause.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-s", "220", "-p", "50", "-w", str(raw), "정지"],
                       check=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-af",
                        "adelay=1500:all=1,apad=pad_dur=2.5", "-ar", "48000", "-ac", "1",
                        "-c:a", "pcm_s16le", str(wav)], check=True)
        latencies, answers = [], Counter()
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, args=[
                *ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}"])
            context = browser.new_context(locale="en-GB", user_agent=USER_AGENT)
            context.grant_permissions(["microphone"], origin=base)
            page = context.new_page()
            page.goto(base + "/login")
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/dashboard")
            page.goto(base + "/lessons/1")
            page.wait_for_selector("[data-controls]:not([hidden])")
            page.evaluate("""() => { window.__voice = [];
                document.querySelector('[data-player]').addEventListener('voice-timing',
                  e => window.__voice.push(e.detail)); }""")
            page.focus("button[data-action=play]")
            for run in range(runs):
                page.keyboard.press("Alt+Shift+KeyV")
                page.wait_for_function(f"() => window.__voice.length > {run}", timeout=30_000)
                page.wait_for_function("() => document.querySelector("
                                       "'button[data-action=voice]').getAttribute("
                                       "'aria-pressed') === 'false'")
            for timing in page.evaluate("() => window.__voice"):
                latencies.append(timing["answered"] - timing["speechEnded"])
                answers[f"{timing['command']}/{timing['decision']}"] += 1
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nVoice command in Chromium (fake microphone, {runs} times \"정지\", from the first, "
          f"to a server started as make run starts it): end of speech to action median "
          f"{statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
          f"first {latencies[0]:.0f} ms (goal: p95 <= 1000 ms); each: "
          f"{', '.join(f'{v:.0f}' for v in latencies)} ms; answers {dict(answers)}")


USER_AGENT = "accessible-learning-bench"


if __name__ == "__main__":
    sys.exit(main())
