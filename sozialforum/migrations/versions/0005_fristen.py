"""deadlines, reminders, Beschluss tracking, OParl

Revision ID: 0005_fristen
Revises: 0004_portal

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0005_fristen"
down_revision = "0004_portal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
