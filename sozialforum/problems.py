"""Problems found in input files, reported all at once, in German, with file, row and column."""

from __future__ import annotations

from dataclasses import dataclass, field


def ort(datei: str, zeile: int | None, spalte: str | None) -> str:
    """Where in a file, as a message names it: „datei, Zeile 3, Spalte „x““."""
    where = datei
    if zeile is not None:
        where += f", Zeile {zeile}"
    if spalte:
        where += f", Spalte „{spalte}“"
    return where


@dataclass(frozen=True, order=True)
class Problem:
    datei: str
    zeile: int | None  # 1-based line of the file as the user sees it in Excel; None: whole file
    spalte: str | None
    meldung: str

    def __str__(self) -> str:
        return f"{ort(self.datei, self.zeile, self.spalte)}: {self.meldung}"


@dataclass
class ProblemReport(Exception):
    """Raised when an input is rejected; nothing has been changed."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = sorted(self.problems, key=lambda p: (p.datei, p.zeile or 0, p.spalte or ""))
        lines = [str(problem) for problem in shown[:200]]
        if len(shown) > 200:
            lines.append(f"… und {len(shown) - 200} weitere Probleme.")
        head = f"{len(shown)} Problem(e) gefunden, es wurde nichts geändert:"
        return "\n".join([head, *lines])
