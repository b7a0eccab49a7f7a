"""#13 the source's created time of each imported OParl object

Revision ID: 0026_oparl_erstellt
Revises: 0025_lieferung_zuordnung
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sozialforum.store.models.base

revision = "0026_oparl_erstellt"
down_revision = "0025_lieferung_zuordnung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oparl_objekt") as batch:
        batch.add_column(sa.Column("erstellt", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oparl_objekt") as batch:
        batch.drop_column("erstellt")
