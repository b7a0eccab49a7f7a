"""The leadership report's model (``Leitungsbericht`` with its rows and groups, the ``Filter``)
and its one-page summary (``zusammenfassung``), in which every count says what it counts; built
by ``leitungsbericht.build_leitungsbericht``, rendered from this model alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sozialforum.beschluesse.aemter import Aemter
from sozialforum.beschluesse.stand import BeschlussStand, ampel_frist, worst
from sozialforum.fristen.quellen import Frist
from sozialforum.store.models import Fachplan, Umsetzungsbericht
from sozialforum.strategie.berichte import Kennzahlzeile
from sozialforum.strategie.foerderberichte import Foerderstand
from sozialforum.timeutil import format_anzahl
from sozialforum.vocab import Ampel, FristArt, Zielstand

AMPEL_REIHENFOLGE = [Ampel.UEBERFAELLIG, Ampel.BALD_FAELLIG, Ampel.IM_PLAN, Ampel.ERLEDIGT]


@dataclass(frozen=True)
class Filter:
    """Restrict the report; each criterion compares case-insensitively, None means all. An Amt
    is compared as an organisation (``Aemter``): "Sozialamt" and "Sozialamt Landkreis Musterland"
    are the same Amt."""

    dezernat: str | None = None
    amt: str | None = None
    gremium: str | None = None  # name or kennung

    def passt(
        self,
        dezernat: str | None,
        amt: str | None,
        gremium: set[str],
        aemter: Aemter | None = None,
        organisation_id: int | None = None,
    ) -> bool:
        def same(wanted: str | None, value: str | None) -> bool:
            return wanted is None or (value or "").casefold() == wanted.casefold()

        if self.amt is not None:
            if aemter is not None:
                if not aemter.gleich(self.amt, amt, organisation_id):
                    return False
            elif not same(self.amt, amt):
                return False
        wanted_gremium = self.gremium.casefold() if self.gremium else None
        return same(self.dezernat, dezernat) and (
            wanted_gremium is None or wanted_gremium in {g.casefold() for g in gremium}
        )

    @property
    def beschreibung(self) -> str:
        parts = [
            f"{label} „{value}“"
            for label, value in (("Dezernat", self.dezernat), ("Amt", self.amt), ("Gremium", self.gremium))
            if value
        ]
        return ", ".join(parts) or "alle Dezernate, Ämter und Gremien"

    @property
    def slug(self) -> str:
        values = [v for v in (self.dezernat, self.amt, self.gremium) if v]
        text = "-".join(values).lower()
        return "".join(c if c.isalnum() else "-" for c in text).strip("-")[:60] or "alle"


@dataclass(frozen=True)
class FristZeile:
    frist: Frist
    ampel: Ampel
    zustaendig: str

    @property
    def titel(self) -> str:
        """The deadline's own name, without the plan's name it is listed under."""
        if self.frist.art is FristArt.MEILENSTEIN:
            return self.frist.titel.split(" (")[0]
        return self.frist.titel


@dataclass
class FachplanStand:
    plan: Fachplan
    amt: str | None
    fortschreibung: Frist
    meilensteine: list[Frist]
    ampel: Ampel  # the worst of its steps and of the reviews of its Maßnahmen
    naechster: Frist | None  # the next open milestone or the Fortschreibung itself
    fortschreibung_ampel: Ampel = Ampel.IM_PLAN  # the Fortschreibung's own deadline
    schritte_ampel: Ampel = Ampel.IM_PLAN  # the worst of the Fortschreibung and its milestones
    pruefungen: Gruppe | None = None  # open reviews of its Maßnahmen
    massnahmen: dict[str, int] = field(default_factory=dict)  # its Maßnahmen by status label


@dataclass
class Gruppe:
    """Deadlines that belong to neither a Beschluss nor a Fachplan, under what they come from
    (a Sitzung's minutes, a duty to report, a Maßnahme without a plan)."""

    titel: str
    fristen: list[FristZeile]

    @property
    def ampel(self) -> Ampel:
        return worst([z.ampel for z in self.fristen])

    @property
    def dringlich(self) -> list[FristZeile]:
        """Overdue or due soon: what the report lists row by row."""
        return [z for z in self.fristen if z.ampel in (Ampel.UEBERFAELLIG, Ampel.BALD_FAELLIG)]

    @property
    def im_plan(self) -> list[FristZeile]:
        return [z for z in self.fristen if z.ampel not in (Ampel.UEBERFAELLIG, Ampel.BALD_FAELLIG)]


@dataclass(frozen=True)
class Aussage:
    """One line of the summary: a count with what it counts."""

    anzahl: int
    text: str
    ampel: Ampel | None = None


@dataclass
class Leitungsbericht:
    kommune: str
    stichtag: date
    erstellt: datetime
    filter: Filter
    bald_tage: int
    beschluesse: list[BeschlussStand] = field(default_factory=list)
    letzte_berichte: dict[int, Umsetzungsbericht] = field(default_factory=dict)
    # (name, URL) of the council system's documents per Beschluss (OParl Files: Beschlusstext, Vorlage)
    dokumente: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    aemter: dict[int, str] = field(default_factory=dict)  # Beschluss id → the Amt's name
    fachplaene: list[FachplanStand] = field(default_factory=list)
    weitere: list[Gruppe] = field(default_factory=list)
    ueberfaellig: list[FristZeile] = field(default_factory=list)  # every overdue deadline, oldest first
    naechste: list[FristZeile] = field(default_factory=list)  # open, not overdue, soonest first
    # The strategy's Kennzahlen and the funding of the year, when a Sozialstrategie is stored.
    kennzahlen: list[Kennzahlzeile] = field(default_factory=list)
    foerderung: Foerderstand | None = None

    @property
    def zaehler(self) -> dict[Ampel, int]:
        """Beschlüsse and Fachpläne per light (items, not deadlines)."""
        lights = [b.ampel for b in self.beschluesse] + [f.ampel for f in self.fachplaene]
        return {light: lights.count(light) for light in Ampel}

    def ampel(self, frist: Frist) -> Ampel:
        """A milestone's light on the report's day, by the same rule as every other row (the legend
        promises "bald fällig" within ``bald_tage``; an open step is never just "offen")."""
        return ampel_frist(frist, self.stichtag, self.bald_tage)

    @property
    def titel(self) -> str:
        return f"Leitungsbericht Beschlüsse und Fristen – {self.kommune}"

    @property
    def zusammenfassung(self) -> list[Aussage]:
        return zusammenfassung(self)

    @property
    def dringend(self) -> list[tuple[str, str, int]]:
        """(what, which deadline, days overdue) of the five items overdue longest."""
        items: list[tuple[str, str, int]] = []
        for s in self.beschluesse:
            late = [a for a in s.auftraege if a.ampel is Ampel.UEBERFAELLIG and a.auftrag.frist]
            if late:
                oldest = min(late, key=lambda a: a.auftrag.frist or date.max)
                what = f"Beschluss {s.beschluss.kennung}: {s.beschluss.titel}"
                days = (self.stichtag - (oldest.auftrag.frist or self.stichtag)).days
                items.append((what, oldest.auftrag.beschreibung, days))
        for f in self.fachplaene:
            steps = [*f.meilensteine, f.fortschreibung]
            late_steps = [m for m in steps if not m.erledigt and m.faellig_am < self.stichtag]
            if late_steps:
                oldest_step = min(late_steps, key=lambda m: m.faellig_am)
                step = oldest_step.titel.split(" (")[0]
                items.append((f"Fachplan {f.plan.name}", step, (self.stichtag - oldest_step.faellig_am).days))
        return sorted(items, key=lambda item: -item[2])[:5]


_BESCHLUSS_TEXT = {
    Ampel.UEBERFAELLIG: ("Beschluss mit überfälliger Umsetzung", "Beschlüsse mit überfälliger Umsetzung"),
    Ampel.BALD_FAELLIG: (
        "Beschluss mit bald fälliger Frist oder gemeldeter Verzögerung",
        "Beschlüsse mit bald fälliger Frist oder gemeldeter Verzögerung",
    ),
    Ampel.IM_PLAN: ("Beschluss im Plan", "Beschlüsse im Plan"),
    Ampel.ERLEDIGT: ("Beschluss vollständig erledigt", "Beschlüsse vollständig erledigt"),
}


def zusammenfassung(b: Leitungsbericht) -> list[Aussage]:
    """The summary's lines; each names what it counts. Lines with a count of 0 are left out,
    except the first of each kind, so that "0 Beschlüsse mit überfälliger Umsetzung" is said."""
    lines: list[Aussage] = []
    lights = Counter(s.ampel for s in b.beschluesse)
    for light in AMPEL_REIHENFOLGE:
        if lights[light] or light is Ampel.UEBERFAELLIG:
            lines.append(Aussage(lights[light], format_anzahl(lights[light], *_BESCHLUSS_TEXT[light]), light))
    plan_late = sum(1 for f in b.fachplaene if f.fortschreibung_ampel is Ampel.UEBERFAELLIG)
    steps_late = sum(
        1
        for f in b.fachplaene
        if f.fortschreibung_ampel is not Ampel.UEBERFAELLIG and f.schritte_ampel is Ampel.UEBERFAELLIG
    )
    plan_soon = sum(1 for f in b.fachplaene if f.schritte_ampel is Ampel.BALD_FAELLIG)
    plan_ok = sum(1 for f in b.fachplaene if f.schritte_ampel in (Ampel.IM_PLAN, Ampel.ERLEDIGT))
    lines.append(
        Aussage(
            plan_late,
            format_anzahl(
                plan_late, "Fachplan mit überfälliger Fortschreibung", "Fachpläne mit überfälliger Fortschreibung"
            ),
            Ampel.UEBERFAELLIG,
        )
    )
    if steps_late:
        lines.append(
            Aussage(
                steps_late,
                format_anzahl(
                    steps_late,
                    "Fachplan mit überfälligem Schritt der Fortschreibung",
                    "Fachpläne mit überfälligen Schritten der Fortschreibung",
                ),
                Ampel.UEBERFAELLIG,
            )
        )
    if plan_soon:
        lines.append(
            Aussage(
                plan_soon,
                format_anzahl(
                    plan_soon,
                    "Fachplan mit bald fälligem Schritt der Fortschreibung",
                    "Fachpläne mit bald fälligen Schritten der Fortschreibung",
                ),
                Ampel.BALD_FAELLIG,
            )
        )
    if plan_ok:
        lines.append(
            Aussage(
                plan_ok,
                format_anzahl(plan_ok, "Fachplan mit Fortschreibung im Plan", "Fachpläne mit Fortschreibung im Plan"),
                Ampel.IM_PLAN,
            )
        )
    reviews = sum(1 for z in b.ueberfaellig if z.frist.art is FristArt.MASSNAHME)
    if reviews:
        lines.append(
            Aussage(
                reviews,
                format_anzahl(
                    reviews, "Maßnahme mit überfälliger Überprüfung", "Maßnahmen mit überfälliger Überprüfung"
                ),
                Ampel.UEBERFAELLIG,
            )
        )
    others = sum(
        1
        for g in b.weitere
        for z in g.fristen
        if z.ampel is Ampel.UEBERFAELLIG and z.frist.art is not FristArt.MASSNAHME
    )
    if others:
        lines.append(
            Aussage(
                others,
                format_anzahl(
                    others,
                    "überfälliger Auftrag ohne Beschluss (aus Sitzungen, Förderung oder Berichtspflichten)",
                    "überfällige Aufträge ohne Beschluss (aus Sitzungen, Förderung oder Berichtspflichten)",
                ),
                Ampel.UEBERFAELLIG,
            )
        )
    total_late = len(b.ueberfaellig)
    lines.append(
        Aussage(
            total_late,
            format_anzahl(
                total_late,
                "überfällige Frist insgesamt (Aufträge, Schritte der Fortschreibung, Überprüfungen); "
                "sie steht unten bei ihrem Beschluss oder Fachplan",
                "überfällige Fristen insgesamt (Aufträge, Schritte der Fortschreibung, Überprüfungen); "
                "sie stehen unten bei ihrem Beschluss oder Fachplan",
            ),
        )
    )
    if b.kennzahlen:
        reached = sum(1 for k in b.kennzahlen if k.stand is Zielstand.ERREICHT)
        missed = sum(1 for k in b.kennzahlen if k.stand in (Zielstand.VERFEHLT, Zielstand.TOLERANZ))
        total = len(b.kennzahlen)
        lines.append(
            Aussage(reached, f"{reached} von {format_anzahl(total, 'Ziel', 'Zielen')} der Sozialstrategie erreicht")
        )
        if missed:
            lines.append(
                Aussage(missed, f"{missed} von {format_anzahl(total, 'Ziel', 'Zielen')} verfehlt", Ampel.UEBERFAELLIG)
            )
    return lines
