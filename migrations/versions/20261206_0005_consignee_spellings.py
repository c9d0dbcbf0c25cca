"""Consignee spellings: each distinct way an exporter wrote a consignee, for same-party matching.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:00:00

Screening compared each new order's consignee with the distinct consignees of every earlier order
(a scan of all the exporter's orders to the country); this table keeps those distinct spellings.
Existing orders are backfilled.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consignee_spellings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("consignee_country", sa.String(length=2), nullable=False),
        sa.Column("consignee_key", sa.String(length=300), nullable=False),
        sa.Column("consignee_name", sa.String(length=300), nullable=False),
        sa.Column("consignee_address", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consignee_spellings_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignee_spellings")),
    )
    op.create_index(
        "ix_consignee_spellings_org_country",
        "consignee_spellings",
        ["organisation_id", "consignee_country"],
        unique=False,
    )

    def consignee_table(name: str) -> sa.TableClause:
        """The columns the backfill reads from ``orders`` and writes to ``consignee_spellings``."""
        return sa.table(
            name,
            sa.column("organisation_id", sa.Integer),
            sa.column("consignee_country", sa.String),
            sa.column("consignee_key", sa.String),
            sa.column("consignee_name", sa.String),
            sa.column("consignee_address", sa.Text),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )

    orders, spellings = consignee_table("orders"), consignee_table("consignee_spellings")
    columns = ["organisation_id", "consignee_country", "consignee_key", "consignee_name", "consignee_address"]
    op.execute(
        spellings.insert().from_select(
            [*columns, "created_at"],
            sa.select(*(orders.c[c] for c in columns), sa.func.min(orders.c.created_at)).group_by(
                *(orders.c[c] for c in columns)
            ),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_consignee_spellings_org_country", table_name="consignee_spellings")
    op.drop_table("consignee_spellings")
