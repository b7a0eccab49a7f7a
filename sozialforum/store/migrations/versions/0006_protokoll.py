"""minutes workflow

Revision ID: 0006_protokoll
Revises: 0005_fristen

Tables: protokoll (one per Sitzung), protokoll_version, protokoll_eintrag (per TOP),
protokoll_punkt (Aufträge/Empfehlungen of a version), protokoll_kommentar, protokoll_freigabe
(one decision per version), protokoll_datei (uploaded drafts, archived final minutes).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0006_protokoll"
down_revision = "0005_fristen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('protokoll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitzung_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('protokollfuehrung_person_id', sa.Integer(), nullable=True),
    sa.Column('angefordert_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entwurf_frist', sa.Date(), nullable=False),
    sa.Column('erinnert_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('eskaliert_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('aktuelle_version', sa.Integer(), nullable=False),
    sa.Column('kommentar_bis', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('freigegeben_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verteilt_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('freigabe_lauf_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('freigabe_erinnerungen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['protokollfuehrung_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['sitzung_id'], ['sitzung.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sitzung_id')
    )
    op.create_index(op.f('ix_protokoll_protokollfuehrung_person_id'), 'protokoll', ['protokollfuehrung_person_id'], unique=False)
    op.create_index(op.f('ix_protokoll_status'), 'protokoll', ['status'], unique=False)
    op.create_table('protokoll_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protokoll_id', sa.Integer(), nullable=False),
    sa.Column('nummer', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('eingereicht_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('eingereicht_von_person_id', sa.Integer(), nullable=True),
    sa.Column('anmerkung', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['eingereicht_von_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['protokoll_id'], ['protokoll.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('protokoll_id', 'nummer', name='uq_protokoll_version')
    )
    op.create_index(op.f('ix_protokoll_version_protokoll_id'), 'protokoll_version', ['protokoll_id'], unique=False)
    op.create_table('protokoll_datei',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protokoll_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('art', sa.String(length=40), nullable=False),
    sa.Column('dateiname', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('mimetype', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('groesse', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('inhalt', sa.LargeBinary(), nullable=False),
    sa.Column('erstellt_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['protokoll_id'], ['protokoll.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['protokoll_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('protokoll_id', 'version_id', 'art', name='uq_protokoll_datei')
    )
    op.create_index(op.f('ix_protokoll_datei_protokoll_id'), 'protokoll_datei', ['protokoll_id'], unique=False)
    op.create_index(op.f('ix_protokoll_datei_version_id'), 'protokoll_datei', ['version_id'], unique=False)
    op.create_table('protokoll_eintrag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('tagesordnungspunkt_id', sa.Integer(), nullable=True),
    sa.Column('reihenfolge', sa.Integer(), nullable=False),
    sa.Column('nummer', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('diskussion', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ergebnis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['tagesordnungspunkt_id'], ['tagesordnungspunkt.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['protokoll_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_protokoll_eintrag_version_id'), 'protokoll_eintrag', ['version_id'], unique=False)
    op.create_table('protokoll_freigabe',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protokoll_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('entscheidung', sa.String(length=40), nullable=False),
    sa.Column('anmerkungen', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entschieden_von', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quelle', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entschieden_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['protokoll_id'], ['protokoll.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['protokoll_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id')
    )
    op.create_index(op.f('ix_protokoll_freigabe_protokoll_id'), 'protokoll_freigabe', ['protokoll_id'], unique=False)
    op.create_table('protokoll_kommentar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protokoll_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tagesordnungspunkt_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('erstellt_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['protokoll_id'], ['protokoll.id'], ),
    sa.ForeignKeyConstraint(['tagesordnungspunkt_id'], ['tagesordnungspunkt.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['protokoll_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_protokoll_kommentar_person_id'), 'protokoll_kommentar', ['person_id'], unique=False)
    op.create_index(op.f('ix_protokoll_kommentar_protokoll_id'), 'protokoll_kommentar', ['protokoll_id'], unique=False)
    op.create_index(op.f('ix_protokoll_kommentar_version_id'), 'protokoll_kommentar', ['version_id'], unique=False)
    op.create_table('protokoll_punkt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('tagesordnungspunkt_id', sa.Integer(), nullable=True),
    sa.Column('reihenfolge', sa.Integer(), nullable=False),
    sa.Column('art', sa.String(length=40), nullable=False),
    sa.Column('beschreibung', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('verantwortlich_person_id', sa.Integer(), nullable=True),
    sa.Column('verantwortlich_organisation_id', sa.Integer(), nullable=True),
    sa.Column('frist', sa.Date(), nullable=False),
    sa.Column('auftrag_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['auftrag_id'], ['auftrag.id'], ),
    sa.ForeignKeyConstraint(['tagesordnungspunkt_id'], ['tagesordnungspunkt.id'], ),
    sa.ForeignKeyConstraint(['verantwortlich_organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['verantwortlich_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['protokoll_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_protokoll_punkt_version_id'), 'protokoll_punkt', ['version_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_protokoll_punkt_version_id'), table_name='protokoll_punkt')
    op.drop_table('protokoll_punkt')
    op.drop_index(op.f('ix_protokoll_kommentar_version_id'), table_name='protokoll_kommentar')
    op.drop_index(op.f('ix_protokoll_kommentar_protokoll_id'), table_name='protokoll_kommentar')
    op.drop_index(op.f('ix_protokoll_kommentar_person_id'), table_name='protokoll_kommentar')
    op.drop_table('protokoll_kommentar')
    op.drop_index(op.f('ix_protokoll_freigabe_protokoll_id'), table_name='protokoll_freigabe')
    op.drop_table('protokoll_freigabe')
    op.drop_index(op.f('ix_protokoll_eintrag_version_id'), table_name='protokoll_eintrag')
    op.drop_table('protokoll_eintrag')
    op.drop_index(op.f('ix_protokoll_datei_version_id'), table_name='protokoll_datei')
    op.drop_index(op.f('ix_protokoll_datei_protokoll_id'), table_name='protokoll_datei')
    op.drop_table('protokoll_datei')
    op.drop_index(op.f('ix_protokoll_version_protokoll_id'), table_name='protokoll_version')
    op.drop_table('protokoll_version')
    op.drop_index(op.f('ix_protokoll_status'), table_name='protokoll')
    op.drop_index(op.f('ix_protokoll_protokollfuehrung_person_id'), table_name='protokoll')
    op.drop_table('protokoll')
