"""#19 several machines: the hand-over journal in the store

Revision ID: 0016_verteilt
Revises: 0015_statistik

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016_verteilt"
down_revision = "0015_statistik"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The hand-over journal moves from the executing machine's data_dir into the store.
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("uebergeben_lauf", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("uebergeben_lauf")
