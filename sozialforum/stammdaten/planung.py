"""Import of planning data (Fachpläne, Maßnahmen, Vorlagen with Beratungsfolge, Beschlüsse with
Beschlusspunkten, Aufträgen and Umsetzungsberichten) from one JSON document.

Every object is matched by its natural key, so a second import changes nothing. References
name other objects by their keys (``"fachplan": "FP-ALT"``); an unknown key is reported with
its path in the document and the whole import is rejected.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import (
    Auftrag,
    Beratung,
    Beschluss,
    Beschlusspunkt,
    Fachplan,
    Gebiet,
    Gremium,
    Massnahme,
    Organisation,
    Person,
    Umsetzungsbericht,
    Vorlage,
)

M = TypeVar("M", bound=SQLModel)


class _Loader:
    def __init__(self, session: Session, name: str) -> None:
        self.session = session
        self.name = name
        self.problems: list[Problem] = []
        self.counts = {"neu": 0, "geaendert": 0, "unveraendert": 0}

    def ref(self, model: type[SQLModel], key: Any, where: str) -> int | None:
        if key in (None, ""):
            return None
        column = Gebiet.schluessel if model is Gebiet else model.kennung  # type: ignore[attr-defined]  # the other models have a kennung
        found = self.session.scalar(sa.select(model.id).where(column == key).order_by(model.id.desc()))  # type: ignore[attr-defined]  # every model has an id
        if found is None:
            self.problems.append(Problem(self.name, None, where, f"unbekannter Schlüssel „{key}“."))
        return found

    def upsert(self, model: type[M], match: dict[str, Any], values: dict[str, Any]) -> M:
        conditions = [getattr(model, k) == v for k, v in match.items()]
        row = self.session.scalars(sa.select(model).where(*conditions)).first()
        if row is None:
            row = model(**match, **values)
            self.session.add(row)
            self.counts["neu"] += 1
        else:
            changed = False
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
                    changed = True
            self.counts["geaendert" if changed else "unveraendert"] += 1
        self.session.flush()
        return row


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def import_planung(session: Session, path: Path) -> dict[str, int]:
    """Import the document in the caller's transaction; raise ProblemReport on any bad reference."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemReport(
            [Problem(path.name, getattr(exc, "lineno", None), None, f"kein gültiges JSON in UTF-8 ({exc}).")]
        ) from None
    load = _Loader(session, path.name)
    for i, plan in enumerate(document.get("fachplaene", [])):
        load.upsert(
            Fachplan,
            {"kennung": plan["kennung"]},
            {
                "name": plan["name"],
                "art": plan["art"],
                "beschlossen_am": _date(plan.get("beschlossen_am")),
                "turnus_monate": plan.get("turnus_monate"),
                "zustaendig_organisation_id": load.ref(
                    Organisation, plan.get("zustaendig"), f"fachplaene[{i}].zustaendig"
                ),
            },
        )
    for i, item in enumerate(document.get("massnahmen", [])):
        where = f"massnahmen[{i}]"
        load.upsert(
            Massnahme,
            {"kennung": item["kennung"]},
            {
                "fachplan_id": load.ref(Fachplan, item.get("fachplan"), f"{where}.fachplan"),
                "titel": item["titel"],
                "handlungsfeld": item.get("handlungsfeld"),
                "status": item["status"],
                "art": item["art"],
                "budget_eur_jahr": Decimal(str(item["budget_eur_jahr"])).quantize(Decimal("0.01")),
                "vzae": Decimal(str(item["vzae"])).quantize(Decimal("0.01")),
                "verantwortlich_organisation_id": load.ref(
                    Organisation, item.get("verantwortlich"), f"{where}.verantwortlich"
                ),
                "gebiet_id": load.ref(Gebiet, item.get("gebiet"), f"{where}.gebiet"),
                "naechste_pruefung": _date(item.get("naechste_pruefung")),
            },
        )
    for i, paper in enumerate(document.get("vorlagen", [])):
        where = f"vorlagen[{i}]"
        vorlage = load.upsert(
            Vorlage,
            {"kennung": paper["kennung"]},
            {
                "art": paper["art"],
                "titel": paper["titel"],
                "datum": _date(paper["datum"]),
                "einreicher": paper.get("einreicher"),
                "text": paper.get("text"),
                "einreicher_organisation_id": load.ref(
                    Organisation, paper.get("einreicher_organisation"), f"{where}.einreicher_organisation"
                ),
                "bezug_vorlage_id": load.ref(Vorlage, paper.get("bezug"), f"{where}.bezug"),
            },
        )
        for j, step in enumerate(paper.get("beratungen", [])):
            load.upsert(
                Beratung,
                {"vorlage_id": vorlage.id, "reihenfolge": step["reihenfolge"]},
                {
                    "gremium_id": load.ref(Gremium, step.get("gremium"), f"{where}.beratungen[{j}].gremium"),
                    "rolle": step["rolle"],
                    "datum": _date(step.get("datum")),
                    "ergebnis": step["ergebnis"],
                },
            )
    for i, item in enumerate(document.get("beschluesse", [])):
        where = f"beschluesse[{i}]"
        beschluss = load.upsert(
            Beschluss,
            {"kennung": item["kennung"]},
            {
                "vorlage_id": load.ref(Vorlage, item.get("vorlage"), f"{where}.vorlage"),
                "gremium_id": load.ref(Gremium, item.get("gremium"), f"{where}.gremium"),
                "datum": _date(item["datum"]),
                "titel": item["titel"],
                "text": item.get("text"),
                "fassung": item.get("fassung"),
                "dezernat": item.get("dezernat"),
                "amt": item.get("amt"),
            },
        )
        punkte = {}
        for punkt in item.get("punkte", []):
            row = load.upsert(
                Beschlusspunkt, {"beschluss_id": beschluss.id, "nummer": punkt["nummer"]}, {"text": punkt["text"]}
            )
            punkte[punkt["nummer"]] = row.id
        auftraege = {}
        for j, task in enumerate(item.get("auftraege", [])):
            auftrag = load.upsert(
                Auftrag,
                {"kennung": task["kennung"]},
                {
                    "beschluss_id": beschluss.id,
                    "beschlusspunkt_id": punkte.get(task.get("punkt")),
                    "beschreibung": task["beschreibung"],
                    "frist": _date(task.get("frist")),
                    "frist_wortlaut": task.get("frist_wortlaut"),
                    "status": task["status"],
                    "verantwortlich_organisation_id": load.ref(
                        Organisation, task.get("verantwortlich_organisation"), f"{where}.auftraege[{j}]"
                    ),
                    "verantwortlich_person_id": load.ref(
                        Person, task.get("verantwortlich_person"), f"{where}.auftraege[{j}]"
                    ),
                    "begonnen_am": _date(task.get("begonnen_am")),
                    "erledigt_am": _date(task.get("erledigt_am")),
                    "fortschritt_prozent": task.get("fortschritt_prozent", 0),
                },
            )
            auftraege[task["kennung"]] = auftrag.id
        for report in item.get("berichte", []):
            load.upsert(
                Umsetzungsbericht,
                {
                    "beschluss_id": beschluss.id,
                    "auftrag_id": auftraege.get(report.get("auftrag")),
                    "datum": _date(report["datum"]),
                },
                {"status": report["status"], "text": report["text"]},
            )
    if load.problems:
        raise ProblemReport(load.problems)
    return load.counts
