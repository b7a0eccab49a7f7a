"""Tabellenassistent in the workspace: upload a table that is neither GENESIS nor BA, see the
proposed reading and the first rows as they would be stored, correct (header rows, key and name
column, Stichtag, a Merkmal per column), confirm under a name. Confirming saves the reading and
loads the file in the request's one transaction (a refused file saves nothing), then starts the
computation as a run. The same domain functions as ``sozialforum daten assistent``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import hochladen, laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.daten.assistent import aufbau
from sozialforum.daten.assistent_vorschau import Korrektur, bestaetige, vorschau
from sozialforum.daten.katalog import Katalog, load_for
from sozialforum.daten.rohtabelle import lies_raster
from sozialforum.konten.zugriff import Recht
from sozialforum.parsing import parse_date
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.store.models import Tabellenzuordnung

bereich = Bereich()
ENDUNGEN = (".csv", ".xlsx", ".geojson")
WAS = "eine Tabelle (CSV, Excel oder GeoJSON)"


@bereich.seite("/daten/assistent", Recht.AENDERN)
def assistent(request: Request) -> Response:
    with scope(request) as ctx:
        gespeichert = ctx.session.scalars(
            sa.select(Tabellenzuordnung).order_by(col(Tabellenzuordnung.bestaetigt_am).desc())
        ).all()
        return render(
            ctx,
            "arbeitsplatz/daten_assistent.html",
            gespeichert=gespeichert,
            akteure=[z.akteur for z in gespeichert],
            vorschau=None,
        )


def _korrektur(form: Mapping[str, Any]) -> tuple[Korrektur, Any]:
    """The corrections of the form; German errors name the field."""
    text = {k: str(form.get(k) or "").strip() for k in ("kopfzeilen", "schluessel", "namen", "stichtag")}
    kopfzeilen = None
    if text["kopfzeilen"]:
        if not text["kopfzeilen"].isdigit() or int(text["kopfzeilen"]) > 5:
            raise ValueError("Kopfzeilen: eine Zahl von 0 bis 5.")
        kopfzeilen = int(text["kopfzeilen"])
    stichtag = None
    if text["stichtag"]:
        try:
            stichtag = parse_date(text["stichtag"])
        except ValueError as exc:
            raise ValueError(f"Stichtag: {exc}.") from None
    spalten, ohne = {}, []
    for key in form:
        if key.startswith("spalte_"):
            label = str(form.get("etikett_" + key.removeprefix("spalte_")) or "")
            merkmal = str(form.get(key) or "")
            if label and merkmal:
                spalten[label] = merkmal
            elif label:
                ohne.append(label)
    korrektur = Korrektur(
        kopfzeilen=kopfzeilen,
        schluessel=text["schluessel"] or None,
        name=text["namen"] if "namen" in form else None,
        spalten=spalten,
        ohne=ohne,
    )
    return korrektur, stichtag


def _datei(ctx: StaffContext, form: Mapping[str, Any]) -> tuple[str, Path]:
    """The upload (kept under a token of this user) or the kept file of the form's token."""
    if form.get("token"):
        pfad = hochladen.einloesen(ctx, form)
        return str(form.get("token")), pfad
    name, inhalt = hochladen.lesen(ctx, form, endungen=ENDUNGEN, was=WAS)
    return hochladen.behalten(ctx, name, inhalt)


def _seite(
    ctx: StaffContext, katalog: Katalog, datei: tuple[str, Path], korrektur: Korrektur, stichtag: Any, **extra: Any
) -> Response:
    token, pfad = datei
    name = str(extra.pop("name", ""))
    extra.setdefault("probleme", [])
    try:
        shown = vorschau(ctx.session, pfad, katalog, korrektur, stichtag=stichtag)
    except ProblemReport as report:  # corrections that do not fit: shown with the plain proposal
        extra["probleme"] = [*extra["probleme"], *report.problems]
        shown = vorschau(ctx.session, pfad, katalog, stichtag=stichtag)
    bau = aufbau(lies_raster(pfad, pfad.read_bytes()), shown.lesart.kopfzeilen)
    spalten = [
        (i, beschriftung, shown.lesart.spalten.get(etikett, ""))
        for i, (etikett, beschriftung) in enumerate(zip(bau.etiketten, bau.beschriftungen, strict=True))
        if etikett not in (shown.lesart.schluessel, shown.lesart.name, shown.lesart.stichtag_spalte)
    ]
    return render(
        ctx,
        "arbeitsplatz/daten_assistent.html",
        gespeichert=[],
        vorschau=shown,
        datei=pfad.name,
        token=token,
        spalten=spalten if shown.lesart.layout == "breit" else [],
        etiketten=list(zip(bau.etiketten, bau.beschriftungen, strict=True)),
        merkmale=sorted(katalog.merkmal_namen.items()),
        zuordnung_name=name or shown.name or "",
        stichtag=stichtag,
        **extra,
    )


@bereich.aktion("/daten/assistent/vorschau", Recht.AENDERN)
async def zeigen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        korrektur, stichtag = _korrektur(form)
        try:
            katalog = load_for(ctx.portal.settings)
            return _seite(ctx, katalog, _datei(ctx, form), korrektur, stichtag, name=str(form.get("name") or ""))
        except ProblemReport as report:  # not a table at all (no data rows, a damaged file)
            raise ValueError(str(report)) from None

    return await aktion(request, arbeit)


@bereich.aktion("/daten/assistent/bestaetigen", Recht.AENDERN)
async def bestaetigen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        korrektur, stichtag = _korrektur(form)
        name = " ".join(str(form.get("name") or "").split())
        if not name:
            raise ValueError("Name der Zuordnung: bitte angeben (z. B. Herausgeber und Tabelle).")
        pfad = hochladen.einloesen(ctx, form)
        katalog = load_for(ctx.portal.settings)
        try:
            akteur = ctx.benutzer.name
            bestaetige(ctx.session, pfad, katalog, name, korrektur, now=ctx.now, akteur=akteur, stichtag=stichtag)
        except ProblemReport as report:
            ctx.session.rollback()  # nothing saved, nothing loaded
            datei = (str(form.get("token")), pfad)
            return _seite(ctx, katalog, datei, korrektur, stichtag, name=name, probleme=report.problems)
        hochladen.verwerfen(pfad)
        return laeufe.starte(ctx, "berechnung", {}, titel=f"Kennzahlen berechnen (Tabelle „{name}“ geladen)")

    return await aktion(request, arbeit)
