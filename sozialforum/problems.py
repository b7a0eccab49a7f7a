"""Problems found in input files, reported all at once, in German, with file, row and column."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    datei: str
    zeile: int | None  # 1-based line of the file as the user sees it in Excel; None: whole file
    spalte: str | None
    meldung: str

    def __str__(self) -> str:
        where = self.datei
        if self.zeile is not None:
            where += f", Zeile {self.zeile}"
        if self.spalte:
            where += f", Spalte „{self.spalte}“"
        return f"{where}: {self.meldung}"


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
