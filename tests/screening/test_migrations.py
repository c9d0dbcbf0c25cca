"""Alembic is the only source of the schema: one head, and upgrade -> downgrade -> upgrade works."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from screening.database import create_db_engine
from screening.models import Base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def alembic_config(connection=None):
    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}; merge them"


@pytest.fixture()
def scratch_url(tmp_path):
    """An empty database of the kind under test (a new PostgreSQL database when TEST_DATABASE_URL is set)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"scratch_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(engine, action, revision):
    from alembic import command

    with engine.begin() as connection:
        getattr(command, action)(alembic_config(connection), revision)


def insert_old_org(connection, now):
    """An organisation written straight into an older schema (no service code involved); its id."""
    from screening.models import Organisation

    return connection.execute(
        Organisation.__table__.insert().values(name="Old Org", active=True, created_at=now)
    ).inserted_primary_key[0]


def insert_old_order(connection, org_id, now, **order):
    """An order written straight into an older schema; ``order`` overrides its columns."""
    from datetime import date

    from screening.models import Order

    row = {
        "id": "o-1",
        "organisation_id": org_id,
        "reference": "OLD",
        "order_date": date(2026, 1, 5),
        "destination_country": "MX",
        "transit_countries": [],
        "consignee_name": "X",
        "consignee_country": "MX",
        "consignee_kind": "distributor",
        "consignee_key": "x",
        "raw_body": {},
        "body_hash": "0" * 64,
        "submitted_via": "api",
        "submitted_by": "psk_x",
        "created_at": now,
    }
    connection.execute(Order.__table__.insert().values(**{**row, **order}))


def test_upgrade_downgrade_upgrade(scratch_url):
    engine = create_db_engine(scratch_url)
    try:
        run(engine, "upgrade", "head")
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        run(engine, "downgrade", "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        run(engine, "upgrade", "head")
        with engine.connect() as connection:
            # the models and the migrations describe the same schema
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert diff == [], diff
            assert (
                connection.execute(text("SELECT last_entry_id FROM audit_chain_head WHERE id = 1")).scalar()
                == 0
            )
    finally:
        engine.dispose()


def test_screening_lines_are_backfilled_from_stored_screenings(scratch_url):
    from datetime import UTC, datetime

    from screening.models import Screening

    engine = create_db_engine(scratch_url)
    try:
        run(engine, "upgrade", "0003")
        now = datetime.now(UTC)
        document = {
            "index": 0,
            "classification": "listed",
            "screened": True,
            "resolved": {
                "inchikey": "CSCPPACGZOOCGX-UHFFFAOYSA-N",
                "name": "Acetone",
                "components": [{"inchikey": "CSCPPACGZOOCGX-UHFFFAOYSA-N"}],
            },
        }
        with engine.begin() as connection:
            insert_old_order(connection, insert_old_org(connection, now), now)
            connection.execute(
                Screening.__table__.insert().values(
                    id="s-1",
                    order_id="o-1",
                    status="review",
                    trigger="initial",
                    screened_at=now,
                    watchlist_version="w",
                    rules_version="r",
                    engine_version="e",
                    duration_ms=1.0,
                    lines=[document],
                    required_actions=[],
                    screened_by="psk_x",
                )
            )
        run(engine, "upgrade", "head")
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT line, classification, screened, inchikey, resolved_name FROM screening_lines")
            ).one()
        assert tuple(row) == (0, "listed", True, "CSCPPACGZOOCGX-UHFFFAOYSA-N", "Acetone")
    finally:
        engine.dispose()


def test_consignee_spellings_are_backfilled_from_stored_orders(scratch_url):
    """Orders stored before 0005 keep counting: each distinct spelling becomes one row, so a later order
    written differently still finds them as the same party."""
    from datetime import UTC, datetime, timedelta

    engine = create_db_engine(scratch_url)
    try:
        run(engine, "upgrade", "0004")
        now = datetime.now(UTC)
        spellings = [
            ("o-1", "Quimica del Norte SA de CV", None, 3),
            ("o-2", "Quimica del Norte SA de CV", None, 2),  # the same spelling again
            ("o-3", "QUIMICA DEL NORTE S.A.", "Av. Juarez 10, Monterrey", 1),
        ]
        with engine.begin() as connection:
            org_id = insert_old_org(connection, now)
            for order_id, name, address, days_ago in spellings:
                insert_old_order(
                    connection,
                    org_id,
                    now,
                    id=order_id,
                    reference=order_id.upper(),
                    consignee_name=name,
                    consignee_address=address,
                    consignee_key="quimica del norte",
                    created_at=now - timedelta(days=days_ago),
                )
        run(engine, "upgrade", "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT consignee_name, consignee_address, consignee_key FROM consignee_spellings"
                    " ORDER BY consignee_name"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("QUIMICA DEL NORTE S.A.", "Av. Juarez 10, Monterrey", "quimica del norte"),
            ("Quimica del Norte SA de CV", None, "quimica del norte"),
        ]
    finally:
        engine.dispose()
