"""Sitzungen: list, plan one or a series for any Gremium (with holiday check), the Sitzung's page
and the invitation pack's preview.

Building the agenda (own TOPs, Träger proposals, order, documents) is in
``sitzung_tagesordnung``, sending, answers and attendance in ``sitzung_versand``; all call the
same domain functions as ``sozialforum konferenz …``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, formularseite, render, scope
from sozialforum.konferenz import kalendertage, termine, vorbereitung, zurueckgehalten
from sozialforum.konferenz.empfaenger import members_on
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.termine import meeting_day
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal import auswertung
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import (
    Gremium,
    Person,
    Rueckmeldung,
    Sitzung,
    Themenvorschlag,
    TopDokument,
)
from sozialforum.timeutil import berlin
from sozialforum.vocab import (
    Antwort,
    AntwortQuelle,
    Beduerfnis,
    GremiumArt,
    LinkZweck,
    NachrichtArt,
    SitzungStatus,
    TopQuelle,
    VorschlagStatus,
)

bereich = Bereich()
SEITE = 50
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diese Sitzung gibt es nicht.")


def weiter(sitzung_id: int, meldung: str) -> Response:
    """Back to the Sitzung's page with a message."""
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
        raise f.Ungueltig("uhrzeit", "Uhrzeit: bitte als HH:MM angeben, z. B. 16:30.")
    return time(int(parts[0]), int(parts[1]))


def _termine(form: Mapping[str, Any]) -> list[date]:
    erster = f.datum(form, "tag", "Datum", pflicht=True)
    assert erster is not None
    anzahl = f.zahl(form, "anzahl", "Anzahl der Termine") or 1
    abstand = f.zahl(form, "abstand", "Abstand in Monaten") or 6
    if not 1 <= anzahl <= 24:
        raise f.Ungueltig("anzahl", "Anzahl der Termine: 1 bis 24.")
    if not 1 <= abstand <= 24:
        raise f.Ungueltig("abstand", "Abstand in Monaten: 1 bis 24.")
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


def _formular(
    ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str], hinweise: Sequence[str] = ()
) -> Response:
    return formularseite(
        ctx, "arbeitsplatz/sitzung_neu.html", werte, fehler, gremien=gremien(ctx.session), hinweise=hinweise
    )


@bereich.seite("/sitzungen/neu", Recht.AENDERN)
def neu(request: Request) -> Response:
    with scope(request) as ctx:
        return _formular(ctx, {}, {})


@bereich.aktion("/sitzungen/neu", Recht.AENDERN)
async def planen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        gremium = ctx.session.get(Gremium, f.id_wert(form, "gremium") or 0)
        if gremium is None:
            raise f.Ungueltig("gremium", "Gremium: bitte ein Gremium wählen.")
        tage, uhrzeit = _termine(form), uhrzeit_aus(form)
        dauer = f.zahl(form, "dauer", "Dauer in Minuten")
        if dauer is not None and not 15 <= dauer <= 720:
            raise f.Ungueltig("dauer", "Dauer in Minuten: 15 bis 720.")
        hinweise = pruefe_termine(ctx, gremium, tage)
        if hinweise and form.get("trotzdem") != "ja":
            # Nothing stored: the form comes back with the remarks and a box to plan anyway.
            return _formular(ctx, {k: str(v) for k, v in form.items()}, {}, hinweise)
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
        return weiter(sitzungen[0].id, "geplant" if len(sitzungen) == 1 else "serie")

    return await aktion(request, arbeit, formular=_formular)


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
        gehalten = zurueckgehalten.offene(ctx.session, sitzung_id)
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
            akteure=[r.erfasst_von for r, _ in antworten],
            gehalten=[(g, personen[g.person_id], Antwort(g.antwort)) for g in gehalten if g.person_id in personen],
            zaehlung=Counter(str(r.antwort) for r, _ in antworten),
            antwortarten=list(Antwort),
            kann_einladen=found.status in (SitzungStatus.GEPLANT, SitzungStatus.EINGELADEN),
            kann_aendern=darf(ctx.benutzer, Recht.AENDERN),
            personen=sorted(personen.values(), key=lambda p: (p.nachname, p.vorname)),
            top_labels={v.value: v.label for v in TopQuelle},
            dokumente=_nach_top(pack.dokumente),
            quelle_labels={v.value: v.label for v in AntwortQuelle},
            beduerfnis_labels={v.value: v.label for v in Beduerfnis},
            links=auswertung.links(
                ctx.session, zwecke=(LinkZweck.RSVP, LinkZweck.THEMENVORSCHLAG), bezug_ids=[sitzung_id], now=ctx.now
            ),
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
            composer = Composer(pack=pack, settings=ctx.portal.settings, now=ctx.now, art=NachrichtArt.EINLADUNG)
            mail = composer.mail(pack.empfaenger[0], link=None)
        return render(ctx, "arbeitsplatz/sitzung_vorschau.html", pack=pack, mail=mail)
