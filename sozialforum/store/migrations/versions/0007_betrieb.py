"""operations (planning cycle bookkeeping)

Revision ID: 0007_betrieb
Revises: 0006_protokoll

Tables: zyklus_aktion (one row per due action of the daily planning cycle, unique by its natural
key, so nothing runs twice) and zyklus_tag (the days the cycle completed, for the catch-up).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0007_betrieb"
down_revision = "0006_protokoll"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zyklus_aktion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schluessel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('art', sa.String(length=40), nullable=False),
    sa.Column('faellig_am', sa.Date(), nullable=False),
    sa.Column('tag', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('versuche', sa.Integer(), nullable=False),
    sa.Column('parameter', sa.JSON(), nullable=False),
    sa.Column('lauf_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('begonnen_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beendet_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ergebnis', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schluessel')
    )
    op.create_index(op.f('ix_zyklus_aktion_art'), 'zyklus_aktion', ['art'], unique=False)
    op.create_index(op.f('ix_zyklus_aktion_status'), 'zyklus_aktion', ['status'], unique=False)
    op.create_index(op.f('ix_zyklus_aktion_tag'), 'zyklus_aktion', ['tag'], unique=False)
    op.create_table('zyklus_tag',
    sa.Column('tag', sa.Date(), nullable=False),
    sa.Column('lauf_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('beendet_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nachgeholt_ab', sa.Date(), nullable=True),
    sa.Column('aktionen', sa.Integer(), nullable=False),
    sa.Column('fehler', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tag')
    )


def downgrade() -> None:
    op.drop_table('zyklus_tag')
    op.drop_index(op.f('ix_zyklus_aktion_tag'), table_name='zyklus_aktion')
    op.drop_index(op.f('ix_zyklus_aktion_status'), table_name='zyklus_aktion')
    op.drop_index(op.f('ix_zyklus_aktion_art'), table_name='zyklus_aktion')
    op.drop_table('zyklus_aktion')
