"""The HSI liaisons' review workbench: queue, cases, re-screening runs and the dashboard.

This package is imported by ``screening.models`` (for its tables, in :mod:`.models`), so it stays
free of Flask at import time: the blueprint lives in :mod:`.views` and is registered by the app
factory (``screening.app.register_review``).
"""
