"""A Sozialstrategie as the Geschäftsstelle writes it down: one TOML file per Fortschreibung
(Leitsätze, strategic direction, Leitlinien, Handlungsfelder, Ziele with Kennzahl and target),
checked whole and stored all or nothing. Loading the file again changes only what changed.

    kennung = "SOZSTRAT-2025"
    titel = "Sozialstrategie Landkreis Musterland"
    fassung = "Fortschreibung 2025"
    beschlossen_am = 2025-03-27
    leitsaetze = ["Kein unter 25-Jähriger geht verloren", "…"]
    handlungsfelder = ["Kinder- und Jugendhilfe (SGB VIII)", "…"]
    [[ausrichtungen]]          # also [[leitlinien]]
    titel = "Prävention"
    text = "frühzeitige Vermeidung von Lebensrisiken"
    [[ziele]]
    kennung = "Z1"
    titel = "Hilfen wirken schneller"
    handlungsfeld = "Kinder- und Jugendhilfe (SGB VIII)"
    kennzahl = "Durchschnittliche Dauer beendeter Hilfen zur Erziehung"
    indikator = "hze_dauer"    # optional: values come from the atlas
    einheit = "Monate"
    zielart = "dauer"          # wert | anteil | dauer | wachstum
    richtung = "hoechstens"    # hoechstens | mindestens
    zielwert = 30
    toleranz = 1
    basisjahr = 2020           # growth targets only
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import Strategie, Strategieelement, Ziel
from sozialforum.vocab import StrategieElementArt, Vocab, Zielart, ZielEbene, Zielrichtung

_LISTS = {
    "leitsaetze": StrategieElementArt.LEITSATZ,
    "ausrichtungen": StrategieElementArt.AUSRICHTUNG,
    "leitlinien": StrategieElementArt.LEITLINIE,
    "handlungsfelder": StrategieElementArt.HANDLUNGSFELD,
}
_TOP = {"kennung", "titel", "fassung", "beschlossen_am", "vorgaenger", "ziele", *_LISTS}
_ZIEL = {
    "kennung",
    "titel",
    "handlungsfeld",
    "ebene",
    "kennzahl",
    "indikator",
    "einheit",
    "zielart",
    "richtung",
    "zielwert",
    "toleranz",
    "basisjahr",
}


@dataclass
class Ladebericht:
    datei: str
    kennung: str
    neu: int = 0
    geaendert: int = 0
    unveraendert: int = 0

    def zusammenfassung(self) -> str:
        return (
            f"{self.datei}: Strategie {self.kennung} – {self.neu} Einträge neu, {self.geaendert} geändert, "
            f"{self.unveraendert} unverändert."
        )


class _Check:
    def __init__(self, datei: str) -> None:
        self.datei = datei
        self.problems: list[Problem] = []

    def bad(self, feld: str, meldung: str) -> None:
        self.problems.append(Problem(self.datei, None, feld, meldung))

    def text(self, raw: dict[str, Any], key: str, where: str, *, limit: int, required: bool = True) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.bad(where, "fehlt.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(where, "muss ein Text sein.")
            return None
        if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.bad(where, f"ist länger als {limit} Zeichen oder enthält Steuerzeichen.")
            return None
        return value.strip()

    def vocab(self, raw: dict[str, Any], key: str, where: str, kind: type[Vocab], default: Vocab) -> Any:
        value = raw.get(key)
        if value is None:
            return default
        try:
            return kind.parse(str(value))
        except ValueError:
            self.bad(where, f"„{value}“ ist nicht erlaubt; erlaubt sind {kind.choices()}.")
            return default

    def number(self, raw: dict[str, Any], key: str, where: str, *, required: bool) -> Decimal | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.bad(where, "fehlt.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.bad(where, "muss eine Zahl sein.")
            return None
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.bad(where, f"„{value}“ ist keine Zahl.")
            return None
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            self.bad(where, f"„{value}“ ist keine plausible Zahl.")
            return None
        return number


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemReport([Problem(path.name, None, None, "Datei nicht gefunden.")]) from None
    except IsADirectoryError:
        raise ProblemReport([Problem(path.name, None, None, "Das ist ein Ordner, keine Datei.")]) from None
    except UnicodeDecodeError:
        raise ProblemReport([Problem(path.name, None, None, "Die Datei ist nicht in UTF-8 kodiert.")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProblemReport([Problem(path.name, None, None, f"Keine gültige TOML-Datei: {exc}")]) from None


def strategie_laden(session: Session, path: Path) -> Ladebericht:
    """Check the whole file, then write it in the caller's transaction."""
    raw = _read(path)
    check = _Check(path.name)
    for key in sorted(set(raw) - _TOP):
        check.bad(key, f"Unbekannter Eintrag; bekannt sind {', '.join(sorted(_TOP))}.")
    kennung = check.text(raw, "kennung", "kennung", limit=60)
    titel = check.text(raw, "titel", "titel", limit=300)
    fassung = check.text(raw, "fassung", "fassung", limit=100)
    beschlossen = raw.get("beschlossen_am")
    if beschlossen is not None and not isinstance(beschlossen, date):
        check.bad("beschlossen_am", "muss ein Datum sein (z. B. 2025-03-27).")
        beschlossen = None
    elemente: list[tuple[StrategieElementArt, int, str, str | None]] = []
    for key, art in _LISTS.items():
        items = raw.get(key, [])
        if not isinstance(items, list):
            check.bad(key, "muss eine Liste sein.")
            continue
        for nummer, item in enumerate(items, start=1):
            where = f"{key}[{nummer}]"
            entry = {"titel": item} if isinstance(item, str) else item if isinstance(item, dict) else {}
            elem_titel = check.text(entry, "titel", where, limit=300)
            text = check.text(entry, "text", f"{where}.text", limit=5000, required=False)
            if elem_titel:
                elemente.append((art, nummer, elem_titel, text))
    felder = {t for a, _, t, _ in elemente if a is StrategieElementArt.HANDLUNGSFELD}
    ziele: list[dict[str, Any]] = []
    seen: set[str] = set()
    for nummer, item in enumerate(raw.get("ziele", []) if isinstance(raw.get("ziele", []), list) else [], start=1):
        where = f"ziele[{nummer}]"
        if not isinstance(item, dict):
            check.bad(where, "muss eine Tabelle sein ([[ziele]]).")
            continue
        for key in sorted(set(item) - _ZIEL):
            check.bad(f"{where}.{key}", f"Unbekannter Eintrag; bekannt sind {', '.join(sorted(_ZIEL))}.")
        ziel = {
            "kennung": check.text(item, "kennung", f"{where}.kennung", limit=60),
            "titel": check.text(item, "titel", f"{where}.titel", limit=500),
            "kennzahl": check.text(item, "kennzahl", f"{where}.kennzahl", limit=300),
            "indikator": check.text(item, "indikator", f"{where}.indikator", limit=60, required=False),
            "einheit": check.text(item, "einheit", f"{where}.einheit", limit=40, required=False),
            "handlungsfeld": check.text(item, "handlungsfeld", f"{where}.handlungsfeld", limit=300, required=False),
            "ebene": check.vocab(item, "ebene", f"{where}.ebene", ZielEbene, ZielEbene.WIRKUNGSZIEL),
            "zielart": check.vocab(item, "zielart", f"{where}.zielart", Zielart, Zielart.WERT),
            "richtung": check.vocab(item, "richtung", f"{where}.richtung", Zielrichtung, Zielrichtung.HOECHSTENS),
            "zielwert": check.number(item, "zielwert", f"{where}.zielwert", required=True),
            "toleranz": check.number(item, "toleranz", f"{where}.toleranz", required=False) or Decimal(0),
            "basisjahr": item.get("basisjahr"),
        }
        if ziel["handlungsfeld"] and ziel["handlungsfeld"] not in felder:
            check.bad(f"{where}.handlungsfeld", f"„{ziel['handlungsfeld']}“ steht nicht unter handlungsfelder.")
        if ziel["toleranz"] < 0:
            check.bad(f"{where}.toleranz", "darf nicht negativ sein.")
        basis = ziel["basisjahr"]
        if ziel["zielart"] is Zielart.WACHSTUM and not (isinstance(basis, int) and 1990 <= basis <= 2100):
            check.bad(f"{where}.basisjahr", "Ein Wachstumsziel braucht ein Basisjahr (z. B. 2020).")
        elif basis is not None and not isinstance(basis, int):
            check.bad(f"{where}.basisjahr", "muss eine Jahreszahl sein.")
        if ziel["kennung"] in seen:
            check.bad(f"{where}.kennung", f"„{ziel['kennung']}“ kommt zweimal vor.")
        seen.add(ziel["kennung"] or "")
        ziele.append(ziel)
    vorgaenger = None
    if raw.get("vorgaenger"):
        vorgaenger = session.exec(select(Strategie).where(Strategie.kennung == str(raw["vorgaenger"]))).first()
        if vorgaenger is None:
            check.bad("vorgaenger", f"Keine Strategie mit der Kennung „{raw['vorgaenger']}“ gespeichert.")
    if check.problems:
        raise ProblemReport(check.problems)
    return _write(session, path.name, kennung, titel, fassung, beschlossen, vorgaenger, elemente, ziele)  # type: ignore[arg-type]  # checked above


def _set(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _write(
    session: Session,
    datei: str,
    kennung: str,
    titel: str,
    fassung: str,
    beschlossen: date | None,
    vorgaenger: Strategie | None,
    elemente: list[tuple[StrategieElementArt, int, str, str | None]],
    ziele: list[dict[str, Any]],
) -> Ladebericht:
    bericht = Ladebericht(datei, kennung)

    def count(new: bool, changed: bool) -> None:
        if new:
            bericht.neu += 1
        elif changed:
            bericht.geaendert += 1
        else:
            bericht.unveraendert += 1

    strategie = session.exec(select(Strategie).where(Strategie.kennung == kennung)).first()
    new = strategie is None
    strategie = strategie or Strategie(kennung=kennung, titel=titel, fassung=fassung)
    count(
        new,
        _set(
            strategie,
            {
                "titel": titel,
                "fassung": fassung,
                "beschlossen_am": beschlossen,
                "vorgaenger_id": vorgaenger.id if vorgaenger else None,
            },
        ),
    )
    session.add(strategie)
    session.flush()
    assert strategie.id is not None  # flushed
    existing = {
        (str(e.art), e.nummer): e
        for e in session.exec(select(Strategieelement).where(Strategieelement.strategie_id == strategie.id))
    }
    felder: dict[str, int] = {}
    for art, nummer, elem_titel, text in elemente:
        element = existing.get((art.value, nummer))
        created = element is None
        element = element or Strategieelement(strategie_id=strategie.id, art=art, nummer=nummer, titel=elem_titel)
        count(created, _set(element, {"titel": elem_titel, "text": text}))
        session.add(element)
        session.flush()
        if art is StrategieElementArt.HANDLUNGSFELD and element.id is not None:
            felder[elem_titel] = element.id
    for ziel in ziele:
        found = session.exec(select(Ziel).where(Ziel.kennung == ziel["kennung"])).first()
        created = found is None
        values = {k: v for k, v in ziel.items() if k not in ("kennung", "handlungsfeld")}
        values["handlungsfeld_id"] = felder.get(ziel["handlungsfeld"]) if ziel["handlungsfeld"] else None
        values["strategie_id"] = strategie.id
        found = found or Ziel(kennung=ziel["kennung"], **values)
        count(created, _set(found, values))
        session.add(found)
    session.flush()
    return bericht
