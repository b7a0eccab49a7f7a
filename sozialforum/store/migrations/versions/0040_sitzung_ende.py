"""Why a staff session ended: logout, idle, a new password, a locked account, the second factor

Revision ID: 0040_sitzung_ende
Revises: 0039_kalender_generation

Sessions ended before keep NULL (the reason was not recorded). A session found idle is now
marked ended when that is detected, so the store no longer shows it as open.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040_sitzung_ende"
down_revision = "0039_kalender_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benutzer_sitzung") as batch:
        batch.add_column(sa.Column("beendet_grund", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benutzer_sitzung") as batch:
        batch.drop_column("beendet_grund")
