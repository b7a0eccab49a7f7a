"""Deletions at the source applied here: ``deleted: true`` (and STERNBERG's typeless deletion
records, typed from their URL) remove the row and what hangs on it — the TOPs of a Sitzung, the
Beratungen of a Vorlage — each removal an audit entry (the session hook writes it, the actor is the
import). What is ours and hangs on it too stays: a Beschluss with its Aufträge loses only the link
to the deleted Vorlage. A row that something else here still uses (a Protokoll, an invitation)
is not removed; it is listed for the Geschäftsstelle to decide instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from sozialforum.store.models import Beratung, Beschluss, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.vocab import SitzungStatus

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf


def _users(run: Lauf, table: str, row_id: int, handled: set[str]) -> list[str]:
    """Tables (other than ``handled``) whose rows still point at ``table`` row ``row_id``."""
    found = []
    for other in SQLModel.metadata.sorted_tables:
        if other.name in handled:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name == table and fk.parent.table is other:
                count = run.session.scalar(sa.select(sa.func.count()).select_from(other).where(fk.parent == row_id))
                if count:
                    found.append(other.name)
    return found


def _keep(run: Lauf, oid: str, table: str, row_id: int, users: list[str], what: str) -> None:
    run.leser.maengel.melde(oid, "deleted", f"in der Quelle gelöscht, hier noch verwendet ({', '.join(users)})")
    run.klaeren(
        "loeschung",
        oid,
        f"{what} wurde im Ratsinformationssystem gelöscht, wird hier aber noch verwendet "
        f"({', '.join(sorted(set(users)))}): bitte prüfen und ggf. von Hand entfernen.",
        table,
        row_id,
    )


def agenda_item(run: Lauf, oid: str, row: Tagesordnungspunkt) -> bool:
    """Remove one TOP; False if it is still used here (then it stays, listed for clarification)."""
    users = _users(run, "tagesordnungspunkt", row.id or 0, {"oparl_datei"})
    if users:
        _keep(run, oid, "tagesordnungspunkt", row.id or 0, users, f"TOP {row.nummer} „{row.titel}“")
        return False
    _drop_files(run, "tagesordnungspunkt_id", row.id)
    run.session.delete(row)
    run.index.set("tagesordnungspunkt", oid, None)
    run.index.remember(oid, "AgendaItem", "tagesordnungspunkt", None, modified=None, geloescht=True)
    run.bericht.geloescht += 1
    run.bericht.zaehle("AgendaItem", "geloescht")
    return True


def meeting(run: Lauf, oid: str) -> None:
    row_id = run.index.find("sitzung", oid)
    run.index.remember(oid, "Meeting", "sitzung", row_id, modified=None, geloescht=True)
    if row_id is None:
        run.bericht.zaehle("Meeting", "uebersprungen")
        return
    sitzung = run.session.get(Sitzung, row_id)
    assert sitzung is not None
    tops = list(run.session.scalars(sa.select(Tagesordnungspunkt).where(col(Tagesordnungspunkt.sitzung_id) == row_id)))
    kept = [t for t in tops if not agenda_item(run, t.oparl_id or f"top:{t.id}", t)]
    for beratung in run.session.scalars(sa.select(Beratung).where(col(Beratung.sitzung_id) == row_id)):
        beratung.sitzung_id = None
    run.session.flush()
    users = _users(run, "sitzung", row_id, {"tagesordnungspunkt", "beratung", "oparl_datei"})
    if kept or users:
        sitzung.status = SitzungStatus.ABGESAGT
        _keep(run, oid, "sitzung", row_id, users + ["tagesordnungspunkt"] * bool(kept), f"Sitzung „{sitzung.titel}“")
        run.bericht.zaehle("Meeting", "geaendert")
        return
    _drop_files(run, "sitzung_id", row_id)
    run.session.delete(sitzung)
    run.session.flush()
    run.index.set("sitzung", oid, None)
    run.index.remember(oid, "Meeting", "sitzung", None, modified=None, geloescht=True)
    run.bericht.geloescht += 1
    run.bericht.zaehle("Meeting", "geloescht")


def consultation(run: Lauf, oid: str) -> None:
    row_id = run.index.find("beratung", oid)
    run.index.remember(oid, "Consultation", "beratung", None, modified=None, geloescht=True)
    if row_id is None:
        run.bericht.zaehle("Consultation", "uebersprungen")
        return
    run.session.delete(run.session.get(Beratung, row_id))
    run.index.set("beratung", oid, None)
    run.bericht.geloescht += 1
    run.bericht.zaehle("Consultation", "geloescht")


def paper(run: Lauf, oid: str) -> None:
    row_id = run.index.find("vorlage", oid)
    run.index.remember(oid, "Paper", "vorlage", row_id, modified=None, geloescht=True)
    if row_id is None:
        run.bericht.zaehle("Paper", "uebersprungen")
        return
    vorlage = run.session.get(Vorlage, row_id)
    assert vorlage is not None
    for beratung in list(run.session.scalars(sa.select(Beratung).where(col(Beratung.vorlage_id) == row_id))):
        if beratung.oparl_id:
            run.index.set("beratung", beratung.oparl_id, None)
            run.index.remember(beratung.oparl_id, "Consultation", "beratung", None, modified=None, geloescht=True)
        run.session.delete(beratung)
        run.bericht.geloescht += 1
    for top in run.session.scalars(sa.select(Tagesordnungspunkt).where(col(Tagesordnungspunkt.vorlage_id) == row_id)):
        top.vorlage_id = None
    for other in run.session.scalars(sa.select(Vorlage).where(col(Vorlage.bezug_vorlage_id) == row_id)):
        other.bezug_vorlage_id = None
    for beschluss in run.session.scalars(sa.select(Beschluss).where(col(Beschluss.vorlage_id) == row_id)):
        beschluss.vorlage_id = None  # ours: it stays, with its Aufträge and reports
    run.session.flush()
    users = _users(run, "vorlage", row_id, {"beratung", "oparl_datei"})
    if users:
        _keep(run, oid, "vorlage", row_id, users, f"Vorlage {vorlage.kennung}")
        return
    _drop_files(run, "vorlage_id", row_id)
    run.session.delete(vorlage)
    run.session.flush()
    run.index.set("vorlage", oid, None)
    run.index.remember(oid, "Paper", "vorlage", None, modified=None, geloescht=True)
    run.bericht.geloescht += 1
    run.bericht.zaehle("Paper", "geloescht")


def _drop_files(run: Lauf, column: str, row_id: int | None) -> None:
    from sozialforum.store.models import OparlDatei

    for datei in run.session.scalars(sa.select(OparlDatei).where(getattr(OparlDatei, column) == row_id)):
        setattr(datei, column, None)
