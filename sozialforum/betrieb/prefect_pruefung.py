"""What ``doctor`` asks a running Prefect server (over its REST API, without importing Prefect):
are the deployments of ``prefect.yaml`` registered, is a worker of their pool online, do the
global concurrency limits exist and is a slot held although no run is running, and which runs
have been running for hours (killed ones stay "Running" and hold their deployment's slot).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sozialforum.betrieb.deployments import Deployment
from sozialforum.timeutil import format_termin

# Names as flows/grenzen.py creates them; kept here as text (the domain never imports flows).
GRENZEN = ("sozialforum-smtp", "sozialforum-datenbank")
HAENGT_NACH = timedelta(hours=6)  # no run of ours takes this long: a run still Running is dead

Melden = Callable[[str, str, str, str | None], Any]  # (bereich, stufe, meldung, abhilfe) -> Befund


def pruefen(
    api_url: str,
    deployments: list[Deployment],
    melden: Melden,
    *,
    now: datetime | None = None,
    haengt_nach: timedelta = HAENGT_NACH,
) -> list[Any]:
    """The findings, each made by ``melden``; an unreachable part of the API is one finding."""
    api = api_url.rstrip("/")
    now = now or datetime.now(UTC)
    found: list[Any] = []
    with httpx.Client(timeout=10) as http:

        def post(path: str, body: dict[str, Any]) -> Any:
            response = http.post(api + path, json=body)
            response.raise_for_status()
            return response.json()

        try:
            registered = post("/deployments/filter", {"limit": 200})
            running = post("/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}, "limit": 200})
            found += _deployments(deployments, registered, melden)
            for pool in sorted({d["work_pool_name"] for d in registered if d.get("work_pool_name")}):
                found.append(_workers(pool, post(f"/work_pools/{pool}/workers/filter", {"limit": 200}), melden))
            for name in GRENZEN:
                response = http.get(f"{api}/v2/concurrency_limits/{name}")
                found.append(_grenze(name, response, bool(running), melden))
            found.append(_haengende(running, now, haengt_nach, melden))
        except httpx.HTTPError as exc:
            found.append(melden("Prefect-Betrieb", "fehler", f"Abfrage beim Prefect-Server gescheitert: {exc}", None))
    return found


def _deployments(expected: list[Deployment], registered: list[dict[str, Any]], melden: Melden) -> list[Any]:
    names = {d["name"] for d in registered}
    missing = [d.name for d in expected if d.name not in names]
    if missing:
        return [
            melden(
                "Deployments",
                "fehler",
                f"{len(missing)} von {len(expected)} nicht angelegt: {', '.join(missing)}",
                "Mehrere Rechner: im Projektverzeichnis 'prefect --no-prompt deploy --all' ausführen "
                "(docs/betrieb.md, Schritt 3); ein Rechner: 'sozialforum serve' legt sie beim Start an.",
            )
        ]
    return [melden("Deployments", "ok", f"alle {len(expected)} aus prefect.yaml angelegt", None)]


def _workers(pool: str, workers: list[dict[str, Any]], melden: Melden) -> Any:
    online = sorted(w["name"] for w in workers if w.get("status") == "ONLINE")
    if not online:
        return melden(
            "Worker",
            "fehler",
            f"kein Worker im Pool '{pool}' erreichbar: geplante Läufe bleiben liegen.",
            f"Auf jedem Rechner 'sozialforum worker --pool {pool}' als Dienst laufen lassen "
            "(docs/betrieb.md, Schritt 4).",
        )
    return melden("Worker", "ok", f"Pool '{pool}': {len(online)} erreichbar ({', '.join(online)})", None)


def _grenze(name: str, response: httpx.Response, runs_active: bool, melden: Melden) -> Any:
    if response.status_code == 404:
        return melden(
            "Grenzen",
            "hinweis",
            f"'{name}' fehlt: Prefect warnt nur, die Läufe gehen ohne Grenze (mehrere SMTP-Verbindungen zugleich).",
            f"'prefect gcl create {name} --limit {1 if name.endswith('smtp') else 4}' "
            "(docs/betrieb.md, Gleichzeitigkeit).",
        )
    response.raise_for_status()
    limit = response.json()
    held = int(limit.get("active_slots") or 0)
    if held and not runs_active:
        return melden(
            "Grenzen",
            "hinweis",
            f"'{name}': {held} von {limit.get('limit')} Plätzen belegt, obwohl kein Lauf läuft "
            "(ein abgebrochener Lauf); Prefect gibt sie frei, wenn ihre Frist abläuft (höchstens 5 Minuten).",
            "Bleibt es so (etwa nach einem Neustart des Prefect-Servers): 'sozialforum doctor --reparieren'.",
        )
    return melden("Grenzen", "ok", f"'{name}': {held} von {limit.get('limit')} Plätzen belegt", None)


def _haengende(running: list[dict[str, Any]], now: datetime, after: timedelta, melden: Melden) -> Any:
    stuck = []
    for run in running:
        text = run.get("start_time") or (run.get("state") or {}).get("timestamp")
        started = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
        if started is not None and started <= now - after:
            stuck.append(f"{run['name']} (seit {format_termin(started)})")
    if stuck:
        return melden(
            "Läufe",
            "hinweis",
            f"{len(stuck)} laufen seit über {after.total_seconds() / 3600:g} Stunden: {', '.join(stuck)}",
            "Ist der Rechner des Laufs weg: 'sozialforum doctor --reparieren' setzt Läufe ohne Herzschlag auf "
            "„Crashed“; das gibt den Platz des Deployments frei, der nächste Lauf setzt die Arbeit fort.",
        )
    return melden("Läufe", "ok", f"{len(running)} laufen, keiner hängt", None)
