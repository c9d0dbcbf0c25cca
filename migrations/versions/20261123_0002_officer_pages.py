"""Officer pages: failed sign-ins (throttling shared by every worker) and catalogue jobs with their rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:20:00

Written by hand to match ``screening/models/officer_pages.py``. ``login_failures`` is pruned by the
application as rows leave the throttling window; ``catalogue_rows`` go with their job (ON DELETE
CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import screening.models.base

# JSON documents: JSONB on PostgreSQL, JSON text elsewhere (as screening.models.base.JSONDocument).
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("failed_at", screening.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_key", ["scope", "key", "failed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_failed_at"), ["failed_at"], unique=False)

    op.create_table(
        "catalogue_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("unresolved", sa.Integer(), nullable=False),
        sa.Column("watchlist_version", sa.String(length=100), nullable=True),
        sa.Column("created_at", screening.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", screening.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", screening.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_catalogue_jobs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_catalogue_jobs_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_jobs")),
    )
    with op.batch_alter_table("catalogue_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalogue_jobs_org_created", ["organisation_id", "created_at"], unique=False
        )

    op.create_table(
        "catalogue_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("identifiers", JSON_DOC, nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=True),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["catalogue_jobs.id"],
            name=op.f("fk_catalogue_rows_job_id_catalogue_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_rows")),
        sa.UniqueConstraint("job_id", "index", name=op.f("uq_catalogue_rows_job_id_index")),
    )
    with op.batch_alter_table("catalogue_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalogue_rows_job_classification", ["job_id", "classification"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalogue_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_rows_job_classification")
    op.drop_table("catalogue_rows")
    with op.batch_alter_table("catalogue_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_jobs_org_created")
    op.drop_table("catalogue_jobs")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_failed_at"))
        batch_op.drop_index("ix_login_failures_key")
    op.drop_table("login_failures")
