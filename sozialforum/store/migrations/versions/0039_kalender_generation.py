"""Calendar feed addresses that can be withdrawn: a generation per person and Gremium in the token

Revision ID: 0039_kalender_generation
Revises: 0038_sitzung_leerlauf

Every row starts at generation 0, whose token is the one issued before (``konferenz.feeds``):
subscribed calendars keep their feed across the update.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039_kalender_generation"
down_revision = "0038_sitzung_leerlauf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("person", "gremium"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("kalender_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    # Not batch mode: copying ``person`` drops the original, which the rows of other tables
    # reference, and SQLite's enforced foreign keys refuse that. Both SQLite (3.35+) and
    # PostgreSQL drop a plain column in place.
    for table in ("person", "gremium"):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN kalender_generation"))
