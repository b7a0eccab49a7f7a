"""#14 a contact changes her own e-mail address (confirmed by the new address)

Revision ID: 0022_email_aenderung
Revises: 0021_vertretung
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.store.models.base

revision = "0022_email_aenderung"
down_revision = "0021_vertretung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_aenderung",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("neue_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("angefordert_am", sozialforum.store.models.base.UTCDateTime(), nullable=False),
        sa.Column("bestaetigt_am", sozialforum.store.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_email_aenderung_person_id"), "email_aenderung", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_email_aenderung_person_id"), table_name="email_aenderung")
    op.drop_table("email_aenderung")
