"""What a delivery run reports: counts, problems per recipient, and when to fail loudly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class DeliveryError(RuntimeError):
    """The mail server refused every message or could not be reached: fail loudly."""


@dataclass
class DeliveryProblem:
    outbox_id: int
    person_id: int | None
    empfaenger: str
    grund: str
    endgueltig: bool


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # permanent
    retry_later: int = 0  # temporary, queued again with backoff
    resumed: int = 0  # claims of a run that died, taken up again
    recovered: int = 0  # handed over by a run that died before recording it: marked sent
    transport: str = "datei"
    outbox_dir: Path | None = None
    problems: list[DeliveryProblem] = field(default_factory=list)
    connection_error: str | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.retry_later

    def raise_if_all_failed(self) -> None:
        """A server that refuses everything (or cannot be reached) is an outage, not a detail."""
        if self.connection_error is not None:
            raise DeliveryError(f"Mailserver nicht erreichbar: {self.connection_error}")
        if self.attempted > 0 and self.sent == 0:
            reasons = "; ".join(sorted({p.grund for p in self.problems})[:3])
            raise DeliveryError(f"Der Mailserver hat alle {self.attempted} Nachrichten abgelehnt ({reasons}).")

    def summary(self) -> str:
        where = f" nach {self.outbox_dir}" if self.outbox_dir else ""
        return (
            f"{self.sent} gesendet{where}, {self.failed} endgültig fehlgeschlagen, "
            f"{self.retry_later} später erneut, {self.resumed} nach Abbruch wieder aufgenommen"
            + (f", {self.recovered} laut Journal schon übergeben" if self.recovered else "")
        )
