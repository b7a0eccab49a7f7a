"""Recording the state of an Auftrag, whoever reports it (re-imported table or portal form).

One function so that every path applies the same rules:
- moving to ``in_arbeit`` sets ``begonnen_am``; closing sets ``erledigt_am`` (if not given) and,
  for ``umgesetzt``, progress 100 (on a change of status only);
- a report text becomes an Umsetzungsbericht, once: the same text for the same Auftrag is not
  recorded again, so re-importing a file changes nothing;
- a recurring report duty (Berichtspflicht, wording such as "jährlich zum Jahresende") that is
  reported done starts its next period: the deadline moves on by its turnus, status back to
  ``offen``. Only a new report does this, so a re-import never skips a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.fristen.wortlaut import parse_frist
from sozialforum.store.models import Auftrag, Umsetzungsbericht
from sozialforum.timeutil import add_months
from sozialforum.vocab import AuftragQuelle, AuftragStatus


@dataclass(frozen=True)
class Meldung:
    """What a responsible unit reports; None means: leave as it is."""

    status: AuftragStatus | None = None
    fortschritt_prozent: int | None = None
    frist: date | None = None
    begonnen_am: date | None = None
    erledigt_am: date | None = None
    sachstand: str | None = None
    bericht_datum: date | None = None


@dataclass
class Wirkung:
    geaendert: bool = False
    bericht_neu: bool = False
    naechste_periode: date | None = None


def _set(auftrag: Auftrag, name: str, value: object, effect: Wirkung) -> None:
    if value is not None and getattr(auftrag, name) != value:
        setattr(auftrag, name, value)
        effect.geaendert = True


def melde_sachstand(session: Session, auftrag: Auftrag, meldung: Meldung, *, today: date) -> Wirkung:
    """Apply one report to one Auftrag in the caller's transaction."""
    effect = Wirkung()
    day = meldung.bericht_datum or today
    text = (meldung.sachstand or "").strip()
    if text and _period_closed(session, auftrag, meldung, text):
        return effect  # a re-read row about a period that has since been closed and rolled on
    _set(auftrag, "frist", meldung.frist, effect)
    _set(auftrag, "begonnen_am", meldung.begonnen_am, effect)
    _set(auftrag, "erledigt_am", meldung.erledigt_am, effect)
    _set(auftrag, "fortschritt_prozent", meldung.fortschritt_prozent, effect)
    status = AuftragStatus(auftrag.status)
    if meldung.status is not None and status is not meldung.status:
        # The automatic dates apply to a change of status only, so that re-reading an unchanged
        # row never touches what the planners entered (or left empty) by hand.
        auftrag.status = status = meldung.status
        effect.geaendert = True
        if status is AuftragStatus.IN_ARBEIT and auftrag.begonnen_am is None:
            _set(auftrag, "begonnen_am", day, effect)
        if status.is_closed and auftrag.erledigt_am is None:
            _set(auftrag, "erledigt_am", day, effect)
        if status is AuftragStatus.UMGESETZT and meldung.fortschritt_prozent is None:
            _set(auftrag, "fortschritt_prozent", 100, effect)
    if text and not _reported(session, auftrag, text):
        session.add(
            Umsetzungsbericht(
                beschluss_id=auftrag.beschluss_id, auftrag_id=auftrag.id, datum=day, status=status, text=text
            )
        )
        effect.bericht_neu = True
        _next_period(auftrag, effect)
    session.flush()
    return effect


def _reported(session: Session, auftrag: Auftrag, text: str) -> bool:
    return (
        session.scalar(
            sa.select(col(Umsetzungsbericht.id)).where(
                col(Umsetzungsbericht.auftrag_id) == auftrag.id, col(Umsetzungsbericht.text) == text
            )
        )
        is not None
    )


def _period_closed(session: Session, auftrag: Auftrag, meldung: Meldung, text: str) -> bool:
    return (
        auftrag.quelle == AuftragQuelle.BERICHTSPFLICHT.value
        and meldung.frist is not None
        and auftrag.frist is not None
        and meldung.frist < auftrag.frist
        and _reported(session, auftrag, text)
    )


def _next_period(auftrag: Auftrag, effect: Wirkung) -> None:
    if (
        auftrag.quelle != AuftragQuelle.BERICHTSPFLICHT.value
        or auftrag.frist is None
        or AuftragStatus(auftrag.status) is not AuftragStatus.UMGESETZT
        or not auftrag.frist_wortlaut
    ):
        return
    turnus = parse_frist(auftrag.frist_wortlaut, reference=auftrag.frist).turnus_monate
    if not turnus:
        return
    auftrag.frist = add_months(auftrag.frist, turnus)
    auftrag.status = AuftragStatus.OFFEN
    auftrag.erledigt_am = None
    auftrag.fortschritt_prozent = 0
    effect.naechste_periode = auftrag.frist
    effect.geaendert = True
