"""Träger portal (forms, users, audit of submissions)

Revision ID: 0004_portal
Revises: 0003_versand

Geschäftsstelle users and login sessions, failed-attempt counters (rate limiting), form
requests with answers and their versions, topic proposals.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0004_portal"
down_revision = "0003_versand"
branch_labels = None
depends_on = None

UTC = sozialforum.store.models.base.UTCDateTime


def _string(length: int | None = None) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length) if length else sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "benutzer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _string(80), nullable=False),
        sa.Column("anzeigename", _string(200), nullable=False),
        sa.Column("passwort_hash", _string(300), nullable=False),
        sa.Column("aktiv", sa.Boolean(), nullable=False),
        sa.Column("erstellt_am", UTC(timezone=True), nullable=False),
        sa.Column("letzte_anmeldung_am", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "fehlversuch",
        sa.Column("schluessel", _string(200), nullable=False),
        sa.Column("anzahl", sa.Integer(), nullable=False),
        sa.Column("fenster_beginn", UTC(timezone=True), nullable=False),
        sa.Column("gesperrt_bis", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("schluessel"),
    )
    op.create_table(
        "benutzer_sitzung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _string(64), nullable=False),
        sa.Column("benutzer_id", sa.Integer(), nullable=False),
        sa.Column("erstellt_am", UTC(timezone=True), nullable=False),
        sa.Column("gueltig_bis", UTC(timezone=True), nullable=False),
        sa.Column("beendet_am", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["benutzer_id"], ["benutzer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_benutzer_sitzung_benutzer_id"), "benutzer_sitzung", ["benutzer_id"], unique=False)
    op.create_table(
        "formular_anfrage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("formular", _string(60), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("bezug_id", sa.Integer(), nullable=False),
        sa.Column("frist", sa.Date(), nullable=True),
        sa.Column("erstellt_am", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("formular", "organisation_id", "bezug_id", name="uq_formular_anfrage"),
    )
    op.create_index(op.f("ix_formular_anfrage_formular"), "formular_anfrage", ["formular"], unique=False)
    op.create_index(op.f("ix_formular_anfrage_organisation_id"), "formular_anfrage", ["organisation_id"], unique=False)
    op.create_table(
        "formular_antwort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anfrage_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("werte", sa.JSON(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("eingereicht_am", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["anfrage_id"], ["formular_anfrage.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("anfrage_id"),
    )
    op.create_index(op.f("ix_formular_antwort_person_id"), "formular_antwort", ["person_id"], unique=False)
    op.create_table(
        "formular_antwort_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("antwort_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("werte", sa.JSON(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("eingereicht_am", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["antwort_id"], ["formular_antwort.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("antwort_id", "version", name="uq_formular_version"),
    )
    op.create_index(op.f("ix_formular_antwort_version_antwort_id"), "formular_antwort_version", ["antwort_id"], unique=False)
    op.create_index(op.f("ix_formular_antwort_version_person_id"), "formular_antwort_version", ["person_id"], unique=False)
    op.create_table(
        "themenvorschlag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitzung_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("titel", _string(300), nullable=False),
        sa.Column("begruendung", _string(), nullable=True),
        sa.Column("dauer_minuten", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("tagesordnungspunkt_id", sa.Integer(), nullable=True),
        sa.Column("eingereicht_am", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["sitzung_id"], ["sitzung.id"]),
        sa.ForeignKeyConstraint(["tagesordnungspunkt_id"], ["tagesordnungspunkt.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_themenvorschlag_organisation_id"), "themenvorschlag", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_themenvorschlag_person_id"), "themenvorschlag", ["person_id"], unique=False)
    op.create_index(op.f("ix_themenvorschlag_sitzung_id"), "themenvorschlag", ["sitzung_id"], unique=False)


def downgrade() -> None:
    for index, table in (
        ("ix_themenvorschlag_sitzung_id", "themenvorschlag"),
        ("ix_themenvorschlag_person_id", "themenvorschlag"),
        ("ix_themenvorschlag_organisation_id", "themenvorschlag"),
        ("ix_formular_antwort_version_person_id", "formular_antwort_version"),
        ("ix_formular_antwort_version_antwort_id", "formular_antwort_version"),
        ("ix_formular_antwort_person_id", "formular_antwort"),
        ("ix_formular_anfrage_organisation_id", "formular_anfrage"),
        ("ix_formular_anfrage_formular", "formular_anfrage"),
        ("ix_benutzer_sitzung_benutzer_id", "benutzer_sitzung"),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in (
        "themenvorschlag", "formular_antwort_version", "formular_antwort", "formular_anfrage",
        "benutzer_sitzung", "fehlversuch", "benutzer",
    ):
        op.drop_table(table)
