"""Import from a live OParl API: system or body URL in, every list read, incrementally.

The first run reads everything; later runs ask each list only for what changed since the last
complete run (``modified_since``, OParl 1.1 §5.4), with an hour of overlap against clock skew —
the import is idempotent, so reading an object twice costs nothing. The time of a run is stored
only when the whole run succeeded, so a failed run is simply repeated in full next time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.oparl.client import OparlClient
from sozialforum.oparl.importer import import_objekte
from sozialforum.oparl.lesen import Maengel, is_url, typ_of
from sozialforum.oparl.speicher import ImportBericht
from sozialforum.store.models import OparlAbruf
from sozialforum.timeutil import as_utc

LISTS = ("organization", "person", "membership", "meeting", "agendaItem", "paper", "consultation")
OVERLAP = timedelta(hours=1)


def _bodies(client: OparlClient, url: str) -> list[dict[str, Any]]:
    entry = client.get_object(url)
    if entry is None:
        return []
    kind = typ_of(entry)
    if kind and kind[0] == "Body":
        return [entry]
    if kind and kind[0] == "System":
        body = entry.get("body")
        if is_url(body):
            return list(client.iter_list(str(body)))
        if isinstance(body, list):  # some servers embed the bodies
            return [b for b in body if isinstance(b, dict)]
    client.maengel.melde(url, "type", "weder System noch Body: nichts zu importieren")
    return []


def _last_run(session: Session, url: str) -> OparlAbruf | None:
    return session.scalars(sa.select(OparlAbruf).where(OparlAbruf.url == url)).first()


def abruf(
    session: Session, url: str, *, now: datetime, voll: bool = False, client: OparlClient | None = None
) -> ImportBericht:
    """Import everything the API at ``url`` offers (changes only, unless ``voll``)."""
    maengel = client.maengel if client else Maengel()
    own = client is None
    client = client or OparlClient(maengel)
    try:
        objects: list[dict[str, Any]] = []
        done: dict[str, int] = {}
        for body in _bodies(client, url):
            for name in LISTS:
                list_url = body.get(name)
                if not is_url(list_url):
                    continue
                state = None if voll else _last_run(session, str(list_url))
                since = (state.letzter_abruf - OVERLAP) if state else None
                items = list(client.iter_list(str(list_url), modified_since=since))
                objects.extend(items)
                done[str(list_url)] = len(items)
        report = import_objekte(session, objects, now=now, fetch=client.get_object)
        for list_url, count in done.items():
            state = _last_run(session, list_url)
            if state is None:
                session.add(OparlAbruf(url=list_url, letzter_abruf=as_utc(now), objekte=count))
            else:
                state.letzter_abruf, state.objekte = as_utc(now), count
        session.flush()
        report.abgerufen = client.requests
        report.maengel = list(maengel.liste) + [m for m in report.maengel if m not in maengel.liste]
        return report
    finally:
        if own:
            client.close()


def lade_dateien(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Objects from JSON files: one object, a plain array, or an OParl list page each."""
    objects: list[dict[str, Any]] = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        objects.extend(data if isinstance(data, list) else [data])
    return objects
