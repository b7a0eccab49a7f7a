"""#17 actual begin and end of a Sitzung, as the minutes record them

Revision ID: 0029_protokoll_zeiten
Revises: 0028_plausibilitaet
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sozialforum.store.models.base

revision = "0029_protokoll_zeiten"
down_revision = "0028_plausibilitaet"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("protokoll_version") as batch:
        batch.add_column(sa.Column("beginn", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ende", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("protokoll_version") as batch:
        batch.drop_column("ende")
        batch.drop_column("beginn")
