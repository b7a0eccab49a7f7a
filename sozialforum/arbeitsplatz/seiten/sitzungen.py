"""Sitzungen: list, plan one or a series for any Gremium (with holiday check), the Sitzung's page
with its agenda (own TOPs, Träger proposals, order) and the invitation pack's preview.

Sending, answers and attendance are in ``sitzung_versand``; both call the same domain functions
as ``sozialforum konferenz …``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col
from starlette.datastructures import UploadFile

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.konferenz import kalendertage, termine, vorbereitung
from sozialforum.konferenz.empfaenger import members_on
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.termine import meeting_day
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.context import PortalFehler, StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.protokoll.eingabe import DokumentEingabe, pruefe_dokument
from sozialforum.store.models import (
    Gremium,
    Person,
    Rueckmeldung,
    Sitzung,
    Tagesordnungspunkt,
    Themenvorschlag,
    TopDokument,
)
from sozialforum.timeutil import berlin
from sozialforum.vocab import Antwort, AntwortQuelle, GremiumArt, SitzungStatus, TopQuelle, VorschlagStatus

bereich = Bereich()
SEITE = 50
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diese Sitzung gibt es nicht.")


def _weiter(sitzung_id: int, meldung: str) -> Response:
    return RedirectResponse(f"/arbeitsplatz/sitzungen/{sitzung_id}?meldung={meldung}", status_code=303)


def gremien(session: Any) -> list[tuple[int, str]]:
    """Every Gremium with its level, for select lists."""
    rows = session.execute(
        sa.select(col(Gremium.id), col(Gremium.name), col(Gremium.art)).order_by(col(Gremium.art), col(Gremium.name))
    ).all()
    return [(row[0], f"{row[1]} ({GremiumArt(row[2]).label})") for row in rows]


def sitzung_von(ctx: StaffContext, sitzung_id: int) -> Sitzung:
    sitzung = ctx.session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise NICHT_GEFUNDEN
    return sitzung


# --- list ------------------------------------------------------------------------------------


@bereich.seite("/sitzungen", Recht.LESEN)
def liste(request: Request) -> Response:
    params = request.query_params
    zeit = params.get("zeit") if params.get("zeit") in ("kommend", "vergangen", "alle") else "kommend"
    gremium = int(params["gremium"]) if params.get("gremium", "").isdigit() else None
    page = max(1, int(params["seite"])) if params.get("seite", "").isdigit() else 1
    with scope(request) as ctx:
        query = sa.select(Sitzung, col(Gremium.name)).join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
        stichzeit = ctx.now - timedelta(hours=12)
        if zeit == "kommend":
            query = query.where(col(Sitzung.beginn) >= stichzeit).order_by(col(Sitzung.beginn))
        elif zeit == "vergangen":
            query = query.where(col(Sitzung.beginn) < stichzeit).order_by(col(Sitzung.beginn).desc())
        else:
            query = query.order_by(col(Sitzung.beginn).desc())
        if gremium:
            query = query.where(col(Sitzung.gremium_id) == gremium)
        gesamt = ctx.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = ctx.session.execute(query.limit(SEITE).offset((page - 1) * SEITE)).all()
        counts = antworten_je_sitzung(ctx.session, [row[0].id for row in rows])
        return render(
            ctx,
            "arbeitsplatz/sitzungen.html",
            zeilen=[(s, name, counts.get(s.id, Counter())) for s, name in rows],
            zeit=zeit,
            gremium=gremium,
            gremien=gremien(ctx.session),
            seite=page,
            seiten=max(1, -(-gesamt // SEITE)),
            gesamt=gesamt,
            darf_planen=darf(ctx.benutzer, Recht.AENDERN),
            status_labels={v.value: v.label for v in SitzungStatus},
        )


def antworten_je_sitzung(session: Any, ids: list[Any]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    if ids:
        for sitzung_id, antwort, anzahl in session.execute(
            sa.select(col(Rueckmeldung.sitzung_id), col(Rueckmeldung.antwort), sa.func.count())
            .where(col(Rueckmeldung.sitzung_id).in_(ids))
            .group_by(col(Rueckmeldung.sitzung_id), col(Rueckmeldung.antwort))
        ).all():
            counts.setdefault(sitzung_id, Counter())[str(antwort)] = anzahl
    return counts


# --- plan ------------------------------------------------------------------------------------


def uhrzeit_aus(form: Mapping[str, Any]) -> time:
    raw = f.text(form, "uhrzeit", limit=10).replace(".", ":")
    parts = raw.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise ValueError("Uhrzeit: bitte als HH:MM angeben, z. B. 16:30.")
    return time(int(parts[0]), int(parts[1]))


def _termine(form: Mapping[str, Any]) -> list[date]:
    erster = f.datum(form, "tag", "Datum", pflicht=True)
    assert erster is not None
    anzahl = f.zahl(form, "anzahl", "Anzahl der Termine") or 1
    abstand = f.zahl(form, "abstand", "Abstand in Monaten") or 6
    if not 1 <= anzahl <= 24:
        raise ValueError("Anzahl der Termine: 1 bis 24.")
    if not 1 <= abstand <= 24:
        raise ValueError("Abstand in Monaten: 1 bis 24.")
    return [termine.add_months(erster, abstand * i) for i in range(anzahl)]


def pruefe_termine(ctx: StaffContext, gremium: Gremium, tage: list[date]) -> list[str]:
    """Holiday remarks on each meeting day and on the day its invitations go out."""
    settings = ctx.portal.settings.konferenz
    found: list[str] = []
    for tag in tage:
        found += kalendertage.hinweise(tag, settings)
        einladung = tag - timedelta(days=gremium.einladung_vorlauf_tage)
        found += kalendertage.hinweise(einladung, settings, was="Der Einladungstag")
    return list(dict.fromkeys(found))


@bereich.seite("/sitzungen/neu", Recht.AENDERN)
def neu(request: Request) -> Response:
    with scope(request) as ctx:
        return render(ctx, "arbeitsplatz/sitzung_neu.html", gremien=gremien(ctx.session), werte={}, hinweise=[])


@bereich.aktion("/sitzungen/neu", Recht.AENDERN)
async def planen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        gremium = ctx.session.get(Gremium, f.id_wert(form, "gremium") or 0)
        if gremium is None:
            raise ValueError("Gremium: bitte ein Gremium wählen.")
        tage, uhrzeit = _termine(form), uhrzeit_aus(form)
        dauer = f.zahl(form, "dauer", "Dauer in Minuten")
        if dauer is not None and not 15 <= dauer <= 720:
            raise ValueError("Dauer in Minuten: 15 bis 720.")
        hinweise = pruefe_termine(ctx, gremium, tage)
        if hinweise and form.get("trotzdem") != "ja":
            # Nothing stored: the form comes back with the remarks and a box to plan anyway.
            return render(
                ctx, "arbeitsplatz/sitzung_neu.html", gremien=gremien(ctx.session), werte=dict(form), hinweise=hinweise
            )
        gemeinsam: dict[str, Any] = {
            "gremium_id": gremium.id,
            "uhrzeit": uhrzeit,
            "settings": ctx.portal.settings,
            "dauer_minuten": dauer,
            "titel": f.text(form, "titel", limit=300) or None,
            "ort": f.text(form, "ort", limit=300) or None,
            "adresse": f.text(form, "adresse", limit=300) or None,
        }
        if len(tage) == 1:
            sitzungen = [termine.plan_sitzung(ctx.session, tag=tage[0], **gemeinsam)]
        else:
            abstand = f.zahl(form, "abstand", "Abstand") or 6
            sitzungen = termine.plan_serie(
                ctx.session, erster_tag=tage[0], intervall_monate=abstand, anzahl=len(tage), **gemeinsam
            )
        assert sitzungen[0].id is not None
        return _weiter(sitzungen[0].id, "geplant" if len(sitzungen) == 1 else "serie")

    return await aktion(request, arbeit)


# --- one Sitzung -----------------------------------------------------------------------------


def _nach_top(dokumente: list[TopDokument]) -> dict[int, list[TopDokument]]:
    grouped: dict[int, list[TopDokument]] = {}
    for d in dokumente:
        grouped.setdefault(d.top_id, []).append(d)
    return grouped


def eingeladene(ctx: StaffContext, sitzung_id: int) -> list[tuple[Rueckmeldung, Person]]:
    rows = ctx.session.execute(
        sa.select(Rueckmeldung, Person)
        .join(Person, col(Person.id) == col(Rueckmeldung.person_id))
        .where(col(Rueckmeldung.sitzung_id) == sitzung_id)
        .order_by(Person.nachname, col(Person.vorname))
    ).all()
    return [(row[0], row[1]) for row in rows]


@bereich.seite("/sitzungen/{sitzung_id}", Recht.LESEN)
def sitzung(request: Request, sitzung_id: int) -> Response:
    with scope(request) as ctx:
        found = sitzung_von(ctx, sitzung_id)
        pack = vorbereitung.load_pack(ctx.session, sitzung_id, ctx.portal.settings)
        vorschlaege = ctx.session.scalars(
            sa.select(Themenvorschlag)
            .where(col(Themenvorschlag.sitzung_id) == sitzung_id)
            .order_by(col(Themenvorschlag.eingereicht_am))
        ).all()
        antworten = eingeladene(ctx, sitzung_id)
        personen = {p.id: p for _, p in antworten}
        for _, p in members_on(ctx.session, found.gremium_id, meeting_day(found)):
            personen.setdefault(p.id, p)
        return render(
            ctx,
            "arbeitsplatz/sitzung.html",
            s=found,
            pack=pack,
            status=SitzungStatus(found.status),
            hinweise=pruefe_termine(ctx, pack.gremium, [berlin(found.beginn).date()]),
            vorschlaege=[(v, VorschlagStatus(v.status)) for v in vorschlaege],
            antworten=[(r, p, Antwort(r.antwort)) for r, p in antworten],
            zaehlung=Counter(str(r.antwort) for r, _ in antworten),
            antwortarten=list(Antwort),
            kann_einladen=found.status in (SitzungStatus.GEPLANT, SitzungStatus.EINGELADEN),
            kann_aendern=darf(ctx.benutzer, Recht.AENDERN),
            personen=sorted(personen.values(), key=lambda p: (p.nachname, p.vorname)),
            top_labels={v.value: v.label for v in TopQuelle},
            dokumente=_nach_top(pack.dokumente),
            quelle_labels={v.value: v.label for v in AntwortQuelle},
            lokal=berlin(found.beginn),
        )


@bereich.seite("/sitzungen/{sitzung_id}/vorschau", Recht.LESEN)
def vorschau(request: Request, sitzung_id: int) -> Response:
    """The invitation as the first recipient would get it, and who would get it (nothing stored)."""
    with scope(request) as ctx:
        sitzung_von(ctx, sitzung_id)
        pack = vorbereitung.load_pack(ctx.session, sitzung_id, ctx.portal.settings)
        mail = None
        if pack.empfaenger:
            composer = Composer(pack=pack, settings=ctx.portal.settings, now=ctx.now, art="einladung")
            mail = composer.mail(pack.empfaenger[0], link=None)
        return render(ctx, "arbeitsplatz/sitzung_vorschau.html", pack=pack, mail=mail)


# --- agenda ----------------------------------------------------------------------------------


def _tops(ctx: StaffContext, sitzung_id: int) -> list[Tagesordnungspunkt]:
    return list(
        ctx.session.scalars(
            sa.select(Tagesordnungspunkt)
            .where(col(Tagesordnungspunkt.sitzung_id) == sitzung_id)
            .order_by(col(Tagesordnungspunkt.reihenfolge))
        )
    )


def _nummerieren(ctx: StaffContext, tops: list[Tagesordnungspunkt]) -> None:
    """Store ``tops`` in this order, numbered 1…n (out of the unique order's way first)."""
    for index, top in enumerate(tops):
        top.reihenfolge = -1 - index
        ctx.session.add(top)
    ctx.session.flush()
    for position, top in enumerate(tops, start=1):
        top.reihenfolge, top.nummer = position, str(position)
        ctx.session.add(top)
    ctx.session.flush()


def _einfuegen(ctx: StaffContext, tops: list[Tagesordnungspunkt], neu: Tagesordnungspunkt) -> None:
    """Add ``neu`` before the closing standing items ("Verschiedenes"), which stay last."""
    ctx.session.add(neu)
    ctx.session.flush()
    ende = set(ctx.portal.settings.konferenz.tops_ende)
    schluss = [t for t in tops if t.quelle == TopQuelle.STANDARD and t.titel in ende]
    _nummerieren(ctx, [t for t in tops if t not in schluss] + [neu] + schluss)


def _top_loeschen(ctx: StaffContext, top: Tagesordnungspunkt) -> None:
    """Remove an agenda item with its documents."""
    for dokument in ctx.session.scalars(sa.select(TopDokument).where(col(TopDokument.top_id) == top.id)):
        ctx.session.delete(dokument)
    ctx.session.flush()  # the documents first: no relationship tells the flush the order
    ctx.session.delete(top)
    ctx.session.flush()


def _geplant(sitzung: Sitzung) -> None:
    if sitzung.status == SitzungStatus.ABGESAGT:
        raise Eingabefehler("Die Sitzung ist abgesagt; ihre Tagesordnung bleibt, wie sie war.")


@bereich.aktion("/sitzungen/{sitzung_id}/vorbereiten", Recht.AENDERN)
async def vorbereiten(request: Request, sitzung_id: int) -> Response:
    """Build the agenda: standing items, the Geschäftsstelle's own, proposals, open Aufträge."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        if found.status != SitzungStatus.GEPLANT:
            raise Eingabefehler("Die Einladungen sind verschickt; die Tagesordnung wird nicht mehr neu aufgebaut.")
        vorbereitung.prepare(ctx.session, sitzung_id, ctx.portal.settings)
        return _weiter(sitzung_id, "vorbereitet")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/top", Recht.AENDERN)
async def top_neu(request: Request, sitzung_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        _geplant(found)
        titel = f.text(form, "titel", limit=500)
        if not titel:
            raise ValueError("Titel des Tagesordnungspunkts: bitte angeben.")
        tops = _tops(ctx, sitzung_id)
        neu = Tagesordnungspunkt(
            sitzung_id=sitzung_id,
            reihenfolge=len(tops) + 1000,
            nummer="",
            titel=titel,
            beschreibung=f.text(form, "beschreibung", limit=4000) or None,
            oeffentlich=form.get("nichtoeffentlich") != "ja",
            quelle=TopQuelle.GESCHAEFTSSTELLE,
        )
        _einfuegen(ctx, tops, neu)
        return _weiter(sitzung_id, "top")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/top/{top_id}", Recht.AENDERN)
async def top_aendern(request: Request, sitzung_id: int, top_id: int) -> Response:
    """Move an item up or down, or remove one of the Geschäftsstelle's own."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        _geplant(found)
        tops = _tops(ctx, sitzung_id)
        index = next((i for i, t in enumerate(tops) if t.id == top_id), None)
        if index is None:
            raise NICHT_GEFUNDEN
        was = form.get("aktion")
        if was == "entfernen":
            if tops[index].quelle != TopQuelle.GESCHAEFTSSTELLE:
                raise Eingabefehler("Nur eigene Punkte der Geschäftsstelle können entfernt werden.")
            _top_loeschen(ctx, tops.pop(index))
        elif was in ("hoch", "runter"):
            ziel = index - 1 if was == "hoch" else index + 1
            if 0 <= ziel < len(tops):
                tops[index], tops[ziel] = tops[ziel], tops[index]
        else:
            raise ValueError("Unbekannte Änderung.")
        _nummerieren(ctx, tops)
        return _weiter(sitzung_id, "top")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/vorschlag/{vorschlag_id}", Recht.AENDERN)
async def vorschlag(request: Request, sitzung_id: int, vorschlag_id: int) -> Response:
    """Accept a Träger's proposal onto the agenda, or decline it (its item goes)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        _geplant(found)
        row = ctx.session.get(Themenvorschlag, vorschlag_id)
        if row is None or row.sitzung_id != sitzung_id:
            raise NICHT_GEFUNDEN
        tops = _tops(ctx, sitzung_id)
        if form.get("entscheidung") == "ablehnen":
            item = next((t for t in tops if t.id == row.tagesordnungspunkt_id), None)
            row.status, row.tagesordnungspunkt_id = VorschlagStatus.ABGELEHNT, None
            ctx.session.add(row)
            ctx.session.flush()
            if item is not None:
                tops.remove(item)
                _top_loeschen(ctx, item)
            _nummerieren(ctx, tops)
            return _weiter(sitzung_id, "vorschlag_abgelehnt")
        if form.get("entscheidung") != "uebernehmen":
            raise ValueError("Unbekannte Entscheidung.")
        if row.status == VorschlagStatus.ZURUECKGEZOGEN:
            raise Eingabefehler("Der Träger hat den Vorschlag zurückgezogen.")
        if row.tagesordnungspunkt_id is None or all(t.id != row.tagesordnungspunkt_id for t in tops):
            neu = Tagesordnungspunkt(
                sitzung_id=sitzung_id,
                reihenfolge=len(tops) + 1000,
                nummer="",
                titel=row.titel,
                beschreibung=row.begruendung,
                quelle=TopQuelle.VORSCHLAG,
            )
            _einfuegen(ctx, tops, neu)
            row.tagesordnungspunkt_id = neu.id
        row.status = VorschlagStatus.UEBERNOMMEN
        ctx.session.add(row)
        return _weiter(sitzung_id, "vorschlag_uebernommen")

    return await aktion(request, arbeit)


# --- documents of agenda items ------------------------------------------------------------

MIT_DOKUMENTEN = (TopQuelle.GESCHAEFTSSTELLE, TopQuelle.VORSCHLAG)  # generated items are rebuilt


@bereich.aktion("/sitzungen/{sitzung_id}/top/{top_id}/dokument", Recht.AENDERN)
async def dokument_hochladen(request: Request, sitzung_id: int, top_id: int) -> Response:
    """A document for an own or proposed item (PDF, DOCX or Markdown, checked by content); the
    invitation carries it, an update after the invitation too."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        _geplant(found)
        top = ctx.session.get(Tagesordnungspunkt, top_id)
        if top is None or top.sitzung_id != sitzung_id:
            raise NICHT_GEFUNDEN
        if top.quelle not in MIT_DOKUMENTEN:
            raise Eingabefehler("Unterlagen gehören zu eigenen Punkten oder Themenvorschlägen.")
        upload = form.get("datei")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValueError("Datei: bitte ein Dokument auswählen.")
        grenze = int(ctx.portal.settings.protokoll.upload_max_mb * 1024 * 1024)
        try:
            geprueft = pruefe_dokument(
                DokumentEingabe(upload.filename, upload.file.read(grenze + 1)), settings=ctx.portal.settings
            )
        except ProblemReport as report:
            raise Eingabefehler(str(report)) from None
        ctx.session.add(
            TopDokument(
                top_id=top_id,
                dateiname=geprueft.dateiname[:200],
                mimetype=geprueft.mimetype,
                groesse=len(geprueft.inhalt),
                inhalt=geprueft.inhalt,
                hochgeladen_am=ctx.now,
                hochgeladen_von=ctx.benutzer.anzeigename or ctx.benutzer.name,
            )
        )
        return _weiter(sitzung_id, "dokument")

    return await aktion(request, arbeit)


@bereich.seite("/sitzungen/{sitzung_id}/dokument/{dokument_id}", Recht.LESEN)
def dokument(request: Request, sitzung_id: int, dokument_id: int) -> Response:
    with scope(request) as ctx:
        row = ctx.session.get(TopDokument, dokument_id)
        top = ctx.session.get(Tagesordnungspunkt, row.top_id) if row is not None else None
        if row is None or top is None or top.sitzung_id != sitzung_id:
            raise PortalFehler(404, "Nicht gefunden", "Dieses Dokument gibt es nicht.")
        return Response(
            row.inhalt,
            media_type=row.mimetype,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.dateiname)}"},
        )
