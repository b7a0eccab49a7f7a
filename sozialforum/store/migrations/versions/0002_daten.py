"""data refresh (indicator catalogue, values, budgets)

Revision ID: 0002_daten
Revises: 0001_foundation

Column chunks of delivered values and computed results, benchmark values of Vergleichsgebiete,
computations, entitlements to Gemeinde detail, Sozialraumbudgets; catalogue and provenance
columns on indikator, datenlieferung and indikatorwert.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0002_daten"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

Instant = sozialforum.store.models.base.UTCDateTime
Text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "berechnung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("berechnet_am", Instant(timezone=True), nullable=False),
        sa.Column("eingaben", Text(length=64), nullable=False),
        sa.Column("katalog_pruefsumme", Text(length=64), nullable=False),
        sa.Column("definitionen", sa.JSON(), nullable=False),
        sa.Column("stichtage", sa.JSON(), nullable=False),
        sa.Column("zusammenfassung", sa.JSON(), nullable=False),
        sa.Column("akteur", Text(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("berechnung", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_berechnung_eingaben"), ["eingaben"], unique=False)

    op.create_table(
        "wertespalte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("datenlieferung_id", sa.Integer(), nullable=False),
        sa.Column("merkmal", Text(length=80), nullable=False),
        sa.Column("stichtag", sa.Date(), nullable=False),
        sa.Column("anzahl", sa.Integer(), nullable=False),
        sa.Column("daten", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["datenlieferung_id"], ["datenlieferung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("datenlieferung_id", "merkmal", "stichtag", name="uq_wertespalte"),
    )
    with op.batch_alter_table("wertespalte", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wertespalte_datenlieferung_id"), ["datenlieferung_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wertespalte_merkmal"), ["merkmal"], unique=False)
        batch_op.create_index(batch_op.f("ix_wertespalte_stichtag"), ["stichtag"], unique=False)

    op.create_table(
        "vergleichswert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("datenlieferung_id", sa.Integer(), nullable=False),
        sa.Column("schluessel", Text(length=12), nullable=False),
        sa.Column("merkmal", Text(length=80), nullable=False),
        sa.Column("stichtag", sa.Date(), nullable=False),
        sa.Column("wert", sa.Float(), nullable=True),
        sa.Column("fehlend", Text(length=5), nullable=True),
        sa.ForeignKeyConstraint(["datenlieferung_id"], ["datenlieferung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("datenlieferung_id", "schluessel", "merkmal", "stichtag",
                            name="uq_vergleichswert"),
    )
    with op.batch_alter_table("vergleichswert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vergleichswert_datenlieferung_id"), ["datenlieferung_id"], unique=False)

    op.create_table(
        "ergebnisspalte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("berechnung_id", sa.Integer(), nullable=False),
        sa.Column("art", Text(length=20), nullable=False),
        sa.Column("kennung", Text(length=80), nullable=False),
        sa.Column("stichtag", sa.Date(), nullable=False),
        sa.Column("daten", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["berechnung_id"], ["berechnung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("berechnung_id", "art", "kennung", "stichtag", name="uq_ergebnisspalte"),
    )
    with op.batch_alter_table("ergebnisspalte", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ergebnisspalte_berechnung_id"), ["berechnung_id"], unique=False)

    op.create_table(
        "datenfreigabe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("gebiet_id", sa.Integer(), nullable=False),
        sa.Column("erteilt_am", sa.Date(), nullable=False),
        sa.Column("bemerkung", Text(length=300), nullable=True),
        sa.ForeignKeyConstraint(["gebiet_id"], ["gebiet.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "gebiet_id", name="uq_datenfreigabe"),
    )
    with op.batch_alter_table("datenfreigabe", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datenfreigabe_gebiet_id"), ["gebiet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datenfreigabe_person_id"), ["person_id"], unique=False)

    op.create_table(
        "budgetverteilung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kennung", Text(length=60), nullable=False),
        sa.Column("haushaltsjahr", sa.Integer(), nullable=False),
        sa.Column("stichtag", sa.Date(), nullable=False),
        sa.Column("gesamt", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("berechnung_id", sa.Integer(), nullable=True),
        sa.Column("erstellt_am", Instant(timezone=True), nullable=False),
        sa.Column("herleitung", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["berechnung_id"], ["berechnung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kennung", "haushaltsjahr", name="uq_budgetverteilung"),
    )
    op.create_table(
        "budgetanteil",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verteilung_id", sa.Integer(), nullable=False),
        sa.Column("gebiet_id", sa.Integer(), nullable=False),
        sa.Column("betrag", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["gebiet_id"], ["gebiet.id"]),
        sa.ForeignKeyConstraint(["verteilung_id"], ["budgetverteilung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("verteilung_id", "gebiet_id", name="uq_budgetanteil"),
    )
    with op.batch_alter_table("budgetanteil", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budgetanteil_verteilung_id"), ["verteilung_id"], unique=False)

    with op.batch_alter_table("indikator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definitionsschluessel", Text(length=16), nullable=True))
        batch_op.add_column(sa.Column("aktualisierung", Text(length=100), nullable=True))
        batch_op.add_column(sa.Column("im_index", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("ziel", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("vergleich", sa.JSON(), nullable=True))
    with op.batch_alter_table("datenlieferung", schema=None) as batch_op:
        batch_op.add_column(sa.Column("format", Text(length=20), nullable=True))
        batch_op.add_column(sa.Column("quelle", Text(length=80), nullable=True))
        batch_op.add_column(sa.Column("tabelle", Text(length=40), nullable=True))
        batch_op.add_column(sa.Column("werte", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("stichtage", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("hinweise", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("akteur", Text(length=200), nullable=True))
    with op.batch_alter_table("indikatorwert", schema=None) as batch_op:
        batch_op.alter_column("fehlend", existing_type=Text(length=4), type_=Text(length=5),
                              existing_nullable=True)
        batch_op.add_column(sa.Column("berechnung_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("definitionsschluessel", Text(length=16), nullable=True))
        batch_op.add_column(sa.Column("veraenderung", sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f("ix_indikatorwert_berechnung_id"), ["berechnung_id"], unique=False)
        batch_op.create_foreign_key("fk_indikatorwert_berechnung", "berechnung", ["berechnung_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("indikatorwert", schema=None) as batch_op:
        batch_op.drop_constraint("fk_indikatorwert_berechnung", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_indikatorwert_berechnung_id"))
        batch_op.drop_column("veraenderung")
        batch_op.drop_column("definitionsschluessel")
        batch_op.drop_column("berechnung_id")
        batch_op.alter_column("fehlend", existing_type=Text(length=5), type_=Text(length=4),
                              existing_nullable=True)
    with op.batch_alter_table("datenlieferung", schema=None) as batch_op:
        for column in ("akteur", "hinweise", "stichtage", "werte", "tabelle", "quelle", "format"):
            batch_op.drop_column(column)
    with op.batch_alter_table("indikator", schema=None) as batch_op:
        for column in ("vergleich", "ziel", "im_index", "aktualisierung", "definitionsschluessel"):
            batch_op.drop_column(column)
    with op.batch_alter_table("budgetanteil", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgetanteil_verteilung_id"))
    op.drop_table("budgetanteil")
    op.drop_table("budgetverteilung")
    with op.batch_alter_table("datenfreigabe", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datenfreigabe_person_id"))
        batch_op.drop_index(batch_op.f("ix_datenfreigabe_gebiet_id"))
    op.drop_table("datenfreigabe")
    with op.batch_alter_table("ergebnisspalte", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ergebnisspalte_berechnung_id"))
    op.drop_table("ergebnisspalte")
    with op.batch_alter_table("vergleichswert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vergleichswert_datenlieferung_id"))
    op.drop_table("vergleichswert")
    with op.batch_alter_table("wertespalte", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wertespalte_stichtag"))
        batch_op.drop_index(batch_op.f("ix_wertespalte_merkmal"))
        batch_op.drop_index(batch_op.f("ix_wertespalte_datenlieferung_id"))
    op.drop_table("wertespalte")
    with op.batch_alter_table("berechnung", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_berechnung_eingaben"))
    op.drop_table("berechnung")
