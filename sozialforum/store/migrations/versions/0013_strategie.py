"""#15 strategy, projects and funding: reserved slot, filled by that issue's work

Revision ID: 0013_strategie
Revises: 0012_traeger

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0013_strategie"
down_revision = "0012_traeger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
