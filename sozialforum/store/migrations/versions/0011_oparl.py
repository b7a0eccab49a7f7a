"""#13 OParl against real council systems: File references and the cases to decide

Revision ID: 0011_oparl
Revises: 0010_arbeitsplatz

oparl_datei (File objects as references with name, mime type, size and URL),
oparl_klaerung (what the import could not decide, for the Geschäftsstelle).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0011_oparl"
down_revision = "0010_arbeitsplatz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oparl_datei",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oparl_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("art", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("dateiname", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("mime_typ", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("groesse", sa.Integer(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("download_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("datum", sa.Date(), nullable=True),
        sa.Column("sitzung_id", sa.Integer(), nullable=True),
        sa.Column("vorlage_id", sa.Integer(), nullable=True),
        sa.Column("tagesordnungspunkt_id", sa.Integer(), nullable=True),
        sa.Column("beschluss_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["beschluss_id"], ["beschluss.id"]),
        sa.ForeignKeyConstraint(["sitzung_id"], ["sitzung.id"]),
        sa.ForeignKeyConstraint(["tagesordnungspunkt_id"], ["tagesordnungspunkt.id"]),
        sa.ForeignKeyConstraint(["vorlage_id"], ["vorlage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("oparl_id"),
    )
    for column in ("sitzung_id", "vorlage_id", "tagesordnungspunkt_id", "beschluss_id"):
        op.create_index(f"ix_oparl_datei_{column}", "oparl_datei", [column], unique=False)
    op.create_table(
        "oparl_klaerung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("art", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("oparl_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("tabelle", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("datensatz_id", sa.Integer(), nullable=True),
        sa.Column("beschreibung", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("erstellt", sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erledigt", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("art", "oparl_id", name="uq_oparl_klaerung"),
    )


def downgrade() -> None:
    op.drop_table("oparl_klaerung")
    for column in ("sitzung_id", "vorlage_id", "tagesordnungspunkt_id", "beschluss_id"):
        op.drop_index(f"ix_oparl_datei_{column}", table_name="oparl_datei")
    op.drop_table("oparl_datei")
