"""Milestones of a Fortschreibung per plan type, from config/fristen.toml.

A bad file is rejected with every problem named (file, table, field) and nothing is guessed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sozialforum.problems import Problem, ProblemReport
from sozialforum.ressourcen import konfigurationsdatei
from sozialforum.vocab import FachplanArt

STANDARD = "standard"


@dataclass(frozen=True)
class MeilensteinVorlage:
    schluessel: str
    name: str
    monate_vorher: int
    tage_vorher: int = 0


@dataclass(frozen=True)
class MeilensteinKonfiguration:
    planarten: dict[str, tuple[MeilensteinVorlage, ...]]

    def fuer(self, art: str) -> tuple[MeilensteinVorlage, ...]:
        return self.planarten.get(art) or self.planarten.get(STANDARD, ())


def _milestone(name: str, where: str, raw: object, problems: list[Problem]) -> MeilensteinVorlage | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, None, where, "erwartet eine Tabelle mit schluessel, name, monate_vorher"))
        return None
    unknown = set(raw) - {"schluessel", "name", "monate_vorher", "tage_vorher"}
    for key in sorted(unknown):
        problems.append(Problem(name, None, f"{where}.{key}", "ist unbekannt (Tippfehler?)"))
    key, label = raw.get("schluessel"), raw.get("name")
    months, days = raw.get("monate_vorher", 0), raw.get("tage_vorher", 0)
    if not isinstance(key, str) or not key.isascii() or not key.replace("_", "").isalnum():
        problems.append(
            Problem(name, None, f"{where}.schluessel", "fehlt oder ist kein ASCII-Schlüssel (z. B. entwurf)")
        )
    if not isinstance(label, str) or not label.strip():
        problems.append(Problem(name, None, f"{where}.name", "fehlt"))
    for field, value in (("monate_vorher", months), ("tage_vorher", days)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(Problem(name, None, f"{where}.{field}", "muss eine ganze Zahl ≥ 0 sein"))
    if unknown or not isinstance(key, str) or not isinstance(label, str):
        return None
    if not isinstance(months, int) or not isinstance(days, int) or months < 0 or days < 0:
        return None
    return MeilensteinVorlage(key, label.strip(), months, days)


def load_meilensteine(path: Path) -> MeilensteinKonfiguration:
    """Read the milestone file (a relative path not found from the working folder: the one shipped
    with sozialforum); a missing file means: no milestones (only the due date)."""
    path = konfigurationsdatei(path)
    if not path.exists():
        return MeilensteinKonfiguration({})
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProblemReport([Problem(path.name, None, None, f"kein gültiges TOML ({exc})")]) from None
    problems: list[Problem] = []
    planarten: dict[str, tuple[MeilensteinVorlage, ...]] = {}
    known = {member.value for member in FachplanArt} | {STANDARD}
    for art, items in (document.get("planarten") or {}).items():
        if art not in known:
            problems.append(
                Problem(
                    path.name, None, f"planarten.{art}", f"unbekannte Planart (erlaubt: {', '.join(sorted(known))})"
                )
            )
            continue
        if not isinstance(items, list):
            problems.append(Problem(path.name, None, f"planarten.{art}", "erwartet [[planarten.<art>]]-Einträge"))
            continue
        parsed = [_milestone(path.name, f"planarten.{art}[{i}]", raw, problems) for i, raw in enumerate(items)]
        keys = [m.schluessel for m in parsed if m]
        for duplicate in sorted({k for k in keys if keys.count(k) > 1}):
            problems.append(
                Problem(path.name, None, f"planarten.{art}", f"Meilenstein „{duplicate}“ kommt doppelt vor")
            )
        planarten[art] = tuple(m for m in parsed if m)
    for key in sorted(set(document) - {"planarten"}):
        problems.append(Problem(path.name, None, key, "ist unbekannt (Tippfehler?)"))
    if problems:
        raise ProblemReport(problems)
    return MeilensteinKonfiguration(planarten)
