"""The project list as the Sozialamt keeps it in Excel (Leipzig: about 110 projects at about 80
Träger), read all or nothing.

One row per project and year: ``kennung``, ``titel``, ``traeger`` (the Träger's key or its exact
name), optional ``handlungsfeld``, ``art``, ``status``, ``sozialraeume`` (names or keys separated
by ``;``, each optionally with its share, ``Altstadt: 60``), ``leitsaetze`` (numbers of the
Strategie's Leitsätze, ``1, 3``), ``laufzeit_von``, ``laufzeit_bis``, ``jahr``, ``plan_eur``,
``ist_eur``, ``plan_vzae``, ``ist_vzae``. Every row is checked before anything is written; an
unknown Träger or Sozialraum is named with the nearest candidates. Re-reading the same list
changes nothing; a changed row updates its project and that year's resources.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from sozialforum.channels.tabular import read_table
from sozialforum.parsing import parse_date, parse_decimal_text
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import (
    Gebiet,
    Massnahme,
    Organisation,
    ProjektBezug,
    ProjektGebiet,
    ProjektRessource,
    Strategie,
    Strategieelement,
)
from sozialforum.vocab import GebietEbene, MassnahmeArt, MassnahmeStatus, StrategieElementArt, Vocab

REQUIRED = ("kennung", "titel", "traeger", "jahr", "plan_eur")
KNOWN = (
    *REQUIRED,
    "handlungsfeld",
    "art",
    "status",
    "sozialraeume",
    "leitsaetze",
    "laufzeit_von",
    "laufzeit_bis",
    "ist_eur",
    "plan_vzae",
    "ist_vzae",
)
AREA_LEVELS = (GebietEbene.SOZIALRAUM.value, GebietEbene.PLANUNGSRAUM.value, GebietEbene.SOZIALREGION.value)


@dataclass
class Projektzeile:
    zeile: int
    kennung: str
    titel: str
    traeger_id: int
    jahr: int
    plan_eur: Decimal
    ist_eur: Decimal | None
    plan_vzae: Decimal
    ist_vzae: Decimal | None
    handlungsfeld: str | None
    art: MassnahmeArt
    status: MassnahmeStatus
    laufzeit_von: date | None
    laufzeit_bis: date | None
    gebiete: dict[int, Decimal] = field(default_factory=dict)
    leitsaetze: list[int] = field(default_factory=list)


@dataclass
class ProjektImport:
    datei: str
    neu: int = 0
    geaendert: int = 0
    unveraendert: int = 0
    probelauf: bool = False

    def zusammenfassung(self) -> str:
        verb = "würden" if self.probelauf else "wurden"
        return (
            f"{self.datei}: {self.neu} Projekte {verb} neu angelegt, {self.geaendert} geändert, "
            f"{self.unveraendert} unverändert."
        )


def _nearest(raw: str, names: list[str]) -> str:
    close = difflib.get_close_matches(raw, names, n=3, cutoff=0.6)
    return f" Meinten Sie: {', '.join(f'„{c}“' for c in close)}?" if close else ""


class _Reader:
    def __init__(self, session: Session, datei: str, strategie_id: int | None) -> None:
        self.datei = datei
        self.problems: list[Problem] = []
        orgs = session.exec(select(Organisation.id, Organisation.kennung, Organisation.name)).all()
        self.traeger = {k.lower(): i for i, k, _ in orgs} | {n.lower(): i for i, _, n in orgs}
        self.traeger_namen = [n for _, _, n in orgs]
        areas = session.exec(
            select(Gebiet.id, Gebiet.schluessel, Gebiet.name).where(col(Gebiet.ebene).in_(AREA_LEVELS))
        ).all()
        self.gebiete = {k.lower(): i for i, k, _ in areas} | {n.lower(): i for i, _, n in areas}
        self.gebiet_namen = [n for _, _, n in areas]
        self.leitsaetze: dict[int, int] = {}
        if strategie_id is not None:
            rows = session.exec(
                select(Strategieelement.nummer, Strategieelement.id)
                .where(Strategieelement.strategie_id == strategie_id)
                .where(Strategieelement.art == StrategieElementArt.LEITSATZ.value)
            ).all()
            self.leitsaetze = {nummer: element_id for nummer, element_id in rows if element_id is not None}

    def bad(self, zeile: int, spalte: str, meldung: str) -> None:
        self.problems.append(Problem(self.datei, zeile, spalte, meldung))

    def value(self, zeile: int, spalte: str, raw: str | None, parse: Callable[[str], Any], default: Any = None) -> Any:
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, InvalidOperation) as exc:
            self.bad(zeile, spalte, f"„{raw}“: {exc}")
            return default

    def amount(self, zeile: int, spalte: str, raw: str | None, *, maximum: Decimal) -> Decimal | None:
        value = self.value(zeile, spalte, raw, lambda text: Decimal(parse_decimal_text(text)))
        if value is not None and not Decimal(0) <= value <= maximum:
            self.bad(zeile, spalte, "darf nicht negativ sein." if value < 0 else "ist unplausibel hoch.")
        return value

    def vocab(self, zeile: int, spalte: str, raw: str | None, kind: type[Vocab], default: Vocab) -> Any:
        def parse(text: str) -> Vocab:
            try:
                return kind.parse(text)
            except ValueError:
                raise ValueError(f"erlaubt sind {', '.join(m.label for m in kind)}") from None

        return self.value(zeile, spalte, raw, parse, default)

    def row(self, zeile: int, v: dict[str, str | None]) -> Projektzeile | None:
        before = len(self.problems)
        kennung, titel, traeger = v.get("kennung"), v.get("titel"), v.get("traeger")
        for spalte, raw, limit in (
            ("kennung", kennung, 60),
            ("titel", titel, 500),
            ("handlungsfeld", v.get("handlungsfeld"), 200),
        ):
            if raw is None and spalte != "handlungsfeld":
                self.bad(zeile, spalte, "fehlt.")
            elif raw is not None and len(raw) > limit:
                self.bad(zeile, spalte, f"ist länger als {limit} Zeichen.")
        traeger_id = self.traeger.get((traeger or "").lower())
        if traeger is not None and traeger_id is None:
            self.bad(zeile, "traeger", f"Unbekannter Träger „{traeger}“.{_nearest(traeger, self.traeger_namen)}")
        elif traeger is None:
            self.bad(zeile, "traeger", "fehlt.")
        jahr = self.value(zeile, "jahr", v.get("jahr"), int)
        if jahr is not None and not 1990 <= jahr <= 2100:
            self.bad(zeile, "jahr", f"{jahr} ist kein plausibles Jahr.")
        plan = self.amount(zeile, "plan_eur", v.get("plan_eur"), maximum=Decimal(100_000_000))
        ist = self.amount(zeile, "ist_eur", v.get("ist_eur"), maximum=Decimal(100_000_000))
        plan_vzae = self.amount(zeile, "plan_vzae", v.get("plan_vzae"), maximum=Decimal(500))
        ist_vzae = self.amount(zeile, "ist_vzae", v.get("ist_vzae"), maximum=Decimal(500))
        von = self.value(zeile, "laufzeit_von", v.get("laufzeit_von"), parse_date)
        bis = self.value(zeile, "laufzeit_bis", v.get("laufzeit_bis"), parse_date)
        if von and bis and bis < von:
            self.bad(zeile, "laufzeit_bis", "liegt vor dem Beginn der Laufzeit.")
        gebiete: dict[int, Decimal] = {}
        for part in (v.get("sozialraeume") or "").split(";"):
            name, _, share = part.partition(":")
            if not name.strip():
                continue
            gebiet_id = self.gebiete.get(name.strip().lower())
            if gebiet_id is None:
                self.bad(
                    zeile,
                    "sozialraeume",
                    f"Unbekannter Sozialraum „{name.strip()}“.{_nearest(name.strip(), self.gebiet_namen)}",
                )
                continue
            gebiete[gebiet_id] = self.amount(
                zeile, "sozialraeume", share.strip() or "100", maximum=Decimal(100)
            ) or Decimal(0)
        leitsaetze = []
        for number in (v.get("leitsaetze") or "").replace(";", ",").split(","):
            if not number.strip():
                continue
            nummer = self.value(zeile, "leitsaetze", number.strip(), int)
            if nummer is not None and nummer not in self.leitsaetze:
                self.bad(zeile, "leitsaetze", f"Die Strategie hat keinen Leitsatz {nummer}.")
            elif nummer is not None:
                leitsaetze.append(self.leitsaetze[nummer])
        art = self.vocab(zeile, "art", v.get("art"), MassnahmeArt, MassnahmeArt.PROJEKT)
        status = self.vocab(zeile, "status", v.get("status"), MassnahmeStatus, MassnahmeStatus.LAUFENDES_GESCHAEFT)
        if len(self.problems) > before:
            return None
        # Checked above: a row without a problem has all of these.
        assert kennung is not None and titel is not None and traeger_id is not None and plan is not None
        return Projektzeile(
            zeile,
            kennung,
            titel,
            traeger_id,
            jahr,
            plan,
            ist,
            plan_vzae or Decimal(0),
            ist_vzae,
            v.get("handlungsfeld"),
            art,
            status,
            von,
            bis,
            gebiete,
            leitsaetze,
        )


def projekte_lesen(session: Session, path: Path, *, strategie_id: int | None) -> list[Projektzeile]:
    """Every row checked; a ``ProblemReport`` with all problems, or the rows."""
    table = read_table(path, required=REQUIRED)
    reader = _Reader(session, path.name, strategie_id)
    unknown = [h for h in table.header if h and h not in KNOWN]
    for spalte in unknown:
        close = difflib.get_close_matches(spalte, KNOWN, n=1, cutoff=0.6)
        hint = f" Gemeint ist vermutlich „{close[0]}“." if close else f" Bekannt sind: {', '.join(KNOWN)}."
        reader.bad(1, spalte, f"Unbekannte Spalte.{hint}")
    rows = [r for zeile, values in table.rows if (r := reader.row(zeile, values)) is not None]
    seen: dict[tuple[str, int], int] = {}
    for r in rows:
        if (r.kennung, r.jahr) in seen:
            reader.bad(r.zeile, "kennung", f"Projekt und Jahr stehen schon in Zeile {seen[(r.kennung, r.jahr)]}.")
        seen[(r.kennung, r.jahr)] = r.zeile
    if not table.rows:
        reader.bad(1, None, "Die Liste enthält keine Projekte.")  # type: ignore[arg-type]  # whole-file problem
    if reader.problems:
        raise ProblemReport(reader.problems)
    return rows


def projekte_importieren(
    session: Session, path: Path, *, strategie_kennung: str | None = None, probelauf: bool = False
) -> ProjektImport:
    """Read and write the list in the caller's transaction (the caller rolls back a dry run)."""
    strategie = _strategie(session, strategie_kennung)
    rows = projekte_lesen(session, path, strategie_id=strategie.id if strategie else None)
    result = ProjektImport(path.name, probelauf=probelauf)
    known = {
        m.kennung: m
        for m in session.exec(select(Massnahme).where(col(Massnahme.kennung).in_({r.kennung for r in rows})))
    }
    existed = set(known)
    changed: dict[str, bool] = {}
    for r in rows:
        massnahme = known.get(r.kennung)
        if massnahme is None:
            massnahme = known[r.kennung] = Massnahme(kennung=r.kennung, titel=r.titel)
        fields = {
            "titel": r.titel,
            "handlungsfeld": r.handlungsfeld,
            "art": r.art,
            "status": r.status,
            "verantwortlich_organisation_id": r.traeger_id,
            "laufzeit_von": r.laufzeit_von,
            "laufzeit_bis": r.laufzeit_bis,
        }
        differs = False
        for name, value in fields.items():
            if getattr(massnahme, name) != value:
                setattr(massnahme, name, value)
                differs = True
        session.add(massnahme)
        session.flush()
        differs |= _ressource(session, massnahme.id, r)  # type: ignore[arg-type]  # flushed: id set
        differs |= _links(session, massnahme.id, r)  # type: ignore[arg-type]  # flushed: id set
        changed[r.kennung] = changed.get(r.kennung, False) or differs
    for kennung, differs in changed.items():
        if kennung not in existed:
            result.neu += 1
        elif differs:
            result.geaendert += 1
        else:
            result.unveraendert += 1
    session.flush()
    return result


def _strategie(session: Session, kennung: str | None) -> Strategie | None:
    query = select(Strategie)
    if kennung:
        found = session.exec(query.where(Strategie.kennung == kennung)).first()
        if found is None:
            raise ProblemReport([Problem("Strategie", None, None, f"Keine Strategie mit der Kennung „{kennung}“.")])
        return found
    return session.exec(query.order_by(col(Strategie.id).desc())).first()


def _ressource(session: Session, massnahme_id: int, r: Projektzeile) -> bool:
    row = session.exec(
        select(ProjektRessource)
        .where(ProjektRessource.massnahme_id == massnahme_id)
        .where(ProjektRessource.jahr == r.jahr)
    ).first()
    new = {"plan_eur": r.plan_eur, "ist_eur": r.ist_eur, "plan_vzae": r.plan_vzae, "ist_vzae": r.ist_vzae}
    if row is not None and all(_same(getattr(row, k), v) for k, v in new.items()):
        return False
    row = row or ProjektRessource(massnahme_id=massnahme_id, jahr=r.jahr)
    for k, v in new.items():
        setattr(row, k, v)
    session.add(row)
    return True


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))


def _links(session: Session, massnahme_id: int, r: Projektzeile) -> bool:
    """Areas and Leitsätze as the row states them (replaced when they differ)."""
    changed = False
    areas = {
        g.gebiet_id: g for g in session.exec(select(ProjektGebiet).where(ProjektGebiet.massnahme_id == massnahme_id))
    }
    if {k: Decimal(v.anteil_prozent) for k, v in areas.items()} != r.gebiete:
        for area in areas.values():
            session.delete(area)
        session.flush()
        session.add_all(
            ProjektGebiet(massnahme_id=massnahme_id, gebiet_id=k, anteil_prozent=v) for k, v in r.gebiete.items()
        )
        changed = True
    links = list(session.exec(select(ProjektBezug).where(ProjektBezug.massnahme_id == massnahme_id)))
    if sorted(b.element_id for b in links if b.element_id is not None) != sorted(r.leitsaetze):
        for link in links:
            if link.element_id is not None:
                session.delete(link)
        session.flush()
        session.add_all(ProjektBezug(massnahme_id=massnahme_id, element_id=e) for e in r.leitsaetze)
        changed = True
    return changed
