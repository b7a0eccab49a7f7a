"""``sozialforum doctor``, the Prefect part: the server answers, and (over REST, see
prefect_pruefung and prefect_pflege) deployments, workers, concurrency limits, stuck runs and the
dead-run automation; ``--reparieren`` sets up and repairs what it can."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from sozialforum.betrieb.befund import Befund, fehler, hinweis, ok


def prefect_server(api_url: str | None, *, herzschlag_sekunden: int = 90, reparieren: bool = False) -> list[Befund]:
    if not api_url:
        return [
            Befund(
                "Prefect-Server",
                "hinweis",
                "kein Server eingetragen (PREFECT_API_URL): sozialforum serve startet einen eigenen auf 127.0.0.1.",
            )
        ]
    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=5)
    except httpx.HTTPError as exc:
        return [
            fehler(
                "Prefect-Server",
                f"{api_url} nicht erreichbar: {exc}",
                "prefect server start auf dem Server laufen lassen; Adresse mit /api am Ende angeben.",
            )
        ]
    if response.status_code != 200:
        return [
            fehler(
                "Prefect-Server",
                f"{api_url} antwortet mit {response.status_code}.",
                "Adresse prüfen: sie endet auf /api (z. B. http://prefect.intern:4200/api).",
            )
        ]
    repaired = reparatur(api_url, herzschlag_sekunden) if reparieren else []
    return [
        ok("Prefect-Server", f"{api_url} erreichbar"),
        *repaired,
        *prefect_betrieb(api_url, herzschlag_sekunden=herzschlag_sekunden),
    ]


def reparatur(api_url: str, herzschlag_sekunden: int, *, now: datetime | None = None) -> list[Befund]:
    """``--reparieren``: set up the automation and the pool's heartbeat, end dead runs, free
    slots nobody holds (prefect_pflege); one finding per thing done or failed."""
    from sozialforum.betrieb import prefect_pflege

    done, failed = prefect_pflege.zeilen(
        [
            prefect_pflege.einrichten(api_url, herzschlag_sekunden),
            prefect_pflege.reparieren(api_url, tot_nach=prefect_pflege.frist(herzschlag_sekunden), now=now),
        ]
    )
    found = [ok("Reparatur", line) for line in done]
    found += [fehler("Reparatur", line, "Prefect-Server und Arbeitspool prüfen (docs/betrieb.md).") for line in failed]
    return found or [ok("Reparatur", "nichts zu tun")]


def prefect_betrieb(
    api_url: str,
    *,
    herzschlag_sekunden: int = 90,
    haengt_nach: timedelta | None = None,
    now: datetime | None = None,
) -> list[Befund]:
    """Deployments, workers, concurrency limits, stuck runs and the dead-run automation on the
    server (prefect_pruefung, prefect_pflege)."""
    from sozialforum.betrieb import deployments, prefect_pflege, prefect_pruefung

    try:
        expected = deployments.lade_deployments()
    except deployments.DeploymentFehler:
        expected = []

    def melden(bereich: str, stufe: str, meldung: str, abhilfe: str | None) -> Befund:
        return Befund(bereich, stufe, meldung, abhilfe)  # type: ignore[arg-type]  # stufe is one of Stufe

    after = prefect_pruefung.HAENGT_NACH if haengt_nach is None else haengt_nach
    found = prefect_pruefung.pruefen(api_url, expected, melden, now=now, haengt_nach=after)
    try:
        missing = prefect_pflege.fehlende_einrichtung(api_url, herzschlag_sekunden)
    except httpx.HTTPError as exc:
        return [*found, fehler("Absturzerkennung", f"Abfrage gescheitert: {exc}", "Prefect-Server prüfen.")]
    if missing:
        return [
            *found,
            hinweis(
                "Absturzerkennung",
                f"es fehlt {' und '.join(missing)}: ein Lauf, dessen Rechner ausfällt, bleibt „Running“ "
                "und hält den Platz seines Deployments.",
                "'sozialforum doctor --reparieren' legt sie an (docs/betrieb.md, Schritt 3).",
            ),
        ]
    window = prefect_pflege.frist(herzschlag_sekunden).total_seconds()
    return [*found, ok("Absturzerkennung", f"Läufe ohne Herzschlag seit {window:g} s werden „Crashed“ gesetzt")]
