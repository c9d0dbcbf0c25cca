"""Small text helpers shared by the red flags: accent/case folding and phrase matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[^a-z0-9/]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


@lru_cache(maxsize=8192)
def _pattern(folded_phrase: str, prefix: bool) -> re.Pattern[str]:
    if not prefix:
        return re.compile(r"\b" + re.escape(folded_phrase) + r"\b")
    # A prefix phrase reads the inner words in the plural too: "principio activo" is found in
    # "principios activos", "agua potable" in "aguas potables" (the last word is a prefix anyway).
    inner = r"(?:s|es)?\s+"
    return re.compile(r"\b" + inner.join(re.escape(word) for word in folded_phrase.split(" ")))


def fold(text: str | None) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces.

    >>> fold("Acétone, grado técnico (99.5%)")
    'acetone grado tecnico 99 5'
    """
    return _fold(text) if text else ""


def contains_phrase(text: str, phrase: str, prefix: bool = False) -> bool:
    """True when ``phrase`` occurs in ``text`` as whole words (or as a word prefix with ``prefix``).

    Both are folded first.

    >>> contains_phrase("Uso industrial general", "uso industrial"), contains_phrase("flavoured", "flavor")
    (True, False)
    >>> contains_phrase("Productos farmacéuticos", "farmaceutic", prefix=True)
    True
    >>> contains_phrase("Síntesis de principios activos", "principio activo", prefix=True)
    True
    """
    folded_text, folded_phrase = fold(text), fold(phrase)
    if not folded_phrase or not folded_text:
        return False
    return _pattern(folded_phrase, prefix).search(folded_text) is not None


def first_phrase(text: str, phrases: Iterable[str], prefix: bool = False) -> str | None:
    """The first of ``phrases`` found in ``text``, or None."""
    for phrase in phrases:
        if contains_phrase(text, phrase, prefix=prefix):
            return phrase
    return None


def leftover(text: str, phrases: Iterable[str], fillers: Iterable[str] = ()) -> str:
    """What is left of ``text`` once every phrase (longest first) and every filler word is taken out.

    Used to tell a vague end use ("uso general", "for resale") from a specific one that happens to
    contain a vague word ("paint manufacturing" leaves "paint").

    >>> leftover("Paint manufacturing", ["manufacturing"])
    'paint'
    >>> leftover("Para reventa y uso general", ["reventa", "uso general"], ["para", "y"])
    ''
    """
    folded = fold(text)
    for phrase in sorted({fold(p) for p in phrases if p}, key=len, reverse=True):
        if phrase:
            folded = _pattern(phrase, False).sub(" ", folded)
    filler = {fold(w) for w in fillers}
    return " ".join(word for word in folded.split() if word not in filler)
