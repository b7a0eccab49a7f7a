"""Postausgang: what was sent to whom and when, what failed or bounced and why, and sending a
failed message again (queued under its own key, delivered by a flow run). A message of unclear
delivery ("Zustellung unklar") waits for a person: confirmed as delivered, or sent again."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum import outbox
from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.links import ohne_tokens
from sozialforum.outbox import unklar
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import OutboxMessage
from sozialforum.vocab import NachrichtArt, OutboxStatus

bereich = Bereich()
SEITE = 50


@dataclass(frozen=True)
class Filter:
    status: str = ""
    art: str = ""
    q: str = ""
    seite: int = 1

    @classmethod
    def aus(cls, params: Mapping[str, str]) -> Filter:
        status = params.get("status", "")
        art = params.get("art", "")
        page = params.get("seite", "1")
        return cls(
            status=status if status in OutboxStatus.__members__.values() else "",
            art=art if art in NachrichtArt.__members__.values() else "",
            q=params.get("q", "").strip()[:100],
            seite=max(1, int(page)) if page.isdigit() else 1,
        )

    def query(self, **changes: object) -> str:
        values = {**self.__dict__, **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


@bereich.seite("/postausgang", Recht.LESEN)
def liste(request: Request) -> Response:
    filt = Filter.aus(request.query_params)
    with scope(request) as ctx:
        query = sa.select(OutboxMessage)
        if filt.status:
            query = query.where(col(OutboxMessage.status) == filt.status)
        if filt.art:
            query = query.where(col(OutboxMessage.art) == filt.art)
        if filt.q:
            like = f"%{filt.q.replace('%', '').replace('_', '')}%"
            query = query.where(
                sa.or_(col(OutboxMessage.empfaenger).ilike(like), col(OutboxMessage.betreff).ilike(like))
            )
        gesamt = ctx.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        rows = ctx.session.scalars(
            query.order_by(col(OutboxMessage.erstellt_am).desc(), col(OutboxMessage.id).desc())
            .limit(SEITE)
            .offset((filt.seite - 1) * SEITE)
        ).all()
        je_status: dict[str, int] = {
            str(status): int(anzahl)
            for status, anzahl in ctx.session.execute(
                sa.select(col(OutboxMessage.status), sa.func.count()).group_by(col(OutboxMessage.status))
            ).all()
        }
        return render(
            ctx,
            "arbeitsplatz/postausgang.html",
            zeilen=rows,
            filt=filt,
            gesamt=gesamt,
            seiten=max(1, -(-gesamt // SEITE)),
            je_status=[(s, je_status.get(s.value, 0)) for s in OutboxStatus],
            status_labels={s.value: s.label for s in OutboxStatus},
            arten=list(NachrichtArt),
            art_label=NachrichtArt.benenne,
        )


def _lesbar(inhalt: bytes | None) -> tuple[str, list[str]]:
    """The text part (personal links hidden) and the attachments' names of a stored message."""
    if not inhalt:
        return "", []
    message = email.message_from_bytes(inhalt, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    anhaenge = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    return ohne_tokens(str(text)), anhaenge


@bereich.seite("/postausgang/{nachricht_id}", Recht.LESEN)
def nachricht(request: Request, nachricht_id: int) -> Response:
    with scope(request) as ctx:
        row = ctx.session.get(OutboxMessage, nachricht_id)
        if row is None:
            raise PortalFehler(404, "Nicht gefunden", "Diese Nachricht gibt es nicht.")
        # After the retention period only the header block is left (size and hash beside it).
        text, anhaenge = ("", []) if row.inhalt_gekuerzt_am else _lesbar(row.inhalt)
        return render(
            ctx,
            "arbeitsplatz/nachricht.html",
            n=row,
            status=OutboxStatus(row.status),
            art=NachrichtArt.benenne(row.art),
            text=text,
            anhaenge=anhaenge,
            darf_senden=darf(ctx.benutzer, Recht.AENDERN),
        )


def _akteur(ctx: StaffContext) -> str:
    return f"benutzer:{ctx.benutzer.name}"


@bereich.aktion("/postausgang/{nachricht_id}/erneut", Recht.AENDERN)
async def erneut(request: Request, nachricht_id: int) -> Response:
    """A failed message once more (after the address or the server was fixed): queued again
    under its key, delivered by a flow run. A bounce is final: the address must be changed and
    the message sent anew from its Sitzung or Frist."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        row = ctx.session.get(OutboxMessage, nachricht_id)
        if row is None:
            raise PortalFehler(404, "Nicht gefunden", "Diese Nachricht gibt es nicht.")
        if row.status == OutboxStatus.BOUNCED:
            raise Eingabefehler(
                "Diese Nachricht ist unzustellbar zurückgekommen; bitte die Adresse der Person berichtigen "
                "und die Nachricht neu auslösen (z. B. „Neue Mitglieder einladen“ bei der Sitzung)."
            )
        if row.status == OutboxStatus.UNCERTAIN:  # a person's decision: the mail server does not have it
            unklar.send_again(ctx.session, [nachricht_id], actor=_akteur(ctx), now=ctx.now)
        elif row.status != OutboxStatus.FAILED or not outbox.requeue_failed(ctx.session, ids=[nachricht_id]):
            raise Eingabefehler(
                "Nur fehlgeschlagene Nachrichten oder solche mit unklarer Zustellung können erneut gesendet werden."
            )
        return laeufe.starte(ctx, "zustellen", {}, titel=f"Erneut senden: {row.betreff}"[:200])

    return await aktion(request, arbeit)


@bereich.aktion("/postausgang/{nachricht_id}/zugestellt", Recht.AENDERN)
async def zugestellt(request: Request, nachricht_id: int) -> Response:
    """A message of unclear delivery that the mail server has (checked by a person): sent."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        try:
            unklar.confirm_delivered(ctx.session, [nachricht_id], actor=_akteur(ctx), now=ctx.now)
        except ValueError as exc:
            raise Eingabefehler(str(exc)) from None
        return RedirectResponse(f"/arbeitsplatz/postausgang/{nachricht_id}?meldung=zugestellt", status_code=303)

    return await aktion(request, arbeit)
