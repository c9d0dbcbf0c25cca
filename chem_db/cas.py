"""CAS Registry Numbers: format and check digit.

The check digit is the sum of each digit (right to left, excluding the check digit) times its
position, modulo 10 (CAS, "CAS Registry Number check digit" verification procedure).
"""

from __future__ import annotations

import re
import unicodedata

_CAS_RE = re.compile(r"^(\d{2,7})[-\s](\d{2})[-\s](\d)$", re.ASCII)
# "CAS", "CAS No.", "CAS-No.", "CAS RN", "CASRN", "CAS Number", "CAS#" before the number.
_PREFIX = re.compile(r"^cas(?:[\s\-]*(?:rn|no\b\.?|number|nr\.?))?\s*[:#.]?\s*", re.IGNORECASE)
# Dashes that word processors put in place of the hyphen: hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, minus sign.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
# A number in brackets, as catalogues and safety data sheets print it: "[67-64-1]", "(67-64-1)".
_BRACKETED = re.compile(r"^[\[(](.*)[\])]$")


def normalize_cas(text: str) -> str | None:
    """Return the CAS number in canonical ``NNNNNNN-NN-N`` form, or None when the format is wrong.

    Leading zeros and surrounding spaces are tolerated; a bare digit string is accepted too.

    >>> normalize_cas(" 0067-64-1 ")
    '67-64-1'
    >>> normalize_cas("67641")
    '67-64-1'
    >>> normalize_cas("67-64") is None
    True
    >>> normalize_cas("CAS No. 103-79-7"), normalize_cas("103\u201379\u20137"), normalize_cas("103 79 7")
    ('103-79-7', '103-79-7', '103-79-7')

    Full-width digits and hyphens (documents typed with an East Asian input method) are the same
    characters after Unicode compatibility normalization (NFKC); a number in brackets is the number.

    >>> normalize_cas("\uff16\uff17\uff0d\uff16\uff14\uff0d\uff11")
    '67-64-1'
    >>> normalize_cas("[67-64-1]"), normalize_cas("CAS (67-64-1)")
    ('67-64-1', '67-64-1')
    """
    t = unicodedata.normalize("NFKC", text).strip().translate(_DASHES)
    t = _PREFIX.sub("", t).strip()
    if bracketed := _BRACKETED.match(t):
        t = bracketed.group(1).strip()
    m = _CAS_RE.match(t)
    if m is None:
        if t.isascii() and t.isdigit() and 5 <= len(t) <= 10:
            t = f"{t[:-3]}-{t[-3:-1]}-{t[-1]}"
            m = _CAS_RE.match(t)
        if m is None:
            return None
    first = m.group(1).lstrip("0") or "0"
    if len(first) < 2:
        return None
    return f"{first}-{m.group(2)}-{m.group(3)}"


def cas_check_digit_ok(cas: str) -> bool:
    """True when the check digit of a canonical CAS number is right.

    >>> cas_check_digit_ok("67-64-1"), cas_check_digit_ok("67-64-2")
    (True, False)
    """
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    total = sum((i + 1) * int(d) for i, d in enumerate(reversed(body)))
    return total % 10 == check
