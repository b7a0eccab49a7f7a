"""operations (planning cycle bookkeeping)

Revision ID: 0007_betrieb
Revises: 0006_protokoll

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0007_betrieb"
down_revision = "0006_protokoll"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
