"""invitations, outbox delivery, RSVPs

Revision ID: 0003_versand
Revises: 0002_daten

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0003_versand"
down_revision = "0002_daten"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
