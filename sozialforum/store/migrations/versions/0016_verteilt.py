"""#19 several machines: the hand-over journal in the store

Revision ID: 0016_verteilt
Revises: 0015_statistik

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0016_verteilt"
down_revision = "0015_statistik"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "betrieb_alarm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schluessel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("art", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("erstellt_am", sozialforum.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("weitergeleitet", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schluessel"),
    )
    op.create_index(op.f("ix_betrieb_alarm_art"), "betrieb_alarm", ["art"], unique=False)
    # The hand-over journal moves from the executing machine's data_dir into the store.
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("uebergeben_lauf", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    op.drop_index(op.f("ix_betrieb_alarm_art"), table_name="betrieb_alarm")
    op.drop_table("betrieb_alarm")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("uebergeben_lauf")
