"""#19 retention of sent mail content: when a message was cut down to its record, size and hash

Revision ID: 0031_inhalt_aufbewahrung
Revises: 0030_zustellung_unklar
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0031_inhalt_aufbewahrung"
down_revision = "0030_zustellung_unklar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(
            sa.Column("inhalt_gekuerzt_am", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("inhalt_groesse", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("inhalt_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("inhalt_sha256")
        batch.drop_column("inhalt_groesse")
        batch.drop_column("inhalt_gekuerzt_am")
