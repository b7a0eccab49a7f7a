"""#14 a Vertretung named for a Sitzung

Revision ID: 0021_vertretung
Revises: 0020_top_dokument
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_vertretung"
down_revision = "0020_top_dokument"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.add_column(sa.Column("vertretung_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("vertretung_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.drop_column("vertretung_email")
        batch.drop_column("vertretung_name")
