"""Import from a live OParl API: system or body URL in, every list read, incrementally.

The first run reads everything; later runs ask each list only for what changed since the last
*complete* reading of that list (``modified_since``, OParl 1.1 §5.4), with an hour of overlap
against clock skew — the import is idempotent, so reading an object twice costs nothing.

Nothing may be lost: a list whose pages were not all read keeps its old state (so the next run
asks for the same changes again, or for everything if it was never read completely), what was read
is imported all the same, and the report names every gap (``ImportBericht.fehlend``; the CLI and
the flow end unsuccessfully on it). All of one run happens in the caller's transaction: a run
that is killed leaves the store as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.oparl.client import Liste, OparlClient, lenient_json
from sozialforum.oparl.importer import import_objekte
from sozialforum.oparl.lesen import Maengel, is_url, typ_of
from sozialforum.oparl.speicher import ImportBericht
from sozialforum.store.gc_pause import gc_angehalten
from sozialforum.store.models import OparlAbruf
from sozialforum.timeutil import as_utc

# Body field → type of its entries (in the order the import needs them).
LISTS = {
    "organization": "Organization",
    "person": "Person",
    "membership": "Membership",
    "meeting": "Meeting",
    "agendaItem": "AgendaItem",
    "paper": "Paper",
    "consultation": "Consultation",
    "file": "File",
    "locationList": "Location",
}
OVERLAP = timedelta(hours=1)
T10 = "https://schema.oparl.org/1.0/"


class OparlDateiFehler(ValueError):
    """A file of a file import cannot be read (German message naming the file)."""


def _bodies(client: OparlClient, url: str, fehlend: list[str]) -> list[dict[str, Any]]:
    entry = client.get_object(url)
    if entry is None:
        fehlend.append(f"{url}: Einstieg nicht abrufbar – nichts importiert")
        return []
    kind = typ_of(entry)
    if kind and kind[0] == "Body":
        return [entry]
    if kind and kind[0] == "System":
        body = entry.get("body")
        if is_url(body):
            liste = client.lies_liste(str(body))
            if not liste.vollstaendig:
                fehlend.append(f"Körperschaften ({body}): {liste.luecke}")
            return [b for b in liste.objekte if (typ_of(b) or ("",))[0] in ("Body", "")]
        if isinstance(body, list):  # some servers embed the bodies
            return [b for b in body if isinstance(b, dict)]
    client.maengel.melde(url, "type", "weder System noch Body: nichts zu importieren")
    fehlend.append(f"{url}: weder System noch Body – nichts importiert")
    return []


def _states(session: Session) -> dict[str, OparlAbruf]:
    return {row.url: row for row in session.scalars(sa.select(OparlAbruf))}


def _typed(liste: Liste, typ: str, maengel: Maengel) -> list[dict[str, Any]]:
    """Entries without ``type`` (STERNBERG deletion records, some Organization lists) get the
    list's type, with a warning."""
    for obj in liste.objekte:
        if "type" not in obj and is_url(obj.get("id")):
            maengel.melde(str(obj["id"]), "type", f"fehlt: {typ} (aus der Liste)")
            obj["type"] = T10 + typ
    return liste.objekte


@gc_angehalten()
def abruf(
    session: Session,
    url: str,
    *,
    now: datetime,
    voll: bool = False,
    client: OparlClient | None = None,
    entscheidend: Sequence[str] = (),
) -> ImportBericht:
    """Import everything the API at ``url`` offers (changes only, unless ``voll``)."""
    maengel = client.maengel if client else Maengel()
    own = client is None
    client = client or OparlClient(maengel)
    try:
        objects: list[dict[str, Any]] = []
        done: dict[str, int] = {}
        fehlend: list[str] = []
        states = _states(session)
        for body in _bodies(client, url, fehlend):
            objects.append(body)
            for name, typ in LISTS.items():
                list_url = body.get(name)
                if not is_url(list_url):
                    continue
                state = None if voll else states.get(str(list_url))
                since = (state.letzter_abruf - OVERLAP) if state else None
                liste = client.lies_liste(str(list_url), modified_since=since)
                objects.extend(_typed(liste, typ, maengel))
                if liste.vollstaendig:
                    done[str(list_url)] = len(liste.objekte)
                else:
                    fehlend.append(
                        f"Liste {name} ({list_url}): {liste.luecke}; {len(liste.objekte)} Objekte gelesen, "
                        "Stand nicht fortgeschrieben – der nächste Lauf liest sie erneut"
                    )
        report = import_objekte(session, objects, now=now, fetch=client.get_object, entscheidend=entscheidend)
        for list_url, count in done.items():
            state = states.get(list_url)
            if state is None:
                session.add(OparlAbruf(url=list_url, letzter_abruf=as_utc(now), objekte=count))
            else:
                state.letzter_abruf, state.objekte = as_utc(now), count
        session.flush()
        report.abgerufen = client.requests
        report.fehlend = fehlend
        report.maengel = list(maengel.liste) + [m for m in report.maengel if m not in maengel.liste]
        return report
    finally:
        if own:
            client.close()


def json_dateien(paths: Iterable[Path]) -> tuple[list[Path], int]:
    """The JSON files among ``paths``; folders are read with their subfolders. Returns the files
    and how many of them came from subfolders (so the caller can say so)."""
    files: list[Path] = []
    nested = 0
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            nested += sum(1 for p in found if p.parent != path)
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise OparlDateiFehler(f"{path}: Datei nicht gefunden")
    return files, nested


def lade_dateien(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Objects from JSON files: one object, a plain array, or an OParl list page each.

    A file that is not JSON is refused with its name, line and column (nothing is imported);
    control characters inside strings (CC e-gov) are read as if they were escaped."""
    objects: list[dict[str, Any]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise OparlDateiFehler(f"{path}: keine UTF-8-Datei (Byte {exc.start})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            try:
                data = lenient_json(text)
            except json.JSONDecodeError:
                raise OparlDateiFehler(
                    f"{path}: kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}: {exc.msg})"
                ) from None
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        objects.extend(data if isinstance(data, list) else [data])
    return objects
