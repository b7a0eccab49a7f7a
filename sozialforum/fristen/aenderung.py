"""Changing a deadline by hand, with a reason kept in the history (``FristAenderung``), and
recording a Fortschreibung's milestone as done or moved. The reminders read the sources, so a
moved deadline is reminded under its new date (a new reminder key) from the next run on."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.fristen.konfiguration import MeilensteinKonfiguration, MeilensteinVorlage
from sozialforum.fristen.quellen import fortschreibung_faellig
from sozialforum.store.models import Auftrag, Fachplan, FachplanMeilenstein, FristAenderung, Massnahme


def _grund(grund: str) -> str:
    text = grund.strip()
    if len(text) < 3:
        raise ValueError("Bitte geben Sie einen Grund für die Änderung der Frist an.")
    return text[:2000]


def _log(
    session: Session, ref: str, alt: date | None, neu: date | None, grund: str, akteur: str, now: datetime
) -> None:
    session.add(FristAenderung(frist_ref=ref, alt=alt, neu=neu, grund=grund, akteur=akteur, geaendert_am=now))


def auftrag_frist_aendern(
    session: Session, auftrag: Auftrag, *, neu: date, grund: str, akteur: str, now: datetime
) -> None:
    """Move an Auftrag's deadline; the reason and who moved it go into the history."""
    text = _grund(grund)
    if auftrag.frist == neu:
        raise ValueError("Die neue Frist ist dieselbe wie bisher.")
    _log(session, f"auftrag:{auftrag.id}", auftrag.frist, neu, text, akteur, now)
    auftrag.frist = neu
    session.add(auftrag)
    session.flush()


def massnahme_pruefung_aendern(
    session: Session, massnahme: Massnahme, *, neu: date, grund: str, akteur: str, now: datetime
) -> None:
    text = _grund(grund)
    _log(session, f"massnahme:{massnahme.id}", massnahme.naechste_pruefung, neu, text, akteur, now)
    massnahme.naechste_pruefung = neu
    session.add(massnahme)
    session.flush()


def meilenstein(
    session: Session,
    plan: Fachplan,
    schluessel: str,
    *,
    meilensteine: MeilensteinKonfiguration,
    akteur: str,
    now: datetime,
    erledigt_am: date | None = None,
    faellig_am: date | None = None,
    grund: str = "",
) -> FachplanMeilenstein:
    """Record a milestone of the running Fortschreibung as done, or move it (with a reason)."""
    due = fortschreibung_faellig(plan)
    if due is None:
        raise ValueError(f"Der Fachplan „{plan.name}“ hat kein Beschlussdatum oder keinen Turnus.")
    vorlagen: dict[str, MeilensteinVorlage] = {m.schluessel: m for m in meilensteine.fuer(plan.art)}
    if schluessel not in vorlagen:
        raise ValueError(f"Meilenstein „{schluessel}“ gibt es für diese Planart nicht.")
    row = session.scalars(
        sa.select(FachplanMeilenstein).where(
            col(FachplanMeilenstein.fachplan_id) == plan.id,
            col(FachplanMeilenstein.zyklus_faellig) == due,
            col(FachplanMeilenstein.meilenstein) == schluessel,
        )
    ).first() or FachplanMeilenstein(fachplan_id=plan.id, zyklus_faellig=due, meilenstein=schluessel)  # type: ignore[arg-type]  # a stored plan: id set
    if faellig_am is not None and faellig_am != row.faellig_am:
        _log(session, f"meilenstein:{plan.id}:{schluessel}", row.faellig_am, faellig_am, _grund(grund), akteur, now)
        row.faellig_am = faellig_am
    if erledigt_am is not None:
        row.erledigt_am = erledigt_am
    session.add(row)
    session.flush()
    return row


def verlauf(session: Session, ref_prefix: str) -> list[FristAenderung]:
    """The history of moved deadlines whose ref is ``ref_prefix`` or starts with it plus ':'."""
    return list(
        session.scalars(
            sa.select(FristAenderung)
            .where(
                sa.or_(
                    col(FristAenderung.frist_ref) == ref_prefix,
                    col(FristAenderung.frist_ref).startswith(ref_prefix + ":"),
                )
            )
            .order_by(col(FristAenderung.geaendert_am), col(FristAenderung.id))
        )
    )
