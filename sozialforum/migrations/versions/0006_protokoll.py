"""minutes workflow

Revision ID: 0006_protokoll
Revises: 0005_fristen

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0006_protokoll"
down_revision = "0005_fristen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
