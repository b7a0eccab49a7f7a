"""Where a map's borders come from: the file each area's border was loaded from (its name without
the suffix), printed under every map beside the data's source. The demo's file is named
"Schematische Demo-Grenzen (keine amtlichen Grenzen)", so its maps say what they are."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Gebiet, GebietGeometrie


def grenzen_quelle(session: Session, day: date, ebene: str | None = "sozialraum") -> str:
    """The sources of the borders a map of ``ebene`` on ``day`` draws (each area's latest border
    from on or before ``day``, as ``speicher.flaechen_am`` picks them), in order, without doubles."""
    query = (
        sa.select(col(GebietGeometrie.gebiet_id), col(GebietGeometrie.quelle))
        .join(Gebiet, col(Gebiet.id) == col(GebietGeometrie.gebiet_id))
        .where(col(GebietGeometrie.gueltig_ab) <= day)
        .order_by(col(GebietGeometrie.gueltig_ab))
    )
    if ebene is not None:
        query = query.where(col(Gebiet.ebene) == ebene)
    latest = dict(session.execute(query).tuples().all())
    return ", ".join(dict.fromkeys(PurePath(quelle).stem for quelle in sorted(latest.values())))
