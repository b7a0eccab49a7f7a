"""data refresh (indicator catalogue, values, budgets)

Revision ID: 0002_daten
Revises: 0001_foundation

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0002_daten"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
