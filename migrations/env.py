"""Alembic environment: the only way the schema is created or changed.

The URL comes, in order, from a connection handed in by the caller
(``config.attributes["connection"]``, used by ``flask db upgrade`` and the tests),
``-x url=...``, ``sqlalchemy.url`` in the config, or the service's settings
(DATABASE_URL, default SQLite file under instance/).
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from screening.config import load_config
from screening.database import create_db_engine
from screening.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return url
    instance = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")
    return str(load_config(instance)["DATABASE_URL"])


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_db_engine(database_url())
    try:
        with engine.connect() as connection:
            run_on(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
