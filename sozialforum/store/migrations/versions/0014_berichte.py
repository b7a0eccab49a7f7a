"""#17 reports (geometries, publication levels): reserved slot, filled by that issue's work

Revision ID: 0014_berichte
Revises: 0013_strategie

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0014_berichte"
down_revision = "0013_strategie"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
