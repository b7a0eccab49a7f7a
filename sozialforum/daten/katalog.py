"""The indicator catalogue (``config/indikatoren.toml``): Merkmale, Indikatoren, Quellen, budgets.

An indicator is defined by numerator and denominator with their age bands and a factor; the
definition has a key (a hash of exactly these), so values of different definitions are never
compared (``pruefe_vergleichbar``). The file is validated as a whole and every problem is
reported in German with its field path.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sozialforum.daten.merkmale import MerkmalKey, describe, parse_key
from sozialforum.problems import Problem, ProblemReport
from sozialforum.ressourcen import konfigurationsdatei

if TYPE_CHECKING:  # the settings (pydantic-settings) are not needed to compute: the worker does without
    from sozialforum.settings import Settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MerkmalDef(_Strict):
    name: str
    # anzahl: a count, summed up the hierarchy; wert: a delivered rate or mean, never summed.
    art: Literal["anzahl", "wert"] = "anzahl"
    # Counts of persons in need (benefits, Hilfen) are confidential; population counts are not.
    geheim: bool = False


class Ziel(_Strict):
    """A target (Zielwert), e.g. Ulm's Kennzahl 1.2: HzE-Quote höchstens 2,0 %."""

    hoechstens: float | None = None
    mindestens: float | None = None
    quelle: str | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Ziel:
        if (self.hoechstens is None) == (self.mindestens is None):
            raise ValueError("genau eines von hoechstens oder mindestens angeben")
        return self

    def erreicht(self, wert: float) -> bool:
        if self.hoechstens is not None:
            return wert <= self.hoechstens
        assert self.mindestens is not None
        return wert >= self.mindestens

    @property
    def text(self) -> str:
        from sozialforum.timeutil import format_zahl

        if self.hoechstens is not None:
            return f"höchstens {format_zahl(self.hoechstens, 1)}"
        return f"mindestens {format_zahl(self.mindestens, 1)}"


class Vergleich(_Strict):
    """The benchmark: computed for a Vergleichsgebiet from its delivered counts (same
    definition by construction), or given as values with the definition they were made by."""

    name: str
    gebiet: str | None = None
    werte: dict[date, float] = Field(default_factory=dict)
    definition: str | None = None  # None: the indicator's own definition

    @model_validator(mode="after")
    def _source(self) -> Vergleich:
        if (self.gebiet is None) == (not self.werte):
            raise ValueError("entweder gebiet oder werte angeben")
        return self


class IndikatorDef(_Strict):
    code: str
    name: str
    dimension: str
    einheit: str = "%"
    zaehler: list[str]
    nenner: list[str] = Field(default_factory=list)
    faktor: float = 100.0  # a rate: 100 (per cent); a single value (z-value, score, count): 1
    richtung: Literal[1, -1] = 1  # 1: higher means more need
    quelle: str = ""
    aktualisierung: str = "jährlich"
    geheimhaltung: int | None = Field(default=None, ge=0)  # overrides the settings threshold
    # Part of the composite index (Berlin MSS): true for status (the value) and dynamics (its
    # change); "status" or "dynamik" for a published indicator that serves only one of them (a
    # dynamics indicator's value is itself the change, e.g. published z-values of changes).
    index: bool | Literal["status", "dynamik"] = False
    ziel: Ziel | None = None
    vergleich: Vergleich | None = None
    kennzahl: str | None = None  # e.g. "Kennzahl 1.2" of a Kontrakt
    nachkommastellen: int = Field(default=1, ge=0, le=4)

    @model_validator(mode="before")
    @classmethod
    def _single_value_factor(cls, data: Any) -> Any:
        """A single delivered value (a z-value, a score, a published share) is taken as it is:
        without a denominator the factor defaults to 1, not to the 100 of a rate."""
        if isinstance(data, dict) and not data.get("nenner") and "faktor" not in data:
            return {**data, "faktor": 1.0}
        return data

    @property
    def im_status(self) -> bool:
        return self.index is True or self.index == "status"

    @property
    def in_dynamik(self) -> bool:
        return self.index is True or self.index == "dynamik"

    @field_validator("zaehler", "nenner", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @cached_property
    def zaehler_keys(self) -> tuple[MerkmalKey, ...]:
        return tuple(parse_key(text) for text in self.zaehler)

    @cached_property
    def nenner_keys(self) -> tuple[MerkmalKey, ...]:
        return tuple(parse_key(text) for text in self.nenner)

    @property
    def ist_quote(self) -> bool:
        return bool(self.nenner)

    @cached_property
    def definitionsschluessel(self) -> str:
        """Identity of the definition: numerator, denominator (with bands) and factor."""
        canonical = json.dumps(
            {
                "zaehler": sorted(str(k) for k in self.zaehler_keys),
                "nenner": sorted(str(k) for k in self.nenner_keys),
                "faktor": self.faktor,
            },
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def beschreibung(self, merkmal_namen: dict[str, str]) -> str:
        text = describe(self.zaehler_keys, merkmal_namen)
        if not self.nenner:
            return text
        per = {100.0: "je 100", 1000.0: "je 1.000", 1.0: "je"}.get(self.faktor, f"× {self.faktor:g} /")
        if self.einheit == "%":
            per = "in % von"
        return f"{text} {per} {describe(self.nenner_keys, merkmal_namen)}"


class QuelleDef(_Strict):
    """How the columns of one kind of source file map onto Merkmale."""

    kennung: str
    format: Literal["genesis", "ba", "tabelle"]
    name: str
    tabelle: str | None = None  # GENESIS table code without the depth suffix: 12411-02-03
    titel: str | None = None  # BA: text that the workbook's title contains
    herausgeber: str | None = None
    lizenz: str | None = None
    schluessel_spalte: str = "schluessel"
    stichtag_spalte: str = "stichtag"
    spalten: dict[str, str]  # column label (as in the file) → Merkmal key

    @cached_property
    def zuordnung(self) -> dict[str, MerkmalKey]:
        return {norm_label(label): parse_key(key) for label, key in self.spalten.items()}


BLATTNAME_MAX = 31  # characters of an Excel sheet name


class BudgetAnteil(_Strict):
    name: str
    # gleich: equal share per area; anzahl: by a target-group count; bedarf: the count
    # weighted by (1 + faktor × need index), so areas with more need get more per head.
    art: Literal["gleich", "anzahl", "bedarf"]
    gewicht: float = Field(gt=0, le=1)
    merkmal: str | None = None
    index: str = "gesamt"
    faktor: float = Field(default=0.25, ge=0)


class BudgetDef(_Strict):
    name: str
    # The name of its sheet in the atlas with the year ("Sozialraumbudget HzE 2027"): Excel allows
    # 31 characters, so a long name needs a short one (``blattname``).
    kurzname: str | None = Field(default=None, min_length=1, max_length=BLATTNAME_MAX - 5)
    ebene: str = "sozialraum"
    anteile: list[BudgetAnteil]
    untergrenze: int = Field(default=0, ge=0)
    obergrenze: int | None = Field(default=None, gt=0)

    def blattname(self, haushaltsjahr: int) -> str:
        """The atlas sheet of this budget for a year; a long name without ``kurzname`` is cut at a
        word ("Sozialraumbudget Hilfen zur… 2027"), never mid-word or into the year."""
        jahr = f" {haushaltsjahr}"
        name = self.kurzname or self.name
        if len(name) + len(jahr) <= BLATTNAME_MAX:
            return name + jahr
        words, cut = name.split(), ""
        for word in words:
            if len(f"{cut} {word}".strip()) + 1 + len(jahr) > BLATTNAME_MAX:
                break
            cut = f"{cut} {word}".strip()
        return f"{cut or name[: BLATTNAME_MAX - len(jahr) - 1]}…{jahr}"

    @model_validator(mode="after")
    def _weights(self) -> BudgetDef:
        total = sum(part.gewicht for part in self.anteile)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"die Gewichte der Anteile ergeben {total:g} statt 1")
        for part in self.anteile:
            if part.art != "gleich" and not part.merkmal:
                raise ValueError(f"Anteil „{part.name}“ braucht ein merkmal")
        return self


class IndexDef(_Strict):
    ebenen: list[str] = Field(default_factory=lambda: ["sozialraum"])
    bevoelkerung: str = "bevoelkerung"  # the count the population floor applies to


class PlausibilitaetDef(_Strict):
    """Bounds of the plausibility report after each load (``plausibel_bericht``)."""

    sprung: float = Field(default=0.25, gt=0)  # change against the previous Stichtag that is flagged (0.25: ±25 %)
    verlauf: int = Field(default=3, ge=0, le=20)  # earlier Stichtage that make an area's own history
    mindestfaelle: int = Field(default=20, ge=0)  # rates of fewer cases swing by chance: no jump finding
    summe_toleranz: float = Field(default=0.005, ge=0)  # a total may differ from its parts by this share
    hoechstbevoelkerung: int = Field(default=85_000_000, gt=0)  # more inhabitants than Germany: implausible
    einzeln: int = Field(default=50, ge=1)  # findings of one kind listed one by one, the rest counted


class Katalog(_Strict):
    dimensionen: dict[str, str]
    merkmale: dict[str, MerkmalDef]
    indikatoren: dict[str, IndikatorDef]
    quellen: list[QuelleDef] = Field(default_factory=list)
    vergleichsgebiete: dict[str, str] = Field(default_factory=dict)
    index: IndexDef = Field(default_factory=IndexDef)
    plausibilitaet: PlausibilitaetDef = Field(default_factory=PlausibilitaetDef)
    budgets: dict[str, BudgetDef] = Field(default_factory=dict)
    pruefsumme: str = ""

    @model_validator(mode="before")
    @classmethod
    def _codes(cls, data: Any) -> Any:
        for code, entry in (data.get("indikatoren") or {}).items():
            if isinstance(entry, dict):
                entry.setdefault("code", code)
        return data

    @property
    def merkmal_namen(self) -> dict[str, str]:
        return {code: merkmal.name for code, merkmal in self.merkmale.items()}

    def quelle(self, kennung: str) -> QuelleDef:
        for quelle in self.quellen:
            if quelle.kennung == kennung:
                return quelle
        raise KeyError(kennung)

    def index_indikatoren(self, dimension: str | None = None) -> list[IndikatorDef]:
        return [i for i in self.indikatoren.values() if i.index and (dimension is None or i.dimension == dimension)]


_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def norm_label(label: str) -> str:
    """Column labels compare case-, space- and umlaut-insensitively (Excel users vary them)."""
    return " ".join(label.replace("\n", " ").split()).lower().translate(_UMLAUTE)


def _cross_check(katalog: Katalog) -> list[str]:
    """Checks across sections: every reference must name something that exists."""
    errors = []
    merkmale = set(katalog.merkmale)
    for code, ind in katalog.indikatoren.items():
        if ind.dimension not in katalog.dimensionen:
            errors.append(f"indikatoren.{code}.dimension: unbekannte Dimension „{ind.dimension}“")
        for field in ("zaehler", "nenner"):
            for text in getattr(ind, field):
                try:
                    key = parse_key(text)
                except ValueError as exc:
                    errors.append(f"indikatoren.{code}.{field}: {exc}")
                    continue
                if key.name not in merkmale:
                    errors.append(f"indikatoren.{code}.{field}: unbekanntes Merkmal „{key.name}“")
                elif katalog.merkmale[key.name].art == "wert" and (ind.nenner or len(ind.zaehler) > 1):
                    errors.append(
                        f"indikatoren.{code}: Merkmal „{key.name}“ ist ein Wert, "
                        "keine Anzahl, und kann nicht Teil einer Quote sein"
                    )
        if ind.index and "richtung" not in ind.model_fields_set and not _quote_of_counts(katalog, ind):
            # A rate of counts of persons in need points one way; a delivered value (z-value,
            # score, share) may point either: its direction must be said, never assumed.
            errors.append(
                f"indikatoren.{code}.richtung: für den Index die Richtung angeben "
                "(1: höher heißt mehr Bedarf, -1: höher heißt weniger Bedarf)"
            )
        if ind.vergleich and ind.vergleich.gebiet and ind.vergleich.gebiet not in katalog.vergleichsgebiete:
            errors.append(
                f"indikatoren.{code}.vergleich.gebiet: „{ind.vergleich.gebiet}“ steht nicht unter [vergleichsgebiete]"
            )
    for position, quelle in enumerate(katalog.quellen):
        for label, text in quelle.spalten.items():
            try:
                key = parse_key(text)
            except ValueError as exc:
                errors.append(f"quellen[{position}].spalten.{label}: {exc}")
                continue
            if key.name not in merkmale:
                errors.append(f"quellen[{position}].spalten.{label}: unbekanntes Merkmal „{key.name}“")
    for code, budget in katalog.budgets.items():
        for part in budget.anteile:
            if part.merkmal:
                try:
                    if parse_key(part.merkmal).name not in merkmale:
                        errors.append(f"budgets.{code}: unbekanntes Merkmal „{part.merkmal}“")
                except ValueError as exc:
                    errors.append(f"budgets.{code}: {exc}")
    return errors


def _quote_of_counts(katalog: Katalog, ind: IndikatorDef) -> bool:
    keys = (*ind.zaehler_keys, *ind.nenner_keys)
    return ind.ist_quote and all(k.name in katalog.merkmale and katalog.merkmale[k.name].art == "anzahl" for k in keys)


def load_katalog(path: Path) -> Katalog:
    """Read and validate the catalogue; raise ProblemReport naming every bad field."""
    if not path.exists():
        raise ProblemReport([Problem(path.name, None, None, "Indikatorenkatalog nicht gefunden.")])
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProblemReport([Problem(path.name, None, None, f"kein gültiges TOML: {exc}")]) from None
    data["pruefsumme"] = hashlib.sha256(raw).hexdigest()
    try:
        katalog = Katalog.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(path.name, None, ".".join(str(p) for p in error["loc"]), _german(error)) for error in exc.errors()
        ]
        raise ProblemReport(problems) from None
    errors = _cross_check(katalog)
    if errors:
        raise ProblemReport(
            [Problem(path.name, None, text.split(":", 1)[0], text.split(":", 1)[1].strip()) for text in errors]
        )
    return katalog


def _german(error: Any) -> str:
    kinds = {
        "missing": "fehlt",
        "extra_forbidden": "ist unbekannt (Tippfehler?)",
        "literal_error": "hat einen nicht erlaubten Wert",
        "float_parsing": "muss eine Zahl sein",
        "int_parsing": "muss eine ganze Zahl sein",
        "greater_than": "ist zu klein",
        "greater_than_equal": "ist zu klein",
        "less_than_equal": "ist zu groß",
    }
    text = kinds.get(error["type"])
    if text is None:
        text = str(error.get("msg", "ist ungültig")).removeprefix("Value error, ")
    return f"{text} (Wert: {error.get('input')!r})" if error["type"] != "missing" else text


def katalog_pfad(settings: Settings) -> Path:
    """The configured catalogue; a relative path that does not exist from the working directory
    is looked up beside the bundled configuration (so commands work from any directory)."""
    path = settings.daten.katalog
    return konfigurationsdatei(path)


def load_for(settings: Settings) -> Katalog:
    return load_katalog(katalog_pfad(settings))


class DefinitionsKonflikt(ValueError):
    """Two values of different definitions were about to be compared."""


def pruefe_vergleichbar(name: str, eigene: str, andere: str, *, wo: str) -> None:
    """Refuse to compare values whose definitions differ (e.g. Altenquotient 65+/20–64 of
    GENESIS against 65+/15–64 of the EU)."""
    if eigene != andere:
        raise DefinitionsKonflikt(
            f"{name}: {wo} ist anders definiert ({andere}) als der Katalog ({eigene}); "
            "die Werte werden nicht verglichen."
        )
