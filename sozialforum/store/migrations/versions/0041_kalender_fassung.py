"""The deadline calendar's address renewable from the workspace: its generation in the store

Revision ID: 0041_kalender_fassung
Revises: 0040_sitzung_ende

No row means generation 0 (or the setting ``fristen.kalender_fassung``): the address subscribed
before the update keeps working.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0041_kalender_fassung"
down_revision = "0040_sitzung_ende"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kalender_fassung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kalender", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("fassung", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kalender"),
    )


def downgrade() -> None:
    op.drop_table("kalender_fassung")
