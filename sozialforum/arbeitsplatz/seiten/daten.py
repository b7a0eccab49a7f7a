"""Daten: upload a statistics file, see every problem (file, row, column) in a dry run that
changes nothing, then load it and compute as a flow run; the deliveries loaded so far. A Kommune
finds here the Gemeinden released to its person (the tables are in ``daten_kennzahlen``).

The dry run is the data refresh's own all-or-nothing load, rolled back
(``daten.aktualisierung.lade(probelauf=True)``), so the page and the flow can never disagree.
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col
from starlette.datastructures import UploadFile

from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.arbeitsplatz.seiten.daten_kennzahlen import freigegebene_gemeinden
from sozialforum.daten import aktualisierung
from sozialforum.daten.katalog import load_for
from sozialforum.daten.merkmale import describe, parse_key
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.context import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.store.models import Berechnung, Datenlieferung
from sozialforum.timeutil import format_datum_kurz

bereich = Bereich()
ENDUNGEN = (".csv", ".xlsx", ".txt")
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
AUFBEWAHRUNG_TAGE = 7  # a checked file not loaded within a week is removed


def _ablage(ctx: StaffContext) -> Path:
    return ctx.portal.settings.data_dir / "hochgeladen"


def aufraeumen(ablage: Path, *, jetzt: float | None = None) -> None:
    """Remove checked files older than the retention (by the file system's clock)."""
    if not ablage.is_dir():
        return
    grenze = (time.time() if jetzt is None else jetzt) - AUFBEWAHRUNG_TAGE * 86400
    for ordner in ablage.iterdir():
        if ordner.is_dir() and TOKEN.fullmatch(ordner.name) and ordner.stat().st_mtime < grenze:
            shutil.rmtree(ordner, ignore_errors=True)


def _dateiname(raw: str) -> str:
    """The uploaded name without folders and with only harmless characters."""
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(raw.replace("\\", "/")).name).strip(" .")[:120]
    if not name.lower().endswith(ENDUNGEN):
        raise ValueError(f"Datei: erwartet wird eine Statistikdatei ({', '.join(ENDUNGEN)}), nicht „{name or raw}“.")
    return name


@bereich.seite("/daten", Recht.GEMEINDEDATEN)
def daten(request: Request) -> Response:
    with scope(request) as ctx:
        if not darf(ctx.benutzer, Recht.LESEN):  # a Kommune: only the Gemeinden released to it
            return render(ctx, "arbeitsplatz/daten_kommune.html", gemeinden=freigegebene_gemeinden(ctx))
        lieferungen = ctx.session.scalars(
            sa.select(Datenlieferung).order_by(Datenlieferung.geladen_am.desc()).limit(20)  # type: ignore[attr-defined]
        ).all()
        berechnung = ctx.session.scalars(sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)).first()
        return render(
            ctx,
            "arbeitsplatz/daten.html",
            lieferungen=lieferungen,
            berechnung=berechnung,
            stichtage=[format_datum_kurz(date.fromisoformat(d)) for d in berechnung.stichtage] if berechnung else [],
            darf_laden=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/daten/pruefen", Recht.AENDERN)
async def pruefen(request: Request) -> Response:
    """The dry run: load inside a transaction that is rolled back; keep the file for the load
    only when it is clean, under a token of this user."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        upload = form.get("datei")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValueError("Datei: bitte eine Statistikdatei auswählen.")
        name = _dateiname(upload.filename)
        # The same limit as every upload (the body limit refuses larger requests before this).
        grenze = int(ctx.portal.settings.protokoll.upload_max_mb * 1024 * 1024)
        inhalt = upload.file.read(grenze + 1)
        if len(inhalt) > grenze:
            raise ValueError(f"Datei „{name}“: größer als {ctx.portal.settings.protokoll.upload_max_mb} MB.")
        aufraeumen(_ablage(ctx))
        token = secrets.token_urlsafe(24)
        ordner = _ablage(ctx) / token
        ordner.mkdir(parents=True)
        (ordner / ".benutzer").write_text(ctx.benutzer.name, encoding="utf-8")
        pfad = ordner / name
        pfad.write_bytes(inhalt)
        try:
            katalog = load_for(ctx.portal.settings)
            ergebnis = aktualisierung.lade(
                ctx.portal.engine, pfad, katalog, now=ctx.now, akteur="probelauf", probelauf=True
            )
        except ProblemReport as report:
            shutil.rmtree(ordner, ignore_errors=True)
            return render(ctx, "arbeitsplatz/daten_pruefung.html", datei=name, probleme=report.problems, ergebnis=None)
        if ergebnis.status != "geladen":
            shutil.rmtree(ordner, ignore_errors=True)
        namen = katalog.merkmal_namen
        merkmale = [(key, describe([parse_key(key)], namen)) for key in ergebnis.merkmale]
        return render(
            ctx,
            "arbeitsplatz/daten_pruefung.html",
            datei=name,
            probleme=[],
            ergebnis=ergebnis,
            merkmale=merkmale,
            token=token,
        )

    return await aktion(request, arbeit)


@bereich.aktion("/daten/laden", Recht.AENDERN)
async def laden(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        token = str(form.get("token") or "")
        ordner = _ablage(ctx) / token
        marker = ordner / ".benutzer"
        if not TOKEN.fullmatch(token) or not marker.exists() or marker.read_text(encoding="utf-8") != ctx.benutzer.name:
            raise Eingabefehler("Diese Prüfung gibt es nicht (mehr); bitte die Datei noch einmal prüfen.")
        dateien = [p for p in ordner.iterdir() if p.name != ".benutzer"]
        if len(dateien) != 1:
            raise Eingabefehler("Diese Prüfung gibt es nicht (mehr); bitte die Datei noch einmal prüfen.")
        return laeufe.starte(
            ctx, "datenlieferung", {"pfad": str(dateien[0])}, titel=f"Datenlieferung laden: {dateien[0].name}"
        )

    return await aktion(request, arbeit)


@bereich.aktion("/daten/berechnen", Recht.AENDERN)
async def berechnen(request: Request) -> Response:
    return await aktion(request, lambda ctx, _: laeufe.starte(ctx, "berechnung", {}, titel="Kennzahlen berechnen"))
