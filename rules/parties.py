"""Telling whether two consignee records are the same party (names and addresses).

Thresholds are cumulative per consignee per month, and a consignee buying under several names or at
several addresses must still be summed (21 CFR 1310.04(e)). Names are normalised (accents, case,
punctuation, company-form suffixes such as "S.A. de C.V." or "LLC") and then compared word by word with
rapidfuzz: every significant word of one name must have a close counterpart in the other
(``TOKEN_CUTOFF``), so "Quimica del Norte" and "Química del Noreste" stay different companies while
"QUIMICA DEL NORTE, S.A. DE C.V." and "Química del Norte SA de CV" are the same.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from rapidfuzz import fuzz

# Two parties are the same when same_party() scores at or above this (0..1).
SAME_PARTY_CUTOFF = 0.90
# Each significant word must match a word of the other name at least this well (rapidfuzz ratio, 0..100).
# 90 allows one typo in a long word ("quimca"/"quimica") but not a different word ("norte"/"noreste": 83).
TOKEN_CUTOFF = 90.0
# Two addresses are the same place at or above this (rapidfuzz token_set_ratio / 100).
ADDRESS_CUTOFF = 0.90

# Company-form suffixes, already lower-cased, accent-free and without dots, longest first.
_LEGAL_FORMS = sorted(
    [
        "s de rl de cv",
        "s de rl mi",
        "s de rl",
        "sapi de cv",
        "sab de cv",
        "sa de cv",
        "s en c",
        "s en nc",
        "sc de rl",
        "sc",
        "sa",
        "sas",
        "sl",
        "srl",
        "ltda",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "corp",
        "corporation",
        "co",
        "company",
        "cia",
        "y cia",
        "gmbh",
        "ag",
        "bv",
        "nv",
        "plc",
        "pte",
        "pty",
        "spa",
        "sarl",
        "eirl",
        "cv",
        "de cv",
    ],
    key=len,
    reverse=True,
)
_STOPWORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "e", "the", "and", "of", "&"})
_ADDRESS_ABBREVIATIONS = {
    "av": "avenida",
    "ave": "avenida",
    "avenue": "avenida",
    "col": "colonia",
    "no": "numero",
    "num": "numero",
    "st": "street",
    "blvd": "boulevard",
    "carr": "carretera",
    "km": "kilometro",
    "cp": "",
    "c p": "",
}


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean(text: str) -> str:
    folded = _ascii_fold(text).lower()
    folded = folded.replace(".", "")  # "S.A." -> "sa", "C.V." -> "cv"
    folded = re.sub(r"[^a-z0-9&]+", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


@functools.lru_cache(maxsize=65536)
def normalize_party_name(name: str) -> str:
    """A party name reduced for comparison: no accents, case, punctuation or company-form suffix.

    Remembered: screening compares each order's consignee with the exporter's known spellings.

    >>> normalize_party_name("Química del Norte, S.A. de C.V.")
    'quimica del norte'
    >>> normalize_party_name("QUIMICA DEL NORTE SA DE CV")
    'quimica del norte'
    >>> normalize_party_name("Distribuidora Azteca S. de R.L. de C.V.")
    'distribuidora azteca'
    >>> normalize_party_name("Acme Chemicals, Inc."), normalize_party_name("Insumos Ltda")
    ('acme chemicals', 'insumos')
    """
    cleaned = _clean(name or "")
    changed = True
    while changed and cleaned:
        changed = False
        for form in _LEGAL_FORMS:
            if cleaned == form:
                break
            if cleaned.endswith(" " + form):
                cleaned = cleaned[: -len(form) - 1].rstrip()
                changed = True
                break
    return cleaned


def _significant_tokens(normalized: str) -> list[str]:
    tokens = [t for t in normalized.split() if t not in _STOPWORDS]
    return tokens or normalized.split()


def _alignment(a: list[str], b: list[str]) -> float:
    """The weakest best-match ratio of any word of ``a`` against the words of ``b`` (0..100)."""
    if not a or not b:
        return 0.0
    return min(max(fuzz.ratio(x, y) for y in b) for x in a)


@functools.lru_cache(maxsize=65536)
def normalize_address(address: str) -> str:
    """An address reduced for comparison (accents, case, punctuation, common abbreviations).

    >>> normalize_address("Av. Industrial #12, Col. Centro, Monterrey, N.L.")
    'avenida industrial 12 colonia centro monterrey nl'
    """
    words = [_ADDRESS_ABBREVIATIONS.get(w, w) for w in _clean(address or "").split()]
    return " ".join(w for w in words if w)


def same_party(
    a_name: str, a_address: str | None, b_name: str, b_address: str | None
) -> tuple[float, list[str]]:
    """Score (0..1) that two name/address records are one party, with the reasons.

    Same party when the score is at or above ``SAME_PARTY_CUTOFF`` (0.90). The name decides: every
    significant word of each name must match a word of the other at ``TOKEN_CUTOFF``; the score is then
    the lower of the whole-name similarity and the weakest word match. An identical address raises a
    near miss where one name contains the other ("Quimica del Norte" at the same street address as
    "Quimica del Norte Industrial") to the cut-off; a different address never lowers a name match,
    since one party may have several locations (21 CFR 1310.04(e)).

    >>> same_party("Quimica del Norte SA de CV", None, "Química del Norte, S.A. de C.V.", None)[0]
    1.0
    >>> same_party("Quimica del Norte", None, "Química del Noreste", None)[0] < SAME_PARTY_CUTOFF
    True
    """
    na, nb = normalize_party_name(a_name), normalize_party_name(b_name)
    reasons: list[str] = []
    if not na or not nb:
        return 0.0, ["a name is empty after normalisation"]
    if na == nb:
        score = 1.0
        reasons.append(f"same name after normalisation ({na!r})")
    else:
        ta, tb = _significant_tokens(na), _significant_tokens(nb)
        weakest = min(_alignment(ta, tb), _alignment(tb, ta))
        whole = fuzz.token_sort_ratio(" ".join(ta), " ".join(tb))
        score = round(min(whole, weakest) / 100.0, 4)
        if weakest >= TOKEN_CUTOFF:
            reasons.append(f"names match word for word ({na!r} ~ {nb!r}, weakest word {weakest:.0f})")
        else:
            reasons.append(
                f"names differ ({na!r} vs {nb!r}, weakest word match {weakest:.0f} < {TOKEN_CUTOFF:.0f})"
            )
    if a_address and b_address:
        address_score = (
            fuzz.token_set_ratio(normalize_address(a_address), normalize_address(b_address)) / 100.0
        )
        if address_score >= ADDRESS_CUTOFF:
            reasons.append(f"same address ({address_score:.2f})")
            sa, sb = set(_significant_tokens(na)), set(_significant_tokens(nb))
            if score < SAME_PARTY_CUTOFF and (sa <= sb or sb <= sa):
                score = SAME_PARTY_CUTOFF
                reasons.append("one name contains the other at the same address")
        else:
            reasons.append(f"different address ({address_score:.2f}); a party may have several locations")
    return score, reasons
