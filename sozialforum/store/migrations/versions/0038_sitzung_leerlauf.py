"""Staff sessions end when idle: the last request of each login session

Revision ID: 0038_sitzung_leerlauf
Revises: 0037_gehaltene_antwort

Sessions open at the update start without one (NULL): their login counts as their last request,
so a session idle since longer than ``portal.leerlauf_minuten`` ends at its next request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sozialforum.store.models.base import UTCDateTime

revision = "0038_sitzung_leerlauf"
down_revision = "0037_gehaltene_antwort"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benutzer_sitzung") as batch:
        batch.add_column(sa.Column("zuletzt_aktiv_am", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benutzer_sitzung") as batch:
        batch.drop_column("zuletzt_aktiv_am")
