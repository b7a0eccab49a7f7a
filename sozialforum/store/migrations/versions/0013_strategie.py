"""strategy, projects and funding (#15)

Revision ID: 0013_strategie
Revises: 0012_traeger

Tables: strategie (one per Fortschreibung), strategieelement (Leitsätze, Ausrichtungen, Leitlinien,
Handlungsfelder), ziel and kennzahlwert (targets and their figures), projekt_bezug, projekt_gebiet,
projekt_ressource (what a project serves, where, with which resources per year), bewertungsrunde,
projektbericht, projektbewertung (evaluation rounds), foerderaufruf, foerderantrag,
antragsbewertung, foerderentscheidung, foerderrate, verwendungsnachweis (funding procedure);
massnahme.laufzeit_von.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0013_strategie"
down_revision = "0012_traeger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('strategie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kennung', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('fassung', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('beschlossen_am', sa.Date(), nullable=True),
    sa.Column('beschluss_id', sa.Integer(), nullable=True),
    sa.Column('vorgaenger_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['beschluss_id'], ['beschluss.id'], ),
    sa.ForeignKeyConstraint(['vorgaenger_id'], ['strategie.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kennung')
    )
    op.create_table('bewertungsrunde',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kennung', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('strategie_id', sa.Integer(), nullable=True),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('zeitraum_von', sa.Integer(), nullable=False),
    sa.Column('zeitraum_bis', sa.Integer(), nullable=False),
    sa.Column('berichtsfrist', sa.Date(), nullable=False),
    sa.Column('gestartet_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['strategie_id'], ['strategie.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kennung')
    )
    op.create_table('foerderaufruf',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kennung', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('strategie_id', sa.Integer(), nullable=True),
    sa.Column('frist', sa.Date(), nullable=False),
    sa.Column('haushaltsstelle', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('mittel_eur', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('foerderjahr', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['strategie_id'], ['strategie.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kennung')
    )
    op.create_table('strategieelement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategie_id', sa.Integer(), nullable=False),
    sa.Column('art', sa.String(length=40), nullable=False),
    sa.Column('nummer', sa.Integer(), nullable=False),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['strategie_id'], ['strategie.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('strategie_id', 'art', 'nummer', name='uq_strategieelement')
    )
    with op.batch_alter_table('strategieelement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategieelement_strategie_id'), ['strategie_id'], unique=False)

    op.create_table('foerderantrag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aufruf_id', sa.Integer(), nullable=False),
    sa.Column('kennung', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('traeger_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('massnahme_id', sa.Integer(), nullable=True),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kostenplan', sa.JSON(), nullable=False),
    sa.Column('beantragt_eur', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('eingereicht_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['aufruf_id'], ['foerderaufruf.id'], ),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['traeger_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('aufruf_id', 'kennung', name='uq_foerderantrag')
    )
    with op.batch_alter_table('foerderantrag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_foerderantrag_aufruf_id'), ['aufruf_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_foerderantrag_traeger_id'), ['traeger_id'], unique=False)

    op.create_table('projekt_gebiet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('massnahme_id', sa.Integer(), nullable=False),
    sa.Column('gebiet_id', sa.Integer(), nullable=False),
    sa.Column('anteil_prozent', sa.Numeric(precision=7, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['gebiet_id'], ['gebiet.id'], ),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('massnahme_id', 'gebiet_id', name='uq_projekt_gebiet')
    )
    with op.batch_alter_table('projekt_gebiet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projekt_gebiet_massnahme_id'), ['massnahme_id'], unique=False)

    op.create_table('projekt_ressource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('massnahme_id', sa.Integer(), nullable=False),
    sa.Column('jahr', sa.Integer(), nullable=False),
    sa.Column('plan_eur', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('ist_eur', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('plan_vzae', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('ist_vzae', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('massnahme_id', 'jahr', name='uq_projekt_ressource')
    )
    with op.batch_alter_table('projekt_ressource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projekt_ressource_massnahme_id'), ['massnahme_id'], unique=False)

    op.create_table('projektbericht',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('runde_id', sa.Integer(), nullable=False),
    sa.Column('massnahme_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('angefordert_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erinnert_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('eingegangen_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('zahlen', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['runde_id'], ['bewertungsrunde.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('runde_id', 'massnahme_id', name='uq_projektbericht')
    )
    with op.batch_alter_table('projektbericht', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projektbericht_runde_id'), ['runde_id'], unique=False)

    op.create_table('ziel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kennung', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('strategie_id', sa.Integer(), nullable=False),
    sa.Column('handlungsfeld_id', sa.Integer(), nullable=True),
    sa.Column('ebene', sa.String(length=40), nullable=False),
    sa.Column('titel', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kennzahl', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('indikator', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('einheit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('zielart', sa.String(length=40), nullable=False),
    sa.Column('richtung', sa.String(length=40), nullable=False),
    sa.Column('zielwert', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('toleranz', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('basisjahr', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handlungsfeld_id'], ['strategieelement.id'], ),
    sa.ForeignKeyConstraint(['strategie_id'], ['strategie.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kennung')
    )
    with op.batch_alter_table('ziel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ziel_strategie_id'), ['strategie_id'], unique=False)

    op.create_table('antragsbewertung',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('antrag_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('punkte', sa.Integer(), nullable=False),
    sa.Column('notiz', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['antrag_id'], ['foerderantrag.id'], ),
    sa.ForeignKeyConstraint(['element_id'], ['strategieelement.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('antrag_id', 'element_id', name='uq_antragsbewertung')
    )
    with op.batch_alter_table('antragsbewertung', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_antragsbewertung_antrag_id'), ['antrag_id'], unique=False)

    op.create_table('foerderentscheidung',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('antrag_id', sa.Integer(), nullable=False),
    sa.Column('bewilligt', sa.Boolean(), nullable=False),
    sa.Column('betrag_eur', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('von', sa.Date(), nullable=True),
    sa.Column('bis', sa.Date(), nullable=True),
    sa.Column('haushaltsstelle', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('auflagen', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('begruendung', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('verwendungsnachweis_frist', sa.Date(), nullable=True),
    sa.Column('verwendungsnachweis_auftrag_id', sa.Integer(), nullable=True),
    sa.Column('entschieden_von', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('entschieden_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('bescheid_pdf', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['antrag_id'], ['foerderantrag.id'], ),
    sa.ForeignKeyConstraint(['verwendungsnachweis_auftrag_id'], ['auftrag.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('antrag_id')
    )
    op.create_table('kennzahlwert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ziel_id', sa.Integer(), nullable=False),
    sa.Column('stichtag', sa.Date(), nullable=False),
    sa.Column('gebiet_id', sa.Integer(), nullable=True),
    sa.Column('wert', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('quelle', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.ForeignKeyConstraint(['gebiet_id'], ['gebiet.id'], ),
    sa.ForeignKeyConstraint(['ziel_id'], ['ziel.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ziel_id', 'stichtag', 'gebiet_id', name='uq_kennzahlwert')
    )
    with op.batch_alter_table('kennzahlwert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kennzahlwert_ziel_id'), ['ziel_id'], unique=False)

    op.create_table('projekt_bezug',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('massnahme_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=True),
    sa.Column('ziel_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['element_id'], ['strategieelement.id'], ),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.ForeignKeyConstraint(['ziel_id'], ['ziel.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('massnahme_id', 'element_id', 'ziel_id', name='uq_projekt_bezug')
    )
    with op.batch_alter_table('projekt_bezug', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projekt_bezug_massnahme_id'), ['massnahme_id'], unique=False)

    op.create_table('projektbewertung',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('runde_id', sa.Integer(), nullable=False),
    sa.Column('massnahme_id', sa.Integer(), nullable=False),
    sa.Column('urteil', sa.String(length=40), nullable=False),
    sa.Column('begruendung', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('folgeauftrag_id', sa.Integer(), nullable=True),
    sa.Column('bewertet_von', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('bewertet_am', sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['folgeauftrag_id'], ['auftrag.id'], ),
    sa.ForeignKeyConstraint(['massnahme_id'], ['massnahme.id'], ),
    sa.ForeignKeyConstraint(['runde_id'], ['bewertungsrunde.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('runde_id', 'massnahme_id', name='uq_projektbewertung')
    )
    with op.batch_alter_table('projektbewertung', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projektbewertung_runde_id'), ['runde_id'], unique=False)

    op.create_table('foerderrate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entscheidung_id', sa.Integer(), nullable=False),
    sa.Column('nummer', sa.Integer(), nullable=False),
    sa.Column('faellig_am', sa.Date(), nullable=False),
    sa.Column('betrag_eur', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('gezahlt_am', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['entscheidung_id'], ['foerderentscheidung.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entscheidung_id', 'nummer', name='uq_foerderrate')
    )
    with op.batch_alter_table('foerderrate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_foerderrate_entscheidung_id'), ['entscheidung_id'], unique=False)

    op.create_table('verwendungsnachweis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entscheidung_id', sa.Integer(), nullable=False),
    sa.Column('eingegangen_am', sa.Date(), nullable=True),
    sa.Column('sachbericht', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ausgaben_eur', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('zahlen', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['entscheidung_id'], ['foerderentscheidung.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entscheidung_id')
    )
    with op.batch_alter_table('massnahme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('laufzeit_von', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('massnahme', schema=None) as batch_op:
        batch_op.drop_column('laufzeit_von')

    op.drop_table('verwendungsnachweis')
    with op.batch_alter_table('foerderrate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_foerderrate_entscheidung_id'))

    op.drop_table('foerderrate')
    with op.batch_alter_table('projektbewertung', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projektbewertung_runde_id'))

    op.drop_table('projektbewertung')
    with op.batch_alter_table('projekt_bezug', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projekt_bezug_massnahme_id'))

    op.drop_table('projekt_bezug')
    with op.batch_alter_table('kennzahlwert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kennzahlwert_ziel_id'))

    op.drop_table('kennzahlwert')
    op.drop_table('foerderentscheidung')
    with op.batch_alter_table('antragsbewertung', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_antragsbewertung_antrag_id'))

    op.drop_table('antragsbewertung')
    with op.batch_alter_table('ziel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ziel_strategie_id'))

    op.drop_table('ziel')
    with op.batch_alter_table('projektbericht', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projektbericht_runde_id'))

    op.drop_table('projektbericht')
    with op.batch_alter_table('projekt_ressource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projekt_ressource_massnahme_id'))

    op.drop_table('projekt_ressource')
    with op.batch_alter_table('projekt_gebiet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projekt_gebiet_massnahme_id'))

    op.drop_table('projekt_gebiet')
    with op.batch_alter_table('foerderantrag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_foerderantrag_traeger_id'))
        batch_op.drop_index(batch_op.f('ix_foerderantrag_aufruf_id'))

    op.drop_table('foerderantrag')
    with op.batch_alter_table('strategieelement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategieelement_strategie_id'))

    op.drop_table('strategieelement')
    op.drop_table('foerderaufruf')
    op.drop_table('bewertungsrunde')
    op.drop_table('strategie')
