"""A finding of ``sozialforum doctor``: area, level, message and the German fix, and whether a
failure is a configuration error (exit 2) or a service that does not answer (exit 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stufe = Literal["ok", "hinweis", "fehler"]
Art = Literal["konfiguration", "dienst"]


@dataclass(frozen=True)
class Befund:
    bereich: str
    stufe: Stufe
    meldung: str
    abhilfe: str | None = None
    art: Art = "dienst"  # what a failure is: a configuration error (exit 2) or a service (exit 3)


def ok(bereich: str, meldung: str) -> Befund:
    return Befund(bereich, "ok", meldung)


def hinweis(bereich: str, meldung: str, abhilfe: str) -> Befund:
    return Befund(bereich, "hinweis", meldung, abhilfe)


def fehler(bereich: str, meldung: str, abhilfe: str, art: Art = "dienst") -> Befund:
    return Befund(bereich, "fehler", meldung, abhilfe, art)
