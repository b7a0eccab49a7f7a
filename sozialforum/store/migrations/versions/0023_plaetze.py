"""#14 places per Sitzung and a waiting list

Revision ID: 0023_plaetze
Revises: 0022_email_aenderung
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_plaetze"
down_revision = "0022_email_aenderung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gremium") as batch:
        batch.add_column(sa.Column("plaetze", sa.Integer(), nullable=True))
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.add_column(sa.Column("warteliste", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("rueckmeldung") as batch:
        batch.drop_column("warteliste")
    with op.batch_alter_table("gremium") as batch:
        batch.drop_column("plaetze")
