"""Forms defined in config (``config/formulare.toml``): load, request from a Träger, validate,
submit. A resubmission replaces the current answer and keeps every earlier version.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from sozialforum import vocab
from sozialforum.parsing import parse_date
from sozialforum.portal.beteiligung import EingabeFehler
from sozialforum.problems import Problem, ProblemReport
from sozialforum.ressourcen import konfigurationsdatei
from sozialforum.store import audit
from sozialforum.store.models.akteure import Person
from sozialforum.store.models.planung import Massnahme
from sozialforum.store.models.portal import FormularAnfrage, FormularAntwort, FormularAntwortVersion
from sozialforum.vocab import AuditAktion

FELDTYPEN = ("text", "textarea", "zahl", "auswahl", "mehrfach", "janein", "datum")
# What a form can be about, with the table and the column that names the object.
BEZUEGE: dict[str, tuple[str, str] | None] = {
    "gebiet": ("gebiet", "name"),
    "massnahme": ("massnahme", "titel"),
    "sitzung": ("sitzung", "titel"),
    "protokoll": ("protokoll", "titel"),
    "keiner": None,
}
JA_NEIN = (("ja", "ja"), ("nein", "nein"))


@dataclass(frozen=True)
class Feld:
    name: str
    label: str
    typ: str
    pflicht: bool = False
    hilfe: str | None = None
    optionen: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    maxlength: int = 5000
    nachkommastellen: int = 0


@dataclass(frozen=True)
class Formular:
    kennung: str
    titel: str
    bezug: str
    beschreibung: str = ""
    felder: tuple[Feld, ...] = field(default_factory=tuple)


def _options(raw: dict[str, Any], where: str, problems: list[Problem], datei: str) -> tuple[tuple[str, str], ...]:
    if raw.get("typ") == "janein":
        return JA_NEIN
    if "optionen_aus" in raw:
        cls = getattr(vocab, str(raw["optionen_aus"]), None)
        if not (isinstance(cls, type) and issubclass(cls, vocab.Vocab)):
            problems.append(Problem(datei, None, where, f"Vokabular „{raw['optionen_aus']}“ gibt es nicht."))
            return ()
        return tuple((member.value, member.label) for member in cls)
    options = raw.get("optionen", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        problems.append(Problem(datei, None, where, "„optionen“ muss eine Liste von Texten sein."))
        return ()
    return tuple((option, option) for option in options)


def load_formulare(path: Path) -> dict[str, Formular]:
    """Read and check the form definitions; ProblemReport (German, with the field) on any error."""
    path = konfigurationsdatei(path)
    datei = path.name
    if not path.exists():
        raise ProblemReport([Problem(datei, None, None, "Datei mit den Formularen nicht gefunden.")])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProblemReport([Problem(datei, None, None, f"kein gültiges TOML: {exc}")]) from None
    problems: list[Problem] = []
    result: dict[str, Formular] = {}
    for index, raw in enumerate(data.get("formular", []), start=1):
        kennung = str(raw.get("kennung") or "")
        where = f"formular[{index}] {kennung}".strip()
        if not kennung or not kennung.replace("_", "").isalnum() or not kennung.isascii():
            problems.append(
                Problem(datei, None, where, "„kennung“ fehlt oder enthält andere Zeichen als a–z, 0–9 und _.")
            )
        if kennung in result:
            problems.append(Problem(datei, None, where, "„kennung“ kommt doppelt vor."))
        if raw.get("bezug") not in BEZUEGE:
            problems.append(Problem(datei, None, where, f"„bezug“ muss einer von {', '.join(BEZUEGE)} sein."))
        felder: list[Feld] = []
        names: set[str] = set()
        for number, rf in enumerate(raw.get("feld", []), start=1):
            fwhere = f"{where}, feld[{number}] {rf.get('name', '')}".strip()
            name = str(rf.get("name") or "")
            if not name.isidentifier() or not name.isascii() or name == "csrf" or name in names:
                problems.append(
                    Problem(datei, None, fwhere, "„name“ fehlt, ist doppelt oder kein einfacher Bezeichner.")
                )
            if rf.get("typ") not in FELDTYPEN:
                problems.append(Problem(datei, None, fwhere, f"„typ“ muss einer von {', '.join(FELDTYPEN)} sein."))
            if not rf.get("label"):
                problems.append(Problem(datei, None, fwhere, "„label“ fehlt."))
            names.add(name)
            options = _options(rf, fwhere, problems, datei)
            if rf.get("typ") in ("auswahl", "mehrfach") and not options:
                problems.append(Problem(datei, None, fwhere, "Auswahlfeld ohne Optionen."))
            felder.append(
                Feld(
                    name=name,
                    label=str(rf.get("label", "")),
                    typ=str(rf.get("typ", "")),
                    pflicht=bool(rf.get("pflicht", False)),
                    hilfe=rf.get("hilfe"),
                    optionen=options,
                    min=rf.get("min"),
                    max=rf.get("max"),
                    maxlength=int(rf.get("maxlength", 5000)),
                    nachkommastellen=int(rf.get("nachkommastellen", 0)),
                )
            )
        if not felder:
            problems.append(Problem(datei, None, where, "Formular ohne Felder."))
        result[kennung] = Formular(
            kennung=kennung,
            titel=str(raw.get("titel") or kennung),
            bezug=str(raw.get("bezug")),
            beschreibung=str(raw.get("beschreibung", "")),
            felder=tuple(felder),
        )
    if problems:
        raise ProblemReport(problems)
    return result


def _number(feld: Feld, raw: str) -> int | float:
    text = raw.strip().replace(" ", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") >= 1 and all(len(part) == 3 for part in text.split(".")[1:]):
        text = text.replace(".", "")  # 1.234 is a thousands separator in German
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("Bitte geben Sie eine Zahl an, z. B. 1.234 oder 12,5.") from None
    if not value.is_finite():
        raise ValueError("Bitte geben Sie eine Zahl an.")
    if feld.nachkommastellen == 0 and value != value.to_integral_value():
        raise ValueError("Bitte geben Sie eine ganze Zahl an.")
    if feld.min is not None and value < Decimal(str(feld.min)):
        raise ValueError(f"Der Wert muss mindestens {feld.min:g} sein.")
    if feld.max is not None and value > Decimal(str(feld.max)):
        raise ValueError(f"Der Wert darf höchstens {feld.max:g} sein.")
    quantum = Decimal(1).scaleb(-feld.nachkommastellen)
    return int(value) if feld.nachkommastellen == 0 else float(value.quantize(quantum))


def validate(formular: Formular, form: Any) -> dict[str, object]:
    """The submitted values, typed; EingabeFehler with a German message per bad field."""
    werte: dict[str, object] = {}
    fehler: dict[str, str] = {}
    for feld in formular.felder:
        allowed = {value for value, _ in feld.optionen}
        if feld.typ == "mehrfach":
            chosen = [str(v) for v in form.getlist(feld.name)]
            if any(value not in allowed for value in chosen):
                fehler[feld.name] = f"{feld.label}: unbekannte Auswahl."
            werte[feld.name] = [value for value, _ in feld.optionen if value in chosen]
            if feld.pflicht and not werte[feld.name]:
                fehler[feld.name] = f"{feld.label}: bitte mindestens eine Angabe auswählen."
            continue
        raw = str(form.get(feld.name) or "").strip()
        if not raw:
            werte[feld.name] = None
            if feld.pflicht:
                fehler[feld.name] = f"{feld.label}: bitte ausfüllen."
            continue
        try:
            werte[feld.name] = _typed(feld, raw, allowed)
        except ValueError as exc:
            fehler[feld.name] = f"{feld.label}: {exc}"
    if fehler:
        raise EingabeFehler(fehler)
    return werte


def _typed(feld: Feld, raw: str, allowed: set[str]) -> object:
    if feld.typ in ("text", "textarea"):
        if len(raw) > feld.maxlength:
            raise ValueError(f"höchstens {feld.maxlength} Zeichen.")
        return raw
    if feld.typ == "zahl":
        return _number(feld, raw)
    if feld.typ in ("auswahl", "janein"):
        if raw not in allowed:
            raise ValueError("bitte eine der angebotenen Möglichkeiten wählen.")
        return raw == "ja" if feld.typ == "janein" else raw
    if feld.typ == "datum":
        return parse_date(raw).isoformat()
    raise ValueError("unbekannter Feldtyp")


def bezug_label(session: Session, formular: Formular, bezug_id: int) -> str | None:
    """The name of the object a request is about (e.g. the Sozialraum); None if it does not exist."""
    target = BEZUEGE.get(formular.bezug)
    if target is None:
        return None
    tables = SQLModel.metadata.tables
    table = tables.get(target[0])
    if table is None:
        return None
    if formular.bezug == "protokoll" and "sitzung_id" in table.c:
        # Minutes have no title of their own: they are the minutes of a Sitzung.
        sitzung = tables["sitzung"]
        titel = session.execute(
            sa.select(sitzung.c.titel).join(table, table.c.sitzung_id == sitzung.c.id).where(table.c.id == bezug_id)
        ).scalar()
        return f"Protokoll: {titel}" if titel is not None else None
    if target[1] not in table.c:
        found = session.execute(sa.select(table.c.id).where(table.c.id == bezug_id)).scalar()
        return f"Nr. {bezug_id}" if found is not None else None
    return session.execute(sa.select(table.c[target[1]]).where(table.c.id == bezug_id)).scalar()


def request_form(
    session: Session,
    *,
    formular: Formular,
    organisation_id: int,
    bezug_id: int,
    now: datetime,
    frist: date | None = None,
) -> FormularAnfrage:
    """The request of a form from one Träger about one object (idempotent per triple)."""
    if formular.bezug != "keiner" and bezug_label(session, formular, bezug_id) is None:
        raise LookupError(f"{formular.bezug} {bezug_id} nicht gefunden.")
    if formular.bezug == "massnahme":
        massnahme = session.get(Massnahme, bezug_id)
        if massnahme is None or massnahme.verantwortlich_organisation_id != organisation_id:
            raise ValueError("Der Träger ist für diese Maßnahme nicht verantwortlich.")
    existing = session.exec(
        select(FormularAnfrage).where(
            FormularAnfrage.formular == formular.kennung,
            FormularAnfrage.organisation_id == organisation_id,
            FormularAnfrage.bezug_id == bezug_id,
        )
    ).first()
    if existing is not None:
        if frist is not None:
            existing.frist = frist
            session.add(existing)
        return existing
    anfrage = FormularAnfrage(
        formular=formular.kennung,
        organisation_id=organisation_id,
        bezug_id=bezug_id if formular.bezug != "keiner" else 0,
        frist=frist,
        erstellt_am=now,
    )
    session.add(anfrage)
    session.flush()
    return anfrage


def contacts(session: Session, organisation_id: int) -> list[Person]:
    """The Träger's contact persons who may be mailed."""
    people = session.exec(select(Person).where(Person.organisation_id == organisation_id)).all()
    return [person for person in people if person.contactable]


def current_answer(session: Session, anfrage_id: int) -> FormularAntwort | None:
    return session.exec(select(FormularAntwort).where(FormularAntwort.anfrage_id == anfrage_id)).first()


def versions(session: Session, antwort_id: int) -> list[FormularAntwortVersion]:
    return list(
        session.exec(
            select(FormularAntwortVersion)
            .where(FormularAntwortVersion.antwort_id == antwort_id)
            .order_by(col(FormularAntwortVersion.version))
        )
    )


def submit(
    session: Session,
    *,
    anfrage: FormularAnfrage,
    werte: dict[str, object],
    person_id: int,
    now: datetime,
) -> FormularAntwort:
    """Store a submission: the answer row holds the latest, a version row each submission."""
    assert anfrage.id is not None
    antwort = current_answer(session, anfrage.id)
    if antwort is None:
        antwort = FormularAntwort(
            anfrage_id=anfrage.id, version=1, werte=werte, person_id=person_id, eingereicht_am=now
        )
        action = AuditAktion.CREATE
    else:
        antwort.version += 1
        antwort.werte, antwort.person_id, antwort.eingereicht_am = werte, person_id, now
        action = AuditAktion.UPDATE
    session.add(antwort)
    session.flush()
    assert antwort.id is not None
    session.add(
        FormularAntwortVersion(
            antwort_id=antwort.id, version=antwort.version, werte=werte, person_id=person_id, eingereicht_am=now
        )
    )
    session.flush()
    assert antwort.id is not None
    audit.record_bulk(
        session,
        table="formular_antwort",
        entries=[
            (antwort.id, action, {"formular": anfrage.formular, "anfrage_id": anfrage.id, "version": antwort.version})
        ],
    )
    return antwort
