"""What ``sozialforum`` sets up and repairs on a Prefect server (over its REST API, without
importing Prefect), so that a dead machine does not stop the work:

- **Heartbeats**: every run of the work pool ``sozialforum`` gets
  ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY = betrieb.herzschlag_sekunden`` from the pool's job
  template (whichever worker runs it; the job's environment wins over the worker's).
- **The automation** „Prefect's way“ (docs.prefect.io, "detect zombie flows"): a proactive
  trigger per flow run that fires when neither a heartbeat nor a final or suspended state follows
  a heartbeat (or the start) within ``3 × herzschlag_sekunden``; its action sets the run Crashed,
  which gives back the deployment's ``concurrency_limit`` slot, so the next run starts.
- **Repair** (``sozialforum doctor --reparieren``): runs still Running whose last heartbeat is
  older than that window are set Crashed at once, and concurrency slots that no active run can
  hold (a Prefect server restart forgets its leases, the counter stays) are given back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sozialforum.timeutil import format_termin

POOL = "sozialforum"
HERZSCHLAG_VARIABLE = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
AUTOMATION = "sozialforum: Lauf ohne Herzschlag ist abgestürzt"
# Grace after which a run without heartbeat counts as dead: three missed heartbeats.
HERZSCHLAEGE = 3
AKTIV = ["RUNNING", "PENDING", "CANCELLING"]  # states in which a run may hold a slot
# Events that close a run's window: another heartbeat, a final state, or a suspension (the
# process ends on purpose; a resumed run starts with Running again).
ERWARTET = [
    "prefect.flow-run.heartbeat",
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.Crashed",
    "prefect.flow-run.Suspended",
]


def frist(herzschlag_sekunden: int) -> timedelta:
    """How long a run may stay silent before it counts as dead."""
    return timedelta(seconds=HERZSCHLAEGE * herzschlag_sekunden)


def automation(herzschlag_sekunden: int) -> dict[str, Any]:
    """The automation as the API takes it (AutomationCreate)."""
    window = frist(herzschlag_sekunden)
    return {
        "name": AUTOMATION,
        "description": (
            f"Setzt einen Lauf auf „Crashed“, wenn {window.total_seconds():g} s lang kein Herzschlag kommt "
            "(Rechner oder Worker weg); das gibt den Platz seines Deployments frei. Angelegt von sozialforum "
            "aus betrieb.herzschlag_sekunden."
        ),
        "enabled": True,
        "trigger": {
            "type": "event",
            "posture": "Proactive",
            # A run killed before its first heartbeat reached the server is caught by its start.
            "after": ["prefect.flow-run.heartbeat", "prefect.flow-run.Running"],
            "expect": ERWARTET,
            "match": {"prefect.resource.id": "prefect.flow-run.*"},
            "for_each": ["prefect.resource.id"],
            "threshold": 1,
            "within": window.total_seconds(),
        },
        "actions": [
            {
                "type": "change-flow-run-state",
                "state": "CRASHED",
                "name": "Crashed",
                "message": f"Kein Herzschlag seit {window.total_seconds():g} s: Rechner oder Worker nicht mehr da.",
            }
        ],
    }


@dataclass
class Ergebnis:
    """What a set-up or repair did (German lines) and what it could not do."""

    getan: list[str] = field(default_factory=list)
    fehler: list[str] = field(default_factory=list)


class _Api:
    def __init__(self, api_url: str, http: httpx.Client) -> None:
        self.base, self.http = api_url.rstrip("/"), http

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.base + path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None


def einrichten(api_url: str, herzschlag_sekunden: int, *, pool: bool = True) -> Ergebnis:
    """Create or update the automation and (with ``pool``) set the pool's heartbeat; idempotent.
    ``sozialforum serve`` has no pool: it sets the heartbeat in its own environment."""
    result = Ergebnis()
    with httpx.Client(timeout=15) as http:
        api = _Api(api_url, http)
        try:
            _automation_anlegen(api, herzschlag_sekunden, result)
            if pool:
                _herzschlag_im_pool(api, herzschlag_sekunden, result)
        except httpx.HTTPError as exc:
            result.fehler.append(f"Prefect-Server: {exc}")
    return result


def _automation_anlegen(api: _Api, herzschlag_sekunden: int, result: Ergebnis) -> None:
    wanted = automation(herzschlag_sekunden)
    existing = [a for a in api.call("POST", "/automations/filter", {"limit": 200}) if a["name"] == AUTOMATION]
    if not existing:
        api.call("POST", "/automations/", wanted)
        result.getan.append(f"Automation „{AUTOMATION}“ angelegt (Frist {frist(herzschlag_sekunden).seconds} s).")
        return
    current = existing[0]
    if current["trigger"].get("within") == wanted["trigger"]["within"] and current.get("enabled"):
        return
    api.call("PUT", f"/automations/{current['id']}", wanted)
    result.getan.append(f"Automation „{AUTOMATION}“ angepasst (Frist {frist(herzschlag_sekunden).seconds} s).")


def _herzschlag_im_pool(api: _Api, herzschlag_sekunden: int, result: Ergebnis) -> None:
    try:
        pool = api.call("GET", f"/work_pools/{POOL}")
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code != 404:
            raise
        result.fehler.append(
            f"Arbeitspool '{POOL}' fehlt: 'prefect work-pool create {POOL} --type process', dann erneut."
        )
        return
    template = pool.get("base_job_template") or {}
    env = (template.get("variables") or {}).get("properties", {}).get("env")
    if env is None:
        result.fehler.append(f"Arbeitspool '{POOL}': die Vorlage kennt keine Umgebungsvariablen (Prozess-Pool?).")
        return
    defaults = dict(env.get("default") or {})
    if defaults.get(HERZSCHLAG_VARIABLE) == str(herzschlag_sekunden):
        return
    env["default"] = defaults | {HERZSCHLAG_VARIABLE: str(herzschlag_sekunden)}
    api.call("PATCH", f"/work_pools/{POOL}", {"base_job_template": template})
    result.getan.append(f"Arbeitspool '{POOL}': Läufe senden alle {herzschlag_sekunden} s einen Herzschlag.")


def reparieren(api_url: str, *, tot_nach: timedelta, now: datetime | None = None) -> Ergebnis:
    """Set Crashed every Running run silent for longer than ``tot_nach``; give back slots that
    no active run can hold. Returns what was done, in German."""
    now = now or datetime.now(UTC)
    result = Ergebnis()
    with httpx.Client(timeout=15) as http:
        api = _Api(api_url, http)
        try:
            for run in _laeufe(api, ["RUNNING"]):
                _tot_setzen(api, run, now - tot_nach, result)
            _plaetze_freigeben(api, result)
        except httpx.HTTPError as exc:
            result.fehler.append(f"Prefect-Server: {exc}")
    return result


def _laeufe(api: _Api, states: list[str]) -> list[dict[str, Any]]:
    body = {"flow_runs": {"state": {"type": {"any_": states}}}, "limit": 200}
    return list(api.call("POST", "/flow_runs/filter", body))


def _zeit(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def letztes_lebenszeichen(api: _Api, run: dict[str, Any]) -> datetime | None:
    """The run's last heartbeat, else the moment it started running."""
    body = {
        "filter": {
            "event": {"name": ["prefect.flow-run.heartbeat"]},
            "resource": {"id": [f"prefect.flow-run.{run['id']}"]},
            "order": "DESC",
            "occurred": {"since": run.get("start_time") or run["created"]},
        },
        "limit": 1,
    }
    events = api.call("POST", "/events/filter", body).get("events") or []
    if events:
        return _zeit(events[0]["occurred"])
    return _zeit(run.get("start_time") or (run.get("state") or {}).get("timestamp"))


def _tot_setzen(api: _Api, run: dict[str, Any], grenze: datetime, result: Ergebnis) -> None:
    last = letztes_lebenszeichen(api, run)
    if last is None or last > grenze:
        return
    message = f"Kein Herzschlag seit {format_termin(last)}: von 'sozialforum doctor --reparieren' beendet."
    api.call(
        "POST",
        f"/flow_runs/{run['id']}/set_state",
        {"state": {"type": "CRASHED", "name": "Crashed", "message": message}},
    )
    result.getan.append(f"Lauf {run['name']} auf „Crashed“ gesetzt (letztes Lebenszeichen {format_termin(last)}).")


def _plaetze_freigeben(api: _Api, result: Ergebnis) -> None:
    """A deployment's slots beyond its active runs, and the global limits' slots while no run
    is active at all, belong to no one: back to what the active runs can hold."""
    active = _laeufe(api, AKTIV)
    per_deployment: dict[str, int] = {}
    for run in active:
        if run.get("deployment_id"):
            per_deployment[str(run["deployment_id"])] = per_deployment.get(str(run["deployment_id"]), 0) + 1
    for limit in api.call("POST", "/v2/concurrency_limits/filter", {"limit": 200}):
        held = int(limit.get("active_slots") or 0)
        name = str(limit["name"])
        if name.startswith("deployment:"):
            deployment_id = name.removeprefix("deployment:")
            allowed = per_deployment.get(deployment_id, 0)
            what = f"Deployment '{api.call('GET', f'/deployments/{deployment_id}')['name']}'" if held > allowed else ""
        else:
            allowed = held if active else 0
            what = f"Grenze '{name}'"
        if held > allowed:
            api.call("PATCH", f"/v2/concurrency_limits/{limit['id']}", {"active_slots": allowed})
            freed = held - allowed
            plaetze = "1 belegter Platz" if freed == 1 else f"{freed} belegte Plätze"
            result.getan.append(f"{what}: {plaetze} ohne laufenden Lauf freigegeben.")


def fehlende_einrichtung(api_url: str, herzschlag_sekunden: int) -> list[str]:
    """What ``einrichten`` would still do (for doctor's check); empty when everything is set."""
    missing: list[str] = []
    with httpx.Client(timeout=10) as http:
        api = _Api(api_url, http)
        wanted = automation(herzschlag_sekunden)["trigger"]["within"]
        found = [a for a in api.call("POST", "/automations/filter", {"limit": 200}) if a["name"] == AUTOMATION]
        if not found or not found[0].get("enabled") or found[0]["trigger"].get("within") != wanted:
            missing.append(f"die Automation „{AUTOMATION}“ (Frist {wanted:g} s)")
        try:
            pool = api.call("GET", f"/work_pools/{POOL}")
        except httpx.HTTPStatusError:
            return missing  # the pool's absence is the workers check's finding
        env = ((pool.get("base_job_template") or {}).get("variables") or {}).get("properties", {}).get("env") or {}
        if (env.get("default") or {}).get(HERZSCHLAG_VARIABLE) != str(herzschlag_sekunden):
            missing.append(f"der Herzschlag im Arbeitspool '{POOL}' ({HERZSCHLAG_VARIABLE}={herzschlag_sekunden})")
    return missing


def zeilen(ergebnisse: Iterable[Ergebnis]) -> tuple[list[str], list[str]]:
    """All lines done and all failures of several results."""
    done: list[str] = []
    failed: list[str] = []
    for ergebnis in ergebnisse:
        done += ergebnis.getan
        failed += ergebnis.fehler
    return done, failed
