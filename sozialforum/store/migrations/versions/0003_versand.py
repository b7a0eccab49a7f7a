"""invitations, outbox delivery, RSVPs

Revision ID: 0003_versand
Revises: 0002_daten

Outbox: retry time / claim lease and the claiming run's token. Rückmeldung: the attendee record
of an invitation (address, time) and the SEQUENCE a calendar answer referred to.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0003_versand"
down_revision = "0002_daten"
branch_labels = None
depends_on = None

Instant = sozialforum.store.models.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("naechster_versuch", Instant(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lauf", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_naechster_versuch"), ["naechster_versuch"], unique=False)
    with op.batch_alter_table("rueckmeldung", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eingeladen_an", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column("eingeladen_am", Instant(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sequenz", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rueckmeldung", schema=None) as batch_op:
        batch_op.drop_column("sequenz")
        batch_op.drop_column("eingeladen_am")
        batch_op.drop_column("eingeladen_an")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_naechster_versuch"))
        batch_op.drop_column("lauf")
        batch_op.drop_column("naechster_versuch")
