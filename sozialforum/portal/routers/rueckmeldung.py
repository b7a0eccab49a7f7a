"""``/rueckmeldung/{token}``: the RSVP to a Sitzung (yes/no/maybe, attendees, needs).

The portal's hot path: every invited Träger opens this page and answers within the hour after
the invitation. Both handlers therefore run on ``Portal.link_transaction`` (plain statements, no
ORM session; the link is verified and the page's values read in one statement) and, for SQLite,
on the event loop (see ``Portal.run``). A failed submission wrote nothing, so its row still
shows the page as it is.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.background import BackgroundTask

from sozialforum import outbox
from sozialforum.konferenz import plaetze
from sozialforum.portal import anfragen, beteiligung
from sozialforum.portal.context import Portal
from sozialforum.portal.eingabe import formular
from sozialforum.portal.kontexte import LinkTransaction
from sozialforum.portal.seitenform import Luecken, ohne_luecken
from sozialforum.store import audit
from sozialforum.timeutil import format_termin
from sozialforum.vocab import Antwort, AntwortQuelle, Beduerfnis, LinkZweck

router = APIRouter()
ZWECK = LinkZweck.RSVP
# On the form the Träger speaks: "Vertretung benannt" is how the list calls the answer.
_FORMULIERUNG = {Antwort.DELEGIERT: "Ich werde vertreten"}
# Tuples: the page's shape key takes a tuple of plain values as it is (``portal.seitenform``).
_ANTWORTEN = tuple((a.value, _FORMULIERUNG.get(a, a.label)) for a in beteiligung.LINK_ANTWORTEN)
_BEDUERFNISSE = tuple((b.value, b.label) for b in Beduerfnis)


def _page(
    ctx: LinkTransaction,
    *,
    fehler: dict[str, str] | None = None,
    eingabe: dict[str, Any] | None = None,
    gespeichert: bool = False,
) -> HTMLResponse:
    # Without errors the page is made from its shape (the same for every person in the same
    # state): the personal values are gaps (``portal.seitenform``). A page with errors shows
    # what was typed; it is rare and rendered directly.
    luecken = None if fehler else Luecken()
    luecke = luecken or ohne_luecken
    ansicht = beteiligung.rsvp_ansicht(ctx.row, luecke)
    row = ansicht.pop("antwort")
    werte = eingabe or {
        "antwort": str(row.antwort) if row and row.antwort != Antwort.OFFEN else None,
        "personen": luecke(row.personen if row and row.personen else 1),
        "beduerfnisse": list(row.beduerfnisse) if row else [],
        "kommentar": luecke(row.kommentar if row else ""),
        "vertretung_name": luecke(row.vertretung_name if row else ""),
        "vertretung_email": luecke(row.vertretung_email if row else ""),
    }
    bisher = None
    if row is not None and row.beantwortet_am is not None:
        bisher = {
            "antwort": Antwort(row.antwort),
            "personen": row.personen,
            "quelle": AntwortQuelle(row.quelle) if row.quelle else None,
            "am": luecke(format_termin(row.beantwortet_am)),
            "warteliste": row.warteliste,
        }
    return ctx.render(
        "portal/rueckmeldung.html",
        status_code=400 if fehler else 200,
        luecken=luecken,
        bisher=bisher,
        werte=werte,
        fehler=fehler or {},
        gespeichert=gespeichert,
        geschlossen=beteiligung.sitzung_open(ansicht["sitzung"], now=ctx.now),
        antworten=_ANTWORTEN,
        beduerfnisse=_BEDUERFNISSE,
        max_personen=beteiligung.MAX_PERSONEN,
        vertretung_label=_FORMULIERUNG[Antwort.DELEGIERT],
        **ansicht,
    )


def _mails(
    ctx: LinkTransaction, eingabe: beteiligung.RsvpEingabe, zuteilung: plaetze.Zuteilung, *, bestaetigen: bool
) -> list[int]:
    """Queue, in the answer's own transaction (all or nothing), the confirmation the person asked
    for and the news for whoever moved up from the waiting list; their outbox ids."""
    if not bestaetigen and not zuteilung.nachgerueckt:
        return []  # the common case costs no session
    settings = ctx.portal.settings
    with Session(bind=ctx.connection) as session:
        audit.set_actor(session, ctx.akteur)
        ids = plaetze.nachruecker_benachrichtigen(
            session, ctx.link.bezug_id, zuteilung.nachgerueckt, now=ctx.now, settings=settings
        )
        if bestaetigen:
            message_id = anfragen.bestaetige_rsvp(
                session,
                person_id=ctx.link.person_id,
                sitzung_id=ctx.link.bezug_id,
                eingabe=eingabe,
                warteplatz=zuteilung.warteplatz(ctx.link.person_id),
                now=ctx.now,
                settings=settings,
            )
            ids += [message_id] if message_id is not None else []
        session.flush()
        return ids


def _gespeichert(request: Request) -> bool:
    """The page's ``?gespeichert=`` flag, an integer as FastAPI would validate it (400 if not)."""
    raw = request.query_params.get("gespeichert", "0")
    try:
        return int(raw) != 0
    except ValueError:
        raise RequestValidationError(
            [{"type": "int_parsing", "loc": ("query", "gespeichert"), "msg": "keine Zahl", "input": raw}]
        ) from None


async def show(request: Request) -> Response:
    token = str(request.path_params["token"])
    gespeichert = _gespeichert(request)
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_transaction(request, token, ZWECK, query=beteiligung.RSVP_ANSICHT) as ctx:
            return _page(ctx, gespeichert=gespeichert)

    return await portal.run(work)


async def submit(request: Request) -> Response:
    token = str(request.path_params["token"])
    form = await formular(request)
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_transaction(request, token, ZWECK, form=form, query=beteiligung.RSVP_ANSICHT) as ctx:
            try:
                eingabe = beteiligung.parse_rsvp(form)
                beteiligung.record_rsvp(
                    ctx.connection,
                    akteur=ctx.akteur,
                    sitzung_id=ctx.link.bezug_id,
                    person_id=ctx.link.person_id,
                    eingabe=eingabe,
                    now=ctx.now,
                    stand=ctx.row,
                )
                # Without places (the common case) and nobody waiting, there is nothing to deal.
                if ctx.row.plaetze is None and not ctx.row.warteliste:
                    zuteilung = plaetze.Zuteilung(None)
                else:
                    zuteilung = plaetze.zuteilen(ctx.connection, ctx.link.bezug_id, akteur=ctx.akteur, now=ctx.now)
                mails = _mails(ctx, eingabe, zuteilung, bestaetigen=bool(form.get("bestaetigung")))
            except beteiligung.EingabeFehler as exc:
                raw = {
                    "antwort": form.get("antwort"),
                    "personen": form.get("personen"),
                    "beduerfnisse": form.getlist("beduerfnisse"),
                    "kommentar": form.get("kommentar"),
                    "vertretung_name": form.get("vertretung_name"),
                    "vertretung_email": form.get("vertretung_email"),
                }
                return _page(ctx, fehler=exc.fehler, eingabe=raw)
            except beteiligung.SitzungGeschlossen:
                return _page(ctx)
        # Post/Redirect/Get: reloading the confirmation never sends the answer again.
        # The link's path needs no quoting (RedirectResponse would quote it): a verified token is URL-safe.
        response = Response(status_code=303, headers={"location": f"{ctx.path}?gespeichert=1"})
        if mails:  # queued with the answer; sent right after the response
            response.background = BackgroundTask(
                outbox.deliver_pending, portal.engine, portal.settings, now=ctx.now, nur=mails
            )
        return response

    return await portal.run(work)


# Plain Starlette routes rather than FastAPI's: its dependency solving and parameter validation
# cost every request about 70 µs of CPU, as much as the answer's database work; the two handlers
# read their one path parameter and their one query flag themselves.
router.add_route("/rueckmeldung/{token}", show, methods=["GET"])
router.add_route("/rueckmeldung/{token}", submit, methods=["POST"])
