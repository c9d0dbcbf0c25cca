"""Spanish chemical names rewritten into English, so the English lookups can resolve them.

Order lines to Mexico and Central America often name the chemical in Spanish: "Trietanolamina",
"Cloruro férrico", "Ácido 2-fenilacético", "4-metilpentan-2-ona". The watchlist, the lexicon and the
dictionary know English names (and the Spanish names someone wrote down). ``english_readings`` turns a
Spanish name into the English name(s) it can be, by the vocabulary in ``data/spanish.yaml``:

- word order: "X-uro/-ato/-ito de Y" is "Y X-ide/-ate/-ite" ("cloruro de sodio" -> "sodium chloride",
  "acetato de vinilo" -> "vinyl acetate", "clorhidrato de metformina" -> "metformin hydrochloride");
  "ácido X-ico" is "X-ic acid", "alcohol X-ílico" "X-yl alcohol", "anhídrido X-ico" "X-ic anhydride";
  a cation adjective comes first ("cloruro férrico" -> "ferric chloride"), except after a drug's name
  ("diclofenaco sódico" -> "diclofenac sodium");
- words: element names, endings (-ina -> -ine / -in, -ona -> -one, -eno -> -ene, -ilo -> -yl, -osa ->
  -ose ...) and spellings inside a word (metil -> methyl, benc -> benz, fosf -> phosph, yod -> iod).

The readings are only names: the caller looks each up as it looks any name up, and a reading that is not
a real English name resolves to nothing. Where a word can end two ways, both are read; the caller accepts
a structure only when every reading that resolves gives the same one, so the rewrite can leave a name
unresolved but is built never to turn it into another chemical. Words that are false friends or trade
words for mixtures ("bencina" is petrol, not benzene) stop the rewrite altogether.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

# At most this many English readings of one name are looked up.
MAX_READINGS = 8
_VOWELS = frozenset("aeiou")
_SEGMENT = re.compile(r"[a-z]+|[^a-z]+")
# A valence after an element: "hierro(iii)", "cobre (ii)".
# Spanish joins a parent hydride to an acid suffix with its final vowel ("propanoico", "etanoato"); once
# "propano" has become "propane", English wants "propanoic", "ethanoate".
_ANOIC = re.compile(r"(an|en)e(ic|ate)\b")
_VALENCE = re.compile(r"^\((i{1,3}|iv|v|vi|vii)\)$")


@dataclass(frozen=True)
class Head:
    """A noun whose adjective follows it in Spanish ("ácido acético") and precedes it in English."""

    english: str
    endings: Mapping[str, str]  # adjective ending -> English ending ("ico" -> "ic", "ilico" -> "yl")


@dataclass(frozen=True)
class SpanishVocabulary:
    """The vocabulary of ``data/spanish.yaml`` (keys in ``plain`` form: lower case, no accents)."""

    never: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    elements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cation_adjectives: Mapping[str, str] = field(default_factory=dict)
    adjectives: Mapping[str, str] = field(default_factory=dict)
    heads: Mapping[str, Head] = field(default_factory=dict)
    hydracids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    morphemes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    endings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def plain(text: str) -> str:
    """Lower case, accents removed, spaces collapsed ("Ácido  Fórmico" -> "acido formico")."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def english_readings(name: str, vocab: SpanishVocabulary) -> list[str]:
    """The English names a Spanish chemical name can be read as, most literal first (at most
    ``MAX_READINGS``); empty when the name holds a word that must not be rewritten or reads as itself.

    >>> from chem_db.watchlist import load_watchlist
    >>> v = load_watchlist().spanish
    >>> english_readings("Trietanolamina", v)
    ['triethanolamine', 'triethanolamin']
    >>> english_readings("Cloruro férrico", v)
    ['ferric chloride']
    >>> english_readings("ácido 2-fenilacético", v)
    ['2-phenylacetic acid']
    >>> english_readings("Hidruro de litio y aluminio", v)[0]
    'lithium aluminium hydride'
    >>> english_readings("Bencina", v)
    []
    """
    text = plain(name)
    words = [w for w in _join_valences(text.split(" ")) if w not in vocab.drop]
    if not words or any(_bare(w) in vocab.never for w in words):
        return []
    readings = [_ANOIC.sub(r"\1o\2", " ".join(r.split())) for r in _phrase(words, vocab)]
    out = [r for r in dict.fromkeys(readings) if r and r != text]
    return out[:MAX_READINGS]


def _bare(word: str) -> str:
    return re.sub(r"[^a-z]", "", word)


def _join_valences(words: list[str]) -> list[str]:
    """ "hierro (iii)" -> "hierro(iii)": a valence belongs to the element before it."""
    out: list[str] = []
    for w in words:
        if out and _VALENCE.match(w):
            out[-1] += w
        else:
            out.append(w)
    return out


def _product(parts: list[list[str]]) -> list[str]:
    """Every combination of the words' readings, joined by spaces, most literal first, capped."""
    combos = itertools.islice(itertools.product(*parts), MAX_READINGS)
    return [" ".join(c) for c in combos]


def _phrase(words: list[str], vocab: SpanishVocabulary) -> list[str]:
    # "X de Y": the English puts Y first ("cloruro de sodio", "acetato de vinilo", "óxido de etileno",
    # "clorhidrato de efedrina", "hidruro de litio y aluminio").
    for i, w in enumerate(words):
        if w in ("de", "del") and 0 < i < len(words) - 1:
            left, right = words[:i], words[i + 1 :]
            if "de" in right or "del" in right:
                return []  # nested "de": too many readings to be sure of one
            return _product([_phrase(right, vocab), _phrase(left, vocab)])
    head = vocab.heads.get(words[0])
    if head is not None and len(words) >= 2:
        return _product([_head_adjective(words[1], head, vocab), _words(words[2:], vocab), [head.english]])
    # "cloruro férrico", "fosfato trisódico": cation adjective first in English, except after a
    # drug's name ("diclofenaco sódico" -> "diclofenac sodium", as English writes salts of drugs).
    if len(words) == 2 and words[1] in vocab.cation_adjectives:
        cation = vocab.cation_adjectives[words[1]]
        noun = _word(words[0], vocab)
        if _is_anion(words[0]):
            return [f"{cation} {n}" for n in noun]
        return [f"{n} {cation}" for n in noun]
    if len(words) == 2 and words[1] in vocab.adjectives:  # "fósforo rojo" -> "red phosphorus"
        return [f"{vocab.adjectives[words[1]]} {n}" for n in _word(words[0], vocab)]
    return _words(words, vocab)


def _is_anion(word: str) -> bool:
    """An anion word ("cloruro", "fosfato", "nitrito", "óxido"): its cation is named first in English."""
    return word.endswith(("uro", "ato", "ito", "ido"))


def _head_adjective(word: str, head: Head, vocab: SpanishVocabulary) -> list[str]:
    """The adjective after a head noun: "acético" -> "acetic", "etílico" -> "ethyl", "clorhídrico" ->
    "hydrochloric"."""
    if head.english == "acid" and word.endswith("hidrico"):
        stem = word[: -len("hidrico")]
        return list(vocab.hydracids.get(stem, ()))
    for ending in sorted(head.endings, key=len, reverse=True):
        if word.endswith(ending) and len(word) > len(ending):
            # translate the stem as a word ending in "-il" ("etil" -> "ethyl") or as is ("acet" + "ic")
            stem = word[: -len(ending)]
            if head.endings[ending] == "yl":
                return _word(stem + "il", vocab)
            return [s + head.endings[ending] for s in _word_body(stem, vocab, final=False)]
    return []


def _words(words: list[str], vocab: SpanishVocabulary) -> list[str]:
    if not words:
        return [""]
    parts = [_word(w, vocab) for w in words]
    if any(not p for p in parts):
        return []
    return _product(parts)


def _word(word: str, vocab: SpanishVocabulary) -> list[str]:
    """Readings of one word (with locants, brackets and hyphens kept as they are)."""
    if word in vocab.words:
        return list(vocab.words[word])
    m = re.match(r"^([a-z]+)(\((?:i{1,3}|iv|v|vi|vii)\))$", word)
    if m and m.group(1) in vocab.elements:
        return [e + m.group(2).upper() for e in vocab.elements[m.group(1)]]
    if word in vocab.elements:
        return list(vocab.elements[word])
    return _word_body(word, vocab, final=True)


def _word_body(word: str, vocab: SpanishVocabulary, *, final: bool) -> list[str]:
    """A word segment by segment: letters are translated, everything else (locants, hyphens, brackets)
    is kept. ``final``: the word's last letters may be an ending."""
    segments = _SEGMENT.findall(word)
    last = max((i for i, seg in enumerate(segments) if seg.isalpha()), default=-1)
    pieces: list[list[str]] = []
    for i, seg in enumerate(segments):
        if not seg.isalpha() or len(seg) == 1:
            pieces.append([seg])
        elif seg in vocab.words:
            pieces.append(list(vocab.words[seg]))
        else:
            # an ending ends the word, or a part of it before a locant ("propano-1,2-diol"); inside
            # brackets it is a substituent's ("(dimetilamino)")
            before_locant = i + 1 < len(segments) and re.match(r"^-\d", segments[i + 1]) is not None
            pieces.append(_segment(seg, vocab, final and (i == last or before_locant)))
    readings = ["".join(c) for c in itertools.islice(itertools.product(*pieces), MAX_READINGS)]
    return readings


def _drops_final_vowel(key: str, seg: str) -> bool:
    """ "etilo", "bencilo", "metileno": a group's spelling ("-il", "-len"), then the Spanish final vowel."""
    return key.endswith(("il", "len")) and seg[-1] in "oa"


def _segment(seg: str, vocab: SpanishVocabulary, final: bool) -> list[str]:
    """One run of letters: spellings inside it (longest first, left to right), then its ending."""
    ending = ""
    if final:
        for e in sorted(vocab.endings, key=len, reverse=True):
            if seg.endswith(e) and (len(seg) > len(e) or seg == e):
                ending = e
                break
    cut = len(seg) - len(ending)  # the ending's first letter
    out: list[tuple[str, ...]] = []
    pos = 0
    while pos < cut:
        best: str = ""
        best_en: tuple[str, ...] = ("",)
        for key, english in vocab.morphemes.items():
            k = key.rstrip("_")
            if not seg.startswith(k, pos) or len(k) <= len(best):
                continue
            end = pos + len(k)
            if key.endswith("_") and (end >= len(seg) or seg[end] not in _VOWELS):
                continue
            # a spelling may reach into the ending only when it takes the word to its end ("fenol"), or
            # all but the Spanish final vowel ("etil-o" -> "ethyl")
            if end > cut and end != len(seg) and not (end == len(seg) - 1 and _drops_final_vowel(k, seg)):
                continue
            best, best_en = k, english
        if best:
            out.append(best_en)
            pos += len(best)
            if pos == len(seg) - 1 and pos > cut:
                pos = len(seg)
            continue
        out.append((seg[pos],))
        pos += 1
    bodies = ["".join(c) for c in itertools.islice(itertools.product(*out), MAX_READINGS)]
    if pos >= len(seg):  # a spelling took the word to its end
        stems = bodies
    elif ending:
        stems = [b + e for b in bodies for e in vocab.endings[ending]]
    else:
        stems = bodies
    # "es" before a consonant at the start: Spanish adds the e (estireno -> styrene); only in a word
    # with a Spanish ending ("ester" is English too)
    if ending and len(seg) > 3 and seg.startswith("es") and seg[2] not in _VOWELS:
        stems += [s[1:] for s in stems if s.startswith("es")]
    return stems
