"""CAS Registry Numbers: format and check digit.

The check digit is the sum of each digit (right to left, excluding the check digit) times its
position, modulo 10 (CAS, "CAS Registry Number check digit" verification procedure).
"""

from __future__ import annotations

import re

_CAS_RE = re.compile(r"^(\d{2,7})[-\s](\d{2})[-\s](\d)$")
# "CAS", "CAS No.", "CAS-No.", "CAS RN", "CASRN", "CAS Number", "CAS#" before the number.
_PREFIX = re.compile(r"^cas(?:[\s\-]*(?:rn|no\b\.?|number|nr\.?))?\s*[:#.]?\s*", re.IGNORECASE)
# Dashes that word processors put in place of the hyphen: hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, minus sign.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})


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
    """
    t = text.strip().translate(_DASHES)
    t = _PREFIX.sub("", t).strip()
    m = _CAS_RE.match(t)
    if m is None:
        if t.isdigit() and 5 <= len(t) <= 10:
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
