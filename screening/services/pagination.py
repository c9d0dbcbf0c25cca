"""Page numbers as the list pages and the API take them: clamped, so any number the client sends
becomes a valid OFFSET (a page number beyond 64 bits once overflowed SQLite's INTEGER with a 500)."""

from __future__ import annotations

MAX_PAGE = 1_000_000  # far beyond any real list; the API refuses a larger number with a 422


def page_offset(page: int, per_page: int) -> int:
    """The OFFSET of ``page`` (1-based), with the page clamped to 1..MAX_PAGE.

    >>> page_offset(1, 20), page_offset(3, 20), page_offset(0, 20), page_offset(10**30, 20)
    (0, 40, 0, 19999980)
    """
    return (min(max(page, 1), MAX_PAGE) - 1) * per_page
