"""Screening lines: each screened line's structure keys (InChIKeys), queryable without the documents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:34:22.693317

Reviewed after autogeneration: JSON column type written out; existing screenings are backfilled
from their stored line documents (screenings.lines), so history reads see every earlier order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BATCH = 500


def upgrade() -> None:
    op.create_table(
        "screening_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("screened", sa.Boolean(), nullable=False),
        sa.Column("inchikey", sa.String(length=64), nullable=True),
        sa.Column("component_inchikeys", JSON_DOC, nullable=False),
        sa.Column("resolved_name", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_screening_lines_screening_id_screenings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_lines")),
        sa.UniqueConstraint("screening_id", "line", name=op.f("uq_screening_lines_screening_id_line")),
    )
    with op.batch_alter_table("screening_lines", schema=None) as batch_op:
        batch_op.create_index("ix_screening_lines_inchikey", ["inchikey"], unique=False)
    backfill()


def backfill() -> None:
    """One row per line of every stored screening, from its line documents."""
    connection = op.get_bind()
    screenings = sa.table("screenings", sa.column("id", sa.String), sa.column("lines", JSON_DOC))
    lines = sa.table(
        "screening_lines",
        sa.column("screening_id", sa.String),
        sa.column("line", sa.Integer),
        sa.column("classification", sa.String),
        sa.column("screened", sa.Boolean),
        sa.column("inchikey", sa.String),
        sa.column("component_inchikeys", JSON_DOC),
        sa.column("resolved_name", sa.String),
    )
    last = ""
    while True:
        batch = connection.execute(
            sa.select(screenings.c.id, screenings.c.lines)
            .where(screenings.c.id > last)
            .order_by(screenings.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rows = []
        for screening_id, documents in batch:
            for position, document in enumerate(documents or []):
                resolved = document.get("resolved") or {}
                rows.append(
                    {
                        "screening_id": screening_id,
                        "line": document.get("index", position),
                        "classification": document.get("classification") or "unresolved",
                        "screened": bool(document.get("screened", False)),
                        "inchikey": resolved.get("inchikey"),
                        "component_inchikeys": [
                            c.get("inchikey") for c in resolved.get("components") or [] if c.get("inchikey")
                        ],
                        "resolved_name": (resolved.get("name") or None) and str(resolved.get("name"))[:300],
                    }
                )
        if rows:
            connection.execute(lines.insert(), rows)
        last = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("screening_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_lines_inchikey")
    op.drop_table("screening_lines")
