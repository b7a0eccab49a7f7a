"""Geometries in the store, versioned with the Gebietsstand.

``laden`` reads a file (geometrie.lies_flaechen) against the areas valid on the Gebietsstand and
stores full and simplified borders for it — all or nothing: a file that matches no area stores
nothing. ``flaechen_am`` gives each area's latest border valid on a day, for the maps.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.karten.geometrie import ZIEL_CRS, Flaeche, Zuordnung, lies_flaechen, vereinfacht
from sozialforum.store.models import Gebiet, GebietGeometrie


def gebiete_am(session: Session, stand: date, ebene: str | None = None) -> dict[str, Gebiet]:
    rows = session.scalars(sa.select(Gebiet)).all()
    return {g.schluessel: g for g in rows if g.valid_on(stand) and (ebene is None or g.ebene == ebene)}


def laden(
    session: Session,
    path: Path,
    *,
    stand: date,
    now: datetime,
    ebene: str | None = "sozialraum",
    toleranz_m: float = 20.0,
    schluessel_feld: str | None = None,
    name_feld: str | None = None,
    crs_falls_fehlt: str | None = None,
) -> Zuordnung:
    """Store the borders of ``path`` for the Gebietsstand ``stand``; loading the same file again
    replaces that version (nothing doubles)."""
    areas = gebiete_am(session, stand, ebene)
    result = lies_flaechen(
        path,
        {k: g.name for k, g in areas.items()},
        schluessel_feld=schluessel_feld,
        name_feld=name_feld,
        crs_falls_fehlt=crs_falls_fehlt,
    )
    if not result.flaechen:
        raise ValueError(f"{path.name}: kein Objekt der Datei passt zu einem Gebiet (Gebietsstand {stand:%d.%m.%Y})")
    display = {f.schluessel: f.geometrie for f in vereinfacht(result.flaechen, toleranz_m)}
    for flaeche in result.flaechen:
        gebiet_id = areas[flaeche.schluessel].id
        row = session.scalars(
            sa.select(GebietGeometrie).where(
                col(GebietGeometrie.gebiet_id) == gebiet_id, col(GebietGeometrie.gueltig_ab) == stand
            )
        ).first() or GebietGeometrie(
            gebiet_id=gebiet_id or 0, gueltig_ab=stand, geometrie=b"", anzeige=b"", quelle="", geladen_am=now
        )
        row.crs = ZIEL_CRS
        row.geometrie = shapely.to_wkb(flaeche.geometrie)
        row.anzeige = shapely.to_wkb(display[flaeche.schluessel])
        row.quelle = path.name[:300]
        row.geladen_am = now
        session.add(row)
    session.flush()
    return result


def flaechen_am(
    session: Session, day: date, *, anzeige: bool = True, ebene: str | None = "sozialraum"
) -> list[Flaeche]:
    """Each area valid on ``day`` with its latest border from on or before ``day``."""
    areas = gebiete_am(session, day, ebene)
    by_id = {g.id: g for g in areas.values()}
    latest: dict[int, GebietGeometrie] = {}
    rows = session.scalars(
        sa.select(GebietGeometrie)
        .where(col(GebietGeometrie.gueltig_ab) <= day)
        .order_by(col(GebietGeometrie.gueltig_ab))
    )
    for row in rows:
        if row.gebiet_id in by_id:
            latest[row.gebiet_id] = row
    out = []
    for gebiet_id, row in latest.items():
        gebiet = by_id[gebiet_id]
        out.append(Flaeche(gebiet.schluessel, gebiet.name, shapely.from_wkb(row.anzeige if anzeige else row.geometrie)))
    return sorted(out, key=lambda f: f.schluessel)
