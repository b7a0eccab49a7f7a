"""#12 the workspace: documents for agenda items

Revision ID: 0020_top_dokument
Revises: 0019_verzeichnis
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0020_top_dokument"
down_revision = "0019_verzeichnis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "top_dokument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("top_id", sa.Integer(), nullable=False),
        sa.Column("dateiname", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mimetype", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("groesse", sa.Integer(), nullable=False),
        sa.Column("inhalt", sa.LargeBinary(), nullable=False),
        sa.Column("hochgeladen_am", sozialforum.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("hochgeladen_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["top_id"], ["tagesordnungspunkt.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_top_dokument_top_id"), "top_dokument", ["top_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_top_dokument_top_id"), table_name="top_dokument")
    op.drop_table("top_dokument")
