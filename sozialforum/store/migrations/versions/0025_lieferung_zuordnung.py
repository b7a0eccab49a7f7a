"""#18 withdrawn deliveries and saved readings of the table assistant

Revision ID: 0025_lieferung_zuordnung
Revises: 0024_email_zurueck
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from sozialforum.store.models.base import UTCDateTime

revision = "0025_lieferung_zuordnung"
down_revision = "0024_email_zurueck"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datenlieferung") as batch:
        batch.add_column(sa.Column("zuordnung", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch.add_column(sa.Column("zurueckgezogen_am", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("zurueckgezogen_grund", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch.add_column(sa.Column("zurueckgezogen_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(
            sa.Column("zurueckgezogen_pruefsumme", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(sa.Column("ersetzt_durch", sa.Integer(), nullable=True))
    op.create_table(
        "tabellenzuordnung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("fingerabdruck", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("herausgeber", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("lesart", sa.JSON(), nullable=False),
        sa.Column("bestaetigt_am", UTCDateTime(), nullable=False),
        sa.Column("akteur", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("tabellenzuordnung") as batch:
        batch.create_index(batch.f("ix_tabellenzuordnung_fingerabdruck"), ["fingerabdruck"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tabellenzuordnung") as batch:
        batch.drop_index(batch.f("ix_tabellenzuordnung_fingerabdruck"))
    op.drop_table("tabellenzuordnung")
    with op.batch_alter_table("datenlieferung") as batch:
        for column in (
            "ersetzt_durch",
            "zurueckgezogen_pruefsumme",
            "zurueckgezogen_von",
            "zurueckgezogen_grund",
            "zurueckgezogen_am",
            "zuordnung",
        ):
            batch.drop_column(column)
