"""words: the ``Word`` a recogniser returns, and turning recognition tokens into written words.

Owns: ``Word``, the token rules (the Korean model's morpheme-like tokens joined back into words,
numbers written as the model spells them) and joining tokens into text with or without spaces.
Must not: decide anything per language code itself — whether a language is written without
spaces and which token rules it needs are ``languages`` facts —, recognise, or do I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import languages


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    conf: float = 1.0
    unscripted: bool = False  # recognised freely where the speaker left the lesson's script

    def as_dict(self) -> dict:
        result = {"word": self.text, "start": round(self.start, 3), "end": round(self.end, 3),
                  "conf": round(self.conf, 3)}
        if self.unscripted:
            result["unscripted"] = True
        return result


_NUMBER_TOKEN = re.compile(r"^[\[(]([^\])]+)[\])]$")

# Korean particles and endings that the model's morpheme-like vocabulary splits off the word they
# belong to (measured: 배우겠습니다 → 배우 겠습 니다). Joined to the previous token.
# Allomorphs that depend on whether the previous syllable has a final consonant (batchim) are
# joined only after the right kind of syllable, so that 이 "this" or 가 "go" standing alone after
# the wrong kind of syllable stay separate words.
_AFTER_BATCHIM = {"이", "은", "을", "과", "으로", "으로는", "으로서", "으로써", "이나", "이랑",
                  "이라는", "이라고", "이며", "이고", "이다", "이었다", "이지만", "아", "이에요",
                  "이야"}
_AFTER_VOWEL = {"가", "는", "를", "와", "로", "로는", "로서", "로써", "라는", "라고",
                "며", "고", "다", "였다", "지만", "야", "예요"}
_ALWAYS = {
    # particles
    "의", "에", "에서", "에게", "에게서", "께", "께서", "한테", "도", "만", "뿐", "까지", "부터",
    "보다", "처럼", "마다", "조차", "마저", "밖에", "에는", "에도", "에서는", "에서도", "에게는",
    "와의", "과의", "으로의", "로의", "들", "들이", "들은", "들을", "들의", "들도", "들에게",
    "인", "입니다", "이었습니다", "였습니다", "이죠",
    # verb and adjective endings, and 하다/되다 forms after a noun
    "니다", "습니다", "ㅂ니다", "겠습", "겠습니다", "겠", "었", "았", "였", "었다", "았다",
    "했다", "한다", "한다는", "하는", "하고", "하게", "하며", "하면", "하면서", "하여", "해",
    "해서",
    "해야", "해요", "했", "했습니다", "합니다", "하겠습니다", "할", "한", "하기", "하기로", "하지",
    "된다", "되는", "되어", "돼", "되면", "되면서", "됩니다", "됐다", "된", "될", "되고", "되기",
    "시키", "시켜", "시킨", "세요", "으세요", "셨", "으셨", "십시오", "습니까", "ㅂ니까",
    "적", "적인", "적으로", "적이", "스럽", "스러운", "스럽게", "답", "다운", "롭", "로운",
    "면서", "으면서", "으면", "면", "어서", "아서", "어야", "아야", "어요", "아요",
    "는데", "은데", "던", "지요", "죠", "네요", "군요", "잖아요",
}


def _has_batchim(syllable: str) -> bool:
    code = ord(syllable) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _joins_previous_ko(token: str, previous: str) -> bool:
    if not previous or not ("\uac00" <= previous[-1] <= "\ud7a3"):
        return False
    if token in _ALWAYS:
        return True
    if token in _AFTER_BATCHIM:
        return _has_batchim(previous[-1])
    if token in _AFTER_VOWEL:
        return not _has_batchim(previous[-1]) or (token.startswith("로")
                                                 and (ord(previous[-1]) - 0xAC00) % 28 == 8)
    return False


_COUNTERS = ("월", "일", "년", "시", "분", "초", "도", "명", "개", "원", "번", "살", "층", "세",
             "주", "센티", "미터", "킬로", "퍼센트", "그램", "리터", "장", "권", "대", "회")


def normalise_token(text: str) -> str:
    """Model-specific spellings: the Korean model writes numbers as [3]."""
    match = _NUMBER_TOKEN.match(text)
    return match.group(1) if match else text


def _joins_previous_ko_or_counter(text: str, previous: str) -> bool:
    return _joins_previous_ko(text, previous) or (previous.isdigit() and text.startswith(_COUNTERS))


# The token rules a language's entry can name (``languages.Language.rejoin_rules``).
REJOIN_RULES = {"ko": _joins_previous_ko_or_counter}


def rejoin(words: list[Word], language: str) -> list[Word]:
    """Join recognition tokens into written words (by the language's ``rejoin_rules``: Korean),
    keeping first start and last end.

    The confidence of a joined word is the lowest of its parts. Languages without token rules
    keep their tokens (Chinese and Japanese are written without spaces, which the segmenter
    handles).
    """
    rules = languages.get(language).rejoin_rules
    joins = REJOIN_RULES[rules] if rules else None
    out: list[Word] = []
    for word in words:
        text = normalise_token(word.text)
        word = replace(word, text=text)
        if out and joins is not None:
            prev = out[-1]
            if joins(text, prev.text):
                out[-1] = Word(prev.text + text, prev.start, word.end, min(prev.conf, word.conf))
                continue
        out.append(word)
    return out


def join_text(tokens: list[str], language: str) -> str:
    """The tokens as text: without spaces for a language written without them."""
    return ("" if languages.get(language).no_spaces else " ").join(tokens)
