"""ISO 3166-1 alpha-2 country codes, validated with pycountry.

The country *lists* that rules depend on (Western Hemisphere, designated countries, embargoes,
pre-export notification requests) are data in ``rules/data/countries.yaml``, not here.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


def is_valid_country(code: str | None) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code (upper case, as the API requires).

    >>> is_valid_country("MX"), is_valid_country("mx"), is_valid_country("XX"), is_valid_country("MEX")
    (True, False, False, False)
    """
    if not isinstance(code, str) or len(code) != 2 or not code.isupper():
        return False
    return code in _codes()


def country_name(code: str) -> str:
    """The English short name of a code, or the code itself when unknown.

    >>> country_name("PA")
    'Panama'
    """
    country = pycountry.countries.get(alpha_2=code) if is_valid_country(code) else None
    return str(country.name) if country is not None else code


def all_countries() -> list[tuple[str, str]]:
    """Every (code, name) pair, sorted by name (for forms and the API schema)."""
    return sorted(((str(c.alpha_2), str(c.name)) for c in pycountry.countries), key=lambda pair: pair[1])


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(str(c.alpha_2) for c in pycountry.countries)
