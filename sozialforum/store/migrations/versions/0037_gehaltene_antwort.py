"""Calendar replies whose sender is not proven, held for the Geschäftsstelle

Revision ID: 0037_gehaltene_antwort
Revises: 0036_totp_schritt
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0037_gehaltene_antwort"
down_revision = "0036_totp_schritt"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gehaltene_antwort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitzung_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("antwort", sa.String(length=40), nullable=False),
        sa.Column("absender", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("daten", sa.JSON(), nullable=False),
        sa.Column("fingerabdruck", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("herkunft", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("grund", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("eingegangen_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.Column("erledigt_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.Column("erledigt_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("uebernommen", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["sitzung_id"], ["sitzung.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerabdruck"),
    )
    with op.batch_alter_table("gehaltene_antwort") as batch:
        batch.create_index(batch.f("ix_gehaltene_antwort_person_id"), ["person_id"], unique=False)
        batch.create_index(batch.f("ix_gehaltene_antwort_sitzung_id"), ["sitzung_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gehaltene_antwort") as batch:
        batch.drop_index(batch.f("ix_gehaltene_antwort_sitzung_id"))
        batch.drop_index(batch.f("ix_gehaltene_antwort_person_id"))
    op.drop_table("gehaltene_antwort")
