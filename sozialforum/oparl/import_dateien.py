"""OParl File objects as references (``oparl_datei``): name, file name, mime type, size, access and
download URL, date, and what they belong to (Sitzung, Vorlage, TOP, Beschluss) and what they are
(Einladung, Niederschrift, Beschlusstext, Anlage). The documents stay at the council system.

Files come embedded in their Meeting, Paper or AgendaItem (Karlsruhe, SessionNet) or from the
body's file list with back-references (``meeting``, ``paper``, ``agendaItem``); CC e-gov sends a
single object where ``auxiliaryFile`` should be a list (read as a list of one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from sozialforum.oparl.lesen import is_url
from sozialforum.oparl.speicher import apply
from sozialforum.store.models import OparlDatei

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf

FIELDS = {
    "Meeting": (
        ("invitation", "einladung"),
        ("resultsProtocol", "niederschrift"),
        ("verbatimProtocol", "wortprotokoll"),
        ("auxiliaryFile", "anlage"),
    ),
    "Paper": (("mainFile", "vorlage"), ("auxiliaryFile", "anlage")),
    "AgendaItem": (("resolutionFile", "beschlusstext"), ("auxiliaryFile", "anlage")),
}
OWNER = {
    "Meeting": ("sitzung", "sitzung_id"),
    "Paper": ("vorlage", "vorlage_id"),
    "AgendaItem": ("tagesordnungspunkt", "tagesordnungspunkt_id"),
}


def _files(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [item for item in items if isinstance(item, dict) and is_url(item.get("id"))]


def dateien(run: Lauf) -> None:
    existing = {row.oparl_id: row for row in run.session.scalars(sa.select(OparlDatei))}
    found: dict[str, tuple[dict[str, Any], str, dict[str, int | None]]] = {}
    for typ, fields in FIELDS.items():
        table, column = OWNER[typ]
        for entry in run.stapel.of_type(typ):
            if all(entry.obj.get(field) is None for field, _ in fields):
                continue  # no files (most objects): nothing to look up
            oid = run.leser.id(entry.obj)
            owner = run.index.find(table, oid)
            if owner is None:
                continue
            links: dict[str, int | None] = {column: owner}
            for field, art in fields:
                for obj in _files(entry.obj.get(field)):
                    file_links = dict(links)
                    if art == "beschlusstext":
                        file_links["beschluss_id"] = run.index.find("beschluss", f"{oid}#beschluss")
                    found.setdefault(obj["id"], (obj, art, file_links))
    for entry in run.stapel.of_type("File"):  # from the file list: linked by back-reference
        obj = entry.obj
        if obj["id"] in found:
            continue
        links = {}
        for field, (typ_table, column) in (
            ("meeting", OWNER["Meeting"]),
            ("paper", OWNER["Paper"]),
            ("agendaItem", OWNER["AgendaItem"]),
        ):
            for url in run.leser.urls(obj, field):
                if (row_id := run.index.find(typ_table, url)) is not None:
                    links[column] = row_id
        if links:
            found[obj["id"]] = (obj, "anlage", links)
    for oparl_id, (obj, art, links) in found.items():
        r = run.leser
        adresse = r.url(obj, "accessUrl") or r.url(obj, "downloadUrl")
        if adresse is None:
            r.maengel.melde(oparl_id, "accessUrl", "fehlt: Datei ohne Adresse übersprungen")
            continue
        values: dict[str, Any] = {
            "art": art,
            "name": (r.text(obj, "name", 300) or r.text(obj, "fileName", 300) or "Dokument"),
            "dateiname": r.text(obj, "fileName", 300),
            "mime_typ": r.text(obj, "mimeType", 100),
            "groesse": r.ganzzahl(obj, "size"),
            "url": adresse[:1000],
            "download_url": (r.url(obj, "downloadUrl") or None),
            "datum": r.datum(obj, "date"),
            **links,
        }
        row = existing.get(oparl_id)
        if row is None:
            run.session.add(OparlDatei(oparl_id=oparl_id, **values))
            run.bericht.zaehle("File", "neu")
        else:
            run.bericht.zaehle("File", "geaendert" if apply(row, values) else "unveraendert")
    run.session.flush()
