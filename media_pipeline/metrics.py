"""Error rates for recognition output against reference transcripts.

Owns: character and word error rates and the normalisation of text before comparing (Korean
numbers as spoken). Must not: be used to make captions (benchmarks and tests only), or do I/O.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = "영일이삼사오육칠팔구"
_SMALL = [(1000, "천"), (100, "백"), (10, "십")]
_LARGE = [(10**8, "억"), (10**4, "만")]


def sino_korean(number: int) -> str:
    """12 → 십이, 2018 → 이천십팔: how Zeroth-style references spell numbers."""
    if number == 0:
        return "영"
    out = ""
    for value, name in _LARGE:
        if number >= value:
            head, number = divmod(number, value)
            out += ("" if head == 1 and value == 10**4 else sino_korean(head)) + name
    for value, name in _SMALL:
        if number >= value:
            head, number = divmod(number, value)
            out += ("" if head == 1 else _DIGITS[head]) + name
    if number:
        out += _DIGITS[number]
    return out


def normalise(text: str, language: str = "ko") -> str:
    text = unicodedata.normalize("NFC", text)
    if language == "ko":
        text = re.sub(r"\d+", lambda m: sino_korean(int(m.group(0))), text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.lower().split())


def edit_distance(ref: list, hyp: list) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str, language: str = "ko") -> float:
    """Character error rate, spaces ignored (spacing is judged by wer)."""
    ref = normalise(reference, language).replace(" ", "")
    hyp = normalise(hypothesis, language).replace(" ", "")
    return edit_distance(list(ref), list(hyp)) / max(1, len(ref))


def wer(reference: str, hypothesis: str, language: str = "ko") -> float:
    """Word error rate on written words: for Korean it also measures the spacing."""
    ref = normalise(reference, language).split()
    hyp = normalise(hypothesis, language).split()
    return edit_distance(ref, hyp) / max(1, len(ref))
