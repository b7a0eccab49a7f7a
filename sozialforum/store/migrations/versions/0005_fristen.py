"""deadlines, reminders, Beschluss tracking, OParl

Revision ID: 0005_fristen
Revises: 0004_portal

Tables: frist_erinnerung (reminders decided, unique key), fachplan_meilenstein,
oparl_objekt (OParl id map), oparl_abruf (modified_since state).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0005_fristen"
down_revision = "0004_portal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oparl_abruf',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('letzter_abruf', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('objekte', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    op.create_table('oparl_objekt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oparl_id', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('typ', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('tabelle', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('datensatz_id', sa.Integer(), nullable=True),
    sa.Column('modified', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('geloescht', sa.Boolean(), nullable=False),
    sa.Column('zuletzt_gesehen', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('oparl_id')
    )
    op.create_index('ix_oparl_objekt_ziel', 'oparl_objekt', ['tabelle', 'datensatz_id'], unique=False)
    op.create_table('frist_erinnerung',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schluessel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('frist_ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('faellig_am', sa.Date(), nullable=False),
    sa.Column('stufe', sa.Integer(), nullable=False),
    sa.Column('art', sa.String(length=40), nullable=False),
    sa.Column('empfaenger', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('outbox_schluessel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('erstellt_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schluessel')
    )
    op.create_index(op.f('ix_frist_erinnerung_person_id'), 'frist_erinnerung', ['person_id'], unique=False)
    op.create_index('ix_frist_erinnerung_ref_faellig', 'frist_erinnerung', ['frist_ref', 'faellig_am'], unique=False)
    op.create_index('ix_frist_erinnerung_art_faellig', 'frist_erinnerung', ['art', 'faellig_am'], unique=False)
    op.create_table('fachplan_meilenstein',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fachplan_id', sa.Integer(), nullable=False),
    sa.Column('zyklus_faellig', sa.Date(), nullable=False),
    sa.Column('meilenstein', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('faellig_am', sa.Date(), nullable=True),
    sa.Column('erledigt_am', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['fachplan_id'], ['fachplan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fachplan_id', 'zyklus_faellig', 'meilenstein', name='uq_fachplan_meilenstein')
    )
    op.create_index(op.f('ix_fachplan_meilenstein_fachplan_id'), 'fachplan_meilenstein', ['fachplan_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fachplan_meilenstein_fachplan_id'), table_name='fachplan_meilenstein')
    op.drop_table('fachplan_meilenstein')
    op.drop_index('ix_frist_erinnerung_art_faellig', table_name='frist_erinnerung')
    op.drop_index('ix_frist_erinnerung_ref_faellig', table_name='frist_erinnerung')
    op.drop_index(op.f('ix_frist_erinnerung_person_id'), table_name='frist_erinnerung')
    op.drop_table('frist_erinnerung')
    op.drop_index('ix_oparl_objekt_ziel', table_name='oparl_objekt')
    op.drop_table('oparl_objekt')
    op.drop_table('oparl_abruf')
