"""#12 staff login against the directory (LDAP): where an account's password is checked

Revision ID: 0019_verzeichnis
Revises: 0018_auftrag_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_verzeichnis"
down_revision = "0018_auftrag_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benutzer") as batch:
        batch.add_column(sa.Column("quelle", sa.String(length=20), server_default="lokal", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("benutzer") as batch:
        batch.drop_column("quelle")
