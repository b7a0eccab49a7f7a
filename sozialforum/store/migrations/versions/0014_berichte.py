"""#17 reports: area geometries versioned with the Gebietsstand (gebiet_geometrie)

Revision ID: 0014_berichte
Revises: 0013_strategie

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0014_berichte"
down_revision = "0013_strategie"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gebiet_geometrie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gebiet_id", sa.Integer(), nullable=False),
        sa.Column("gueltig_ab", sa.Date(), nullable=False),
        sa.Column("crs", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("geometrie", sa.LargeBinary(), nullable=False),
        sa.Column("anzeige", sa.LargeBinary(), nullable=False),
        sa.Column("quelle", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("geladen_am", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["gebiet_id"], ["gebiet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gebiet_id", "gueltig_ab", name="uq_gebiet_geometrie"),
    )
    op.create_index(op.f("ix_gebiet_geometrie_gebiet_id"), "gebiet_geometrie", ["gebiet_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gebiet_geometrie_gebiet_id"), table_name="gebiet_geometrie")
    op.drop_table("gebiet_geometrie")
