"""#12 the workspace: long work started from its pages runs as flow runs; who entered an answer by hand

Revision ID: 0017_arbeitslauf
Revises: 0016_verteilt
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0017_arbeitslauf"
down_revision = "0016_verteilt"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "arbeitslauf",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("art", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("titel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("parameter", sa.JSON(), nullable=False),
        sa.Column("gestartet_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("gestartet_am", sozialforum.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("zustand", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("fortschritt", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("ergebnis", sa.JSON(), nullable=False),
        sa.Column("fehler", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("beendet_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_arbeitslauf_gestartet_am"), "arbeitslauf", ["gestartet_am"], unique=False)
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.add_column(sa.Column("erfasst_von", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.drop_column("erfasst_von")
    op.drop_index(op.f("ix_arbeitslauf_gestartet_am"), table_name="arbeitslauf")
    op.drop_table("arbeitslauf")
