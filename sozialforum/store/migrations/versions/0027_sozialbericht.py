"""#17 Sozialbericht: editions (Entwurf → Freigegeben) and their Handlungsempfehlungen

Revision ID: 0027_sozialbericht
Revises: 0026_oparl_erstellt
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0027_sozialbericht"
down_revision = "0026_oparl_erstellt"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "berichtsausgabe",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("titel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stichtag", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("angelegt_am", sozialforum.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("freigegeben_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.Column("freigegeben_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("dateien", sa.JSON(), nullable=False),
        sa.UniqueConstraint("stichtag"),
    )
    op.create_table(
        "handlungsempfehlung",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ausgabe_id", sa.Integer(), sa.ForeignKey("berichtsausgabe.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("titel", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("gebiet_id", sa.Integer(), sa.ForeignKey("gebiet.id"), nullable=True),
    )
    op.create_index("ix_handlungsempfehlung_ausgabe_id", "handlungsempfehlung", ["ausgabe_id"])


def downgrade() -> None:
    op.drop_index("ix_handlungsempfehlung_ausgabe_id", table_name="handlungsempfehlung")
    op.drop_table("handlungsempfehlung")
    op.drop_table("berichtsausgabe")
