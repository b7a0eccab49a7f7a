"""What a delivery run reports: counts, problems per recipient, and when to fail loudly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sozialforum.timeutil import berlin, format_anzahl, format_datum_kurz


class DeliveryError(RuntimeError):
    """The mail server refused every message or could not be reached: fail loudly."""


class DeliveryUnfinished(RuntimeError):
    """Work left behind for a later run (claims of a killed run not yet expired): the run must
    not end Completed; a retry after the lease may finish it."""


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
    set_aside: int = 0  # in doubt (hand-over begun, no reply recorded): set aside by this run
    uncertain: int = 0  # every message of unclear delivery waiting for a person, when the run ended
    transport: str = "datei"
    outbox_dir: Path | None = None
    problems: list[DeliveryProblem] = field(default_factory=list)
    connection_error: str | None = None
    # Messages still claimed by another run (killed, or running in parallel) when this one
    # ended, and when the last of those claims runs out: then the next run takes them up.
    held_elsewhere: int = 0
    lease_ends: datetime | None = None

    @property
    def waiting_text(self) -> str | None:
        """German: what is left for a later run and from when, or None."""
        if not self.held_elsewhere or self.lease_ends is None:
            return None
        local = berlin(self.lease_ends)
        return (
            f"{self.held_elsewhere} Nachrichten gehören noch einem anderen (abgebrochenen oder parallelen) "
            f"Versandlauf; dessen Frist endet am {format_datum_kurz(self.lease_ends)} um "
            f"{local:%H:%M:%S} Uhr, danach übernimmt sie der nächste Lauf."
        )

    def raise_if_unfinished(self) -> None:
        """A run that leaves work behind must not look done: an outage, or claims of another run
        (after a kill, until its lease runs out). Temporary refusals (4xx) are the documented
        partial state: queued again with backoff and shown as "später erneut"."""
        self.raise_if_all_failed()
        if self.waiting_text:
            raise DeliveryUnfinished(f"Versand nicht abgeschlossen: {self.waiting_text}")

    @property
    def uncertain_text(self) -> str | None:
        """German: how many messages wait for a person's decision, and what to do."""
        if not self.uncertain:
            return None
        return (
            f"{format_anzahl(self.uncertain, 'Nachricht', 'Nachrichten')} mit unklarer Zustellung "
            "(Übergabe an den Mailserver begonnen, "
            "Antwort nicht erhalten): nicht erneut gesendet. Bitte beim Mailserver prüfen und im Arbeitsplatz "
            "unter Postausgang („Zustellung unklar“) oder mit „sozialforum konferenz unklar“ entscheiden: "
            "„Als zugestellt bestätigen“ oder „Erneut senden“."
        )

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
            + (f"; {self.waiting_text}" if self.waiting_text else "")
            + (f"; {self.uncertain_text}" if self.uncertain_text else "")
        )
