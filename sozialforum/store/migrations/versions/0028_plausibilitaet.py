"""#18 findings of the plausibility report per delivery, with who accepted them

Revision ID: 0028_plausibilitaet
Revises: 0027_sozialbericht
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0028_plausibilitaet"
down_revision = "0027_sozialbericht"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plausibilitaetsbefund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("datenlieferung_id", sa.Integer(), nullable=False),
        sa.Column("art", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("gebiet", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("merkmal", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("stichtag", sa.Date(), nullable=True),
        sa.Column("zeile", sa.Integer(), nullable=True),
        sa.Column("spalte", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("meldung", sa.Text(), nullable=False),
        sa.Column("akzeptiert_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.Column("akzeptiert_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("begruendung", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["datenlieferung_id"], ["datenlieferung.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plausibilitaetsbefund") as batch:
        batch.create_index(batch.f("ix_plausibilitaetsbefund_datenlieferung_id"), ["datenlieferung_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plausibilitaetsbefund") as batch:
        batch.drop_index(batch.f("ix_plausibilitaetsbefund_datenlieferung_id"))
    op.drop_table("plausibilitaetsbefund")
