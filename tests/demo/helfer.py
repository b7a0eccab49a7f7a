"""The demo Landkreis in a test's store, with the Gremium the pictures and the demo steps use."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from sozialforum.demo import load_demo
from sozialforum.store.models import Gremium
from sozialforum.vocab import GremiumArt


def demo_konferenz(session: Session) -> int:
    """Loads the demo and returns the id of its first Sozialraumkonferenz."""
    load_demo(session)
    gremium = session.scalars(
        sa.select(Gremium).where(Gremium.art == GremiumArt.SOZIALRAUMKONFERENZ).order_by(Gremium.id)
    ).first()
    assert gremium is not None and gremium.id is not None
    return gremium.id
