"""#19 a message whose hand-over began is in doubt: when it began (status "uncertain" needs no DDL)

Revision ID: 0030_zustellung_unklar
Revises: 0029_protokoll_zeiten
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sozialforum.store.models.base

revision = "0030_zustellung_unklar"
down_revision = "0029_protokoll_zeiten"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(
            sa.Column("uebergabe_am", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("uebergabe_am")
