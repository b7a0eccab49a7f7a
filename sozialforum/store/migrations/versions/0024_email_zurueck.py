"""#14 the owner of the old address can take a confirmed address change back

Revision ID: 0024_email_zurueck
Revises: 0023_plaetze
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0024_email_zurueck"
down_revision = "0023_plaetze"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_aenderung") as batch:
        batch.add_column(sa.Column("alte_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch.add_column(sa.Column("zurueckgenommen_am", sozialforum.store.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("email_aenderung") as batch:
        batch.drop_column("zurueckgenommen_am")
        batch.drop_column("alte_email")
