"""CAS Registry Numbers: format and check digit.

The check digit is the sum of each digit (right to left, excluding the check digit) times its
position, modulo 10 (CAS, "CAS Registry Number check digit" verification procedure).
"""

from __future__ import annotations

import re

_CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def normalize_cas(text: str) -> str | None:
    """Return the CAS number in canonical ``NNNNNNN-NN-N`` form, or None when the format is wrong.

    Leading zeros and surrounding spaces are tolerated; a bare digit string is accepted too.

    >>> normalize_cas(" 0067-64-1 ")
    '67-64-1'
    >>> normalize_cas("67641")
    '67-64-1'
    >>> normalize_cas("67-64") is None
    True
    """
    t = text.strip()
    if t.upper().startswith("CAS"):
        t = t[3:].lstrip(" :#-").strip()
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
