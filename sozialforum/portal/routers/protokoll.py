"""Minutes pages (issue 6): ``/protokoll-entwurf/{token}`` for the Protokollführung (the draft per
Tagesordnungspunkt or as an uploaded PDF/DOCX/Markdown, Aufträge in the form) and
``/protokoll-kommentar/{token}`` for participants (read the draft, comment within the period).

A rejected draft is shown again with every problem named and the typed values kept; nothing
is stored. Everything shown is reached from the link's Protokoll (``bezug_id``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import LinkContext
from sozialforum.problems import ProblemReport
from sozialforum.protokoll import ansicht
from sozialforum.protokoll.anfordern import tagesordnung
from sozialforum.protokoll.eingabe import (
    FORMULAR,
    PUNKTE,
    DokumentEingabe,
    EintragEingabe,
    EntwurfEingabe,
    PunktEingabe,
)
from sozialforum.protokoll.entwurf import CLOSED, add_comment, submit_draft
from sozialforum.protokoll.lage import ProtokollFehler, gremium_of
from sozialforum.protokoll.teilnehmende import teilnehmende, verantwortliche_auswahl
from sozialforum.store.models import Protokoll, Sitzung
from sozialforum.timeutil import as_utc, format_datum_kurz, format_uhrzeit
from sozialforum.vocab import LinkZweck, ProtokollPunktArt, ProtokollStatus

router = APIRouter()
ENTWURF, KOMMENTAR = LinkZweck.PROTOKOLL_ENTWURF, LinkZweck.PROTOKOLL_KOMMENTAR
LEERE_ZEILEN = 3
MAX_ZEILEN = 60
_SPALTEN = {
    "Art": "art",
    "Beschreibung": "beschreibung",
    "Verantwortlich": "verantwortlich",
    "Frist": "frist",
    "Tagesordnungspunkt": "top",
}

NICHT_GEFUNDEN = PortalFehler(
    410,
    "Protokoll nicht verfügbar",
    "Zu diesem Link gibt es kein Protokoll mehr. Bitte wenden Sie sich an die Geschäftsstelle.",
)


def _protokoll(ctx: LinkContext) -> Protokoll:
    protokoll = ctx.session.get(Protokoll, ctx.link.bezug_id)
    if protokoll is None:
        raise NICHT_GEFUNDEN
    return protokoll


def _common(ctx: LinkContext, protokoll: Protokoll) -> dict[str, Any]:
    sitzung = ctx.session.get(Sitzung, protokoll.sitzung_id)
    assert sitzung is not None
    return {
        "protokoll": protokoll,
        "sitzung": sitzung,
        "gremium": gremium_of(ctx.session, sitzung),
        "status": ProtokollStatus(protokoll.status),
        "tops": tagesordnung(ctx.session, sitzung),
        **ansicht.current_view(ctx.session, protokoll),
    }


def _stored_values(view: dict[str, Any]) -> dict[str, str]:
    """The current version as form values (a revision starts from what was submitted)."""
    values: dict[str, str] = {}
    current = view["version"]
    for name in ("beginn", "ende"):
        moment = getattr(current, name, None) if current is not None else None
        if moment is not None:
            values[name] = format_uhrzeit(moment).removesuffix(" Uhr")
    for entry in view["eintraege"]:
        if entry["top_id"]:
            values[f"diskussion_{entry['top_id']}"] = entry["diskussion"]
            values[f"ergebnis_{entry['top_id']}"] = entry["ergebnis"]
    for index, punkt in enumerate(view["punkte"], start=1):
        values |= {
            f"punkt_{index}_art": punkt["art_wert"],
            f"punkt_{index}_beschreibung": punkt["beschreibung"],
            f"punkt_{index}_verantwortlich": punkt["verantwortlich_wert"],
            f"punkt_{index}_frist": format_datum_kurz(punkt["frist"]),
            f"punkt_{index}_top": str(punkt["top_id"] or ""),
        }
    return values


def _field_errors(report: ProblemReport) -> dict[str, str]:
    """Problems keyed by the form field they concern (the error list links to the field)."""
    errors: dict[str, str] = {}
    for problem in report.problems:
        if problem.datei == FORMULAR and problem.spalte in ("Beginn", "Ende"):
            key, text = problem.spalte.lower(), problem.meldung
        elif problem.datei == PUNKTE and problem.zeile is not None:
            key = f"punkt_{problem.zeile}_{_SPALTEN.get(problem.spalte or '', 'beschreibung')}"
            text = f"Aufgabe {problem.zeile}, {problem.spalte}: {problem.meldung}"
        elif problem.spalte is None and problem.zeile is None and problem.datei not in ("Protokollentwurf",):
            key, text = "dokument", f"{problem.datei}: {problem.meldung}"
        else:
            key, text = "entwurf", problem.meldung
        errors[key] = errors[key] + " " + text if key in errors else text
    return errors


def _entwurf_page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    werte: dict[str, str] | None = None,
    eingereicht: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    protokoll = _protokoll(ctx)
    common = _common(ctx, protokoll)
    values = werte if werte is not None else _stored_values(common)
    filled = max((int(k.split("_")[1]) for k in values if k.startswith("punkt_")), default=0)
    latest = ansicht.last_decision(ctx.session, protokoll)
    names = {p.id: p.anzeigename for p in teilnehmende(ctx.session, common["sitzung"])}
    return ctx.render(
        "portal/protokoll_entwurf.html",
        status_code=status_code if not fehler else 400,
        fehler=fehler or {},
        werte=values,
        eingereicht=eingereicht,
        zeilen=min(MAX_ZEILEN, filled + LEERE_ZEILEN),
        verantwortliche=verantwortliche_auswahl(ctx.session, common["sitzung"]),
        arten=[(art.value, art.label) for art in ProtokollPunktArt],
        rueckgabe=latest[1] if latest and protokoll.status == ProtokollStatus.ZURUECKGEGEBEN else None,
        kommentare=ansicht.comment_lines(ctx.session, protokoll, names, latest[0].id if latest else None)
        if protokoll.status == ProtokollStatus.ZURUECKGEGEBEN
        else [],
        offen=protokoll.status not in CLOSED and ctx.person.id == protokoll.protokollfuehrung_person_id,
        max_mb=ctx.portal.settings.protokoll.upload_max_mb,
        **common,
    )


async def _read_form(request: Request, limit: int) -> tuple[FormData, DokumentEingabe | None]:
    form = await request.form(max_files=2, max_fields=20 + 6 * MAX_ZEILEN + 200)
    upload = form.get("dokument")
    dokument = None
    if isinstance(upload, UploadFile) and (upload.filename or ""):
        # Read one byte past the limit: enough to say "too large" without holding a huge file.
        dokument = DokumentEingabe(dateiname=upload.filename or "", inhalt=await upload.read(limit + 1))
    return form, dokument


def _eingabe(form: FormData, dokument: DokumentEingabe | None, top_ids: list[int]) -> EntwurfEingabe:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    entries = tuple(
        EintragEingabe(top_id, diskussion=text(f"diskussion_{top_id}"), ergebnis=text(f"ergebnis_{top_id}"))
        for top_id in top_ids
    )
    rows = min(MAX_ZEILEN, int(text("zeilen")) if text("zeilen").isdigit() else 0)
    items = []
    for row in range(1, rows + 1):
        top = text(f"punkt_{row}_top")
        items.append(
            PunktEingabe(
                art=text(f"punkt_{row}_art"),
                beschreibung=text(f"punkt_{row}_beschreibung"),
                verantwortlich=text(f"punkt_{row}_verantwortlich"),
                frist=text(f"punkt_{row}_frist"),
                tagesordnungspunkt_id=int(top) if top.isdigit() else None,
            )
        )
    return EntwurfEingabe(
        eintraege=entries,
        punkte=tuple(items),
        dokument=dokument,
        anmerkung=text("anmerkung"),
        beginn=text("beginn"),
        ende=text("ende"),
    )


@router.get("/protokoll-entwurf/{token}")
def show_draft_form(request: Request, token: str, eingereicht: int = 0) -> Response:
    with Portal.of(request).link_scope(request, token, ENTWURF) as ctx:
        return _entwurf_page(ctx, eingereicht=bool(eingereicht))


@router.post("/protokoll-entwurf/{token}")
async def submit_draft_form(request: Request, token: str) -> Response:
    portal = Portal.of(request)
    limit = int(portal.settings.protokoll.upload_max_mb * 1024 * 1024)
    form, dokument = await _read_form(request, limit)

    def work() -> Response:
        with portal.link_scope(request, token, ENTWURF, form=form) as ctx:
            protokoll = _protokoll(ctx)
            top_ids = [top.id for top in tagesordnung(ctx.session, _common(ctx, protokoll)["sitzung"]) if top.id]
            werte = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
            try:
                submit_draft(
                    ctx.session,
                    protokoll_id=protokoll.id or 0,
                    person_id=ctx.person.id or 0,
                    eingabe=_eingabe(form, dokument, top_ids),
                    now=ctx.now,
                    settings=portal.settings,
                )
            except ProblemReport as report:
                ctx.session.rollback()  # nothing of the draft stays, not even half
                return _entwurf_page(ctx, fehler=_field_errors(report), werte=werte)
            except ProtokollFehler as exc:
                ctx.session.rollback()
                return _entwurf_page(ctx, fehler={"entwurf": str(exc)}, werte=werte)
        return RedirectResponse(f"{request.url.path}?eingereicht=1", status_code=303)

    return await run_in_threadpool(work)


def _kommentar_page(
    ctx: LinkContext, *, fehler: dict[str, str] | None = None, text: str = "", gespeichert: bool = False
) -> HTMLResponse:
    protokoll = _protokoll(ctx)
    common = _common(ctx, protokoll)
    version = common["version"]
    own = [
        line
        for line in ansicht.comment_lines(
            ctx.session, protokoll, {ctx.person.id: ctx.person.anzeigename}, version.id if version else None
        )
        if line["person_id"] == ctx.person.id
    ]
    offen = (
        protokoll.status == ProtokollStatus.EINGEREICHT
        and protokoll.kommentar_bis is not None
        and as_utc(ctx.now) < as_utc(protokoll.kommentar_bis)
    )
    return ctx.render(
        "portal/protokoll_kommentar.html",
        status_code=400 if fehler else 200,
        fehler=fehler or {},
        text=text,
        gespeichert=gespeichert,
        eigene=own,
        offen=offen,
        **common,
    )


@router.get("/protokoll-kommentar/{token}")
def show_comment_form(request: Request, token: str, gespeichert: int = 0) -> Response:
    with Portal.of(request).link_scope(request, token, KOMMENTAR) as ctx:
        return _kommentar_page(ctx, gespeichert=bool(gespeichert))


@router.get("/protokoll-kommentar/{token}/dokument")
def download_draft_document(request: Request, token: str) -> Response:
    """The uploaded draft document of the current version (only through a comment link)."""
    with Portal.of(request).link_scope(request, token, KOMMENTAR) as ctx:
        datei = _common(ctx, _protokoll(ctx))["dokument"]
        if datei is None:
            raise PortalFehler(404, "Kein Dokument", "Zu diesem Entwurf wurde kein Dokument hochgeladen.")
        return Response(
            datei.inhalt,
            media_type=datei.mimetype,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(datei.dateiname)}"},
        )


def _quote(name: str) -> str:
    return quote(name, safe="")


@router.post("/protokoll-kommentar/{token}")
async def submit_comment(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, KOMMENTAR, form=form) as ctx:
            text = form.get("kommentar")
            top = form.get("top")
            try:
                add_comment(
                    ctx.session,
                    protokoll_id=ctx.link.bezug_id,
                    person_id=ctx.person.id or 0,
                    text=text if isinstance(text, str) else "",
                    tagesordnungspunkt_id=int(top) if isinstance(top, str) and top.isdigit() else None,
                    now=ctx.now,
                )
            except ProblemReport as report:
                return _kommentar_page(
                    ctx,
                    fehler={"kommentar": "; ".join(p.meldung for p in report.problems)},
                    text=text if isinstance(text, str) else "",
                )
            except ProtokollFehler as exc:
                return _kommentar_page(ctx, fehler={"kommentar": str(exc)})
        return RedirectResponse(f"{request.url.path}?gespeichert=1", status_code=303)

    return await run_in_threadpool(work)
