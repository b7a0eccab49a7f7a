"""The cost plan of a funded project and its Dynamisierung (Leipzig seed: the financial need is
set per project from staff and material resources; funding was "dynamisiert" for tariff
increases in one department and stagnated in another).

A cost plan is staff (per post: pay group, VZÄ, annual cost of one full-time post), material
costs, own funds and other funding; the need is staff + material − own funds − other funding.
Amounts are ``Decimal`` euros with cents; every derived amount is rounded half up to the cent
once, where it is shown, so the derivation printed adds up exactly.

A plan is checked whole: every problem is named with its row and field, in German, and a plan
with a problem is refused (nothing stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sozialforum.parsing import parse_decimal_text
from sozialforum.problems import Problem, ProblemReport
from sozialforum.timeutil import format_euro, format_zahl

CENT = Decimal("0.01")
HUNDERT = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Stelle:
    bezeichnung: str
    entgeltgruppe: str
    vzae: Decimal
    jahresbetrag_vollzeit: Decimal  # employer cost of one full-time post for one year

    @property
    def kosten(self) -> Decimal:
        return cents(self.vzae * self.jahresbetrag_vollzeit)


@dataclass(frozen=True)
class Sachkosten:
    bezeichnung: str
    betrag: Decimal


@dataclass(frozen=True)
class Kostenplan:
    stellen: tuple[Stelle, ...] = ()
    sachkosten: tuple[Sachkosten, ...] = ()
    eigenmittel: Decimal = Decimal(0)
    drittmittel: Decimal = Decimal(0)

    @property
    def personalkosten(self) -> Decimal:
        return sum((s.kosten for s in self.stellen), Decimal(0))

    @property
    def sachkosten_summe(self) -> Decimal:
        return sum((s.betrag for s in self.sachkosten), Decimal(0))

    @property
    def gesamtkosten(self) -> Decimal:
        return self.personalkosten + self.sachkosten_summe

    @property
    def bedarf(self) -> Decimal:
        """What is asked of the funder."""
        return self.gesamtkosten - self.eigenmittel - self.drittmittel

    @property
    def vzae(self) -> Decimal:
        return sum((s.vzae for s in self.stellen), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        return {
            "stellen": [
                {
                    "bezeichnung": s.bezeichnung,
                    "entgeltgruppe": s.entgeltgruppe,
                    "vzae": str(s.vzae),
                    "jahresbetrag_vollzeit": str(s.jahresbetrag_vollzeit),
                }
                for s in self.stellen
            ],
            "sachkosten": [{"bezeichnung": s.bezeichnung, "betrag": str(s.betrag)} for s in self.sachkosten],
            "eigenmittel": str(self.eigenmittel),
            "drittmittel": str(self.drittmittel),
        }


def _amount(
    raw: Any, *, quelle: str, zeile: int | None, feld: str, problems: list[Problem], maximum: Decimal
) -> Decimal:
    text = str(raw if raw is not None else "").strip()
    try:
        value = Decimal(parse_decimal_text(text)) if text else Decimal(0)
    except (ValueError, InvalidOperation):
        problems.append(Problem(quelle, zeile, feld, f"„{raw}“ ist kein Betrag (erwartet z. B. 1.234,50)."))
        return Decimal(0)
    if not value.is_finite():
        problems.append(Problem(quelle, zeile, feld, f"„{raw}“ ist kein Betrag."))
        return Decimal(0)
    if value < 0:
        problems.append(Problem(quelle, zeile, feld, f"Der Betrag darf nicht negativ sein ({format_zahl(value, 2)})."))
    elif value > maximum:
        problems.append(Problem(quelle, zeile, feld, f"Der Wert {format_zahl(value, 2)} ist unplausibel hoch."))
    return value


def kostenplan_lesen(daten: dict[str, Any], *, quelle: str = "Kostenplan", beantragt: Any = None) -> Kostenplan:
    """A cost plan from form or JSON data; every problem at once as a ``ProblemReport``.

    ``beantragt``: the sum the applicant states; it must equal the computed need to the cent
    ("a cost plan that does not add up" is refused, not corrected).
    """
    problems: list[Problem] = []
    stellen = []
    for nummer, row in enumerate(daten.get("stellen") or [], start=1):
        where = f"{quelle} (Personal)"
        bezeichnung = str(row.get("bezeichnung") or "").strip()
        gruppe = str(row.get("entgeltgruppe") or "").strip()
        if not bezeichnung:
            problems.append(Problem(where, nummer, "Bezeichnung", "Bitte die Stelle bezeichnen."))
        if not gruppe:
            problems.append(Problem(where, nummer, "Entgeltgruppe", "Bitte die Entgeltgruppe angeben (z. B. S 11b)."))
        vzae = _amount(row.get("vzae"), quelle=where, zeile=nummer, feld="VZÄ", problems=problems, maximum=Decimal(50))
        betrag = _amount(
            row.get("jahresbetrag_vollzeit"),
            quelle=where,
            zeile=nummer,
            feld="Jahresbetrag je Vollzeitstelle",
            problems=problems,
            maximum=Decimal(500_000),
        )
        stellen.append(Stelle(bezeichnung, gruppe, vzae, betrag))
    sach = []
    for nummer, row in enumerate(daten.get("sachkosten") or [], start=1):
        where = f"{quelle} (Sachkosten)"
        bezeichnung = str(row.get("bezeichnung") or "").strip()
        if not bezeichnung:
            problems.append(Problem(where, nummer, "Bezeichnung", "Bitte die Sachkosten bezeichnen."))
        betrag = _amount(
            row.get("betrag"), quelle=where, zeile=nummer, feld="Betrag", problems=problems, maximum=Decimal(10_000_000)
        )
        sach.append(Sachkosten(bezeichnung, betrag))
    big = Decimal(100_000_000)
    eigen = _amount(
        daten.get("eigenmittel"), quelle=quelle, zeile=None, feld="Eigenmittel", problems=problems, maximum=big
    )
    dritt = _amount(
        daten.get("drittmittel"), quelle=quelle, zeile=None, feld="Drittmittel", problems=problems, maximum=big
    )
    plan = Kostenplan(tuple(stellen), tuple(sach), eigen, dritt)
    if not stellen and not sach:
        problems.append(Problem(quelle, None, None, "Der Kostenplan enthält weder Personal- noch Sachkosten."))
    if not problems and plan.bedarf < 0:
        problems.append(
            Problem(
                quelle,
                None,
                "Eigenmittel",
                f"Eigen- und Drittmittel ({format_euro(eigen + dritt, 2)}) übersteigen die Gesamtkosten "
                f"({format_euro(plan.gesamtkosten, 2)}).",
            )
        )
    if not problems and beantragt not in (None, ""):
        stated = _amount(
            beantragt, quelle=quelle, zeile=None, feld="beantragter Betrag", problems=problems, maximum=big
        )
        if not problems and stated != plan.bedarf:
            problems.append(
                Problem(
                    quelle,
                    None,
                    "beantragter Betrag",
                    f"Der Kostenplan geht nicht auf: beantragt {format_euro(stated, 2)}, aus dem Plan ergeben sich "
                    f"{format_euro(plan.bedarf, 2)} (Gesamtkosten {format_euro(plan.gesamtkosten, 2)} "
                    f"abzüglich Eigenmittel {format_euro(eigen, 2)} und Drittmittel {format_euro(dritt, 2)}).",
                )
            )
    if problems:
        raise ProblemReport(problems)
    return plan


@dataclass(frozen=True)
class Dynamisierungsregel:
    """How next year's funding follows costs: a tariff increase per pay group (percent) with a
    default for groups not listed, and a rate for material costs; or one flat percentage."""

    pauschal_prozent: Decimal | None = None
    tarif_prozent: dict[str, Decimal] = field(default_factory=dict)
    tarif_standard_prozent: Decimal = Decimal(0)
    sachkosten_prozent: Decimal = Decimal(0)

    def personal_prozent(self, entgeltgruppe: str) -> Decimal:
        if self.pauschal_prozent is not None:
            return self.pauschal_prozent
        key = " ".join(entgeltgruppe.upper().split())
        return self.tarif_prozent.get(key, self.tarif_standard_prozent)

    def sach_prozent(self) -> Decimal:
        return self.pauschal_prozent if self.pauschal_prozent is not None else self.sachkosten_prozent

    @staticmethod
    def aus_konfiguration(raw: dict[str, Any]) -> Dynamisierungsregel:
        tarif = {" ".join(str(k).upper().split()): Decimal(str(v)) for k, v in (raw.get("tarif") or {}).items()}
        pauschal = raw.get("pauschal_prozent")
        return Dynamisierungsregel(
            pauschal_prozent=None if pauschal is None else Decimal(str(pauschal)),
            tarif_prozent=tarif,
            tarif_standard_prozent=Decimal(str(raw.get("tarif_standard_prozent", 0))),
            sachkosten_prozent=Decimal(str(raw.get("sachkosten_prozent", 0))),
        )


@dataclass(frozen=True)
class Herleitung:
    zeile: str
    vorher: Decimal
    prozent: Decimal
    nachher: Decimal

    def text(self) -> str:
        return (
            f"{self.zeile}: {format_euro(self.vorher, 2)} + {format_zahl(self.prozent, 2)} % = "
            f"{format_euro(self.nachher, 2)}"
        )


@dataclass(frozen=True)
class Dynamisierung:
    vorher: Kostenplan
    nachher: Kostenplan
    herleitung: tuple[Herleitung, ...]

    @property
    def mehrbedarf(self) -> Decimal:
        return self.nachher.bedarf - self.vorher.bedarf


def dynamisieren(plan: Kostenplan, regel: Dynamisierungsregel) -> Dynamisierung:
    """Next year's plan: each post's annual cost and each material cost raised by the rule's
    percentage, rounded to the cent per line; own and other funds stay as they are (they are
    the Träger's promise, not a cost)."""
    steps: list[Herleitung] = []
    stellen = []
    for stelle in plan.stellen:
        prozent = regel.personal_prozent(stelle.entgeltgruppe)
        neu = cents(stelle.jahresbetrag_vollzeit * (HUNDERT + prozent) / HUNDERT)
        gestiegen = Stelle(stelle.bezeichnung, stelle.entgeltgruppe, stelle.vzae, neu)
        label = f"{stelle.bezeichnung} ({stelle.entgeltgruppe}, {format_zahl(stelle.vzae, 2)} VZÄ)"
        steps.append(Herleitung(label, stelle.kosten, prozent, gestiegen.kosten))
        stellen.append(gestiegen)
    sach = []
    for kosten in plan.sachkosten:
        prozent = regel.sach_prozent()
        neu = cents(kosten.betrag * (HUNDERT + prozent) / HUNDERT)
        steps.append(Herleitung(kosten.bezeichnung, kosten.betrag, prozent, neu))
        sach.append(Sachkosten(kosten.bezeichnung, neu))
    nachher = Kostenplan(tuple(stellen), tuple(sach), plan.eigenmittel, plan.drittmittel)
    return Dynamisierung(plan, nachher, tuple(steps))
