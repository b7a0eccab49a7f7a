"""Träger portal (forms, users, audit of submissions)

Revision ID: 0004_portal
Revises: 0003_versand

Reserved slot in the one linear chain; the issue that owns it fills it in.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sozialforum.models.base

revision = "0004_portal"
down_revision = "0003_versand"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
