"""The deployments of ``prefect.yaml`` as plain data, for ``sozialforum serve``, the planning
cycle (which flow runs an action) and the tests. Read with PyYAML: no Prefect import here.

Each flow issue appends its deployment to ``prefect.yaml``; everything built on this module
picks new deployments up without edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import sozialforum

PROJEKT = Path(sozialforum.__file__).resolve().parent.parent


class DeploymentFehler(ValueError):
    """prefect.yaml is missing or malformed; the message is German."""


@dataclass(frozen=True)
class Zeitplan:
    cron: str | None = None
    rrule: str | None = None
    interval: float | None = None
    timezone: str | None = None
    active: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)

    def beschreibung(self) -> str:
        what = (
            f"cron „{self.cron}“"
            if self.cron
            else f"rrule „{self.rrule}“"
            if self.rrule
            else f"alle {self.interval:g} s"
        )
        zone = f" ({self.timezone})" if self.timezone else ""
        return what + zone + ("" if self.active else " – pausiert")


@dataclass(frozen=True)
class Deployment:
    name: str
    entrypoint: str
    description: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[Zeitplan, ...] = ()
    tags: tuple[str, ...] = ()
    work_pool: str | None = None
    work_queue: str | None = None
    concurrency_limit: int | None = None

    @property
    def datei(self) -> str:
        return self.entrypoint.split(":", 1)[0]

    @property
    def funktion(self) -> str:
        return self.entrypoint.rsplit(":", 1)[-1]

    @property
    def modul(self) -> str:
        """``flows/fristen_ueberwachen.py`` → ``sozialforum.flows.fristen_ueberwachen``."""
        # flows/ is installed as sozialforum.flows (setup.py): the same module objects whatever
        # imported them first, and importable outside the checkout.
        return "sozialforum." + self.datei.removesuffix(".py").replace("/", ".")


def finde_prefect_yaml(start: Path | None = None) -> Path:
    """prefect.yaml of the working directory, else the installation's: inside the package when
    installed from a wheel (setup.py puts it there), beside it in a checkout."""
    for folder in (start or Path.cwd(), PROJEKT / "sozialforum", PROJEKT):
        candidate = folder / "prefect.yaml"
        if candidate.is_file():
            return candidate.resolve()
    raise DeploymentFehler("prefect.yaml nicht gefunden: bitte im Projektverzeichnis aufrufen.")


def _zeitplan(raw: dict[str, Any], where: str) -> Zeitplan:
    kinds = [key for key in ("cron", "rrule", "interval") if raw.get(key) is not None]
    if len(kinds) != 1:
        raise DeploymentFehler(f"{where}: ein Zeitplan braucht genau eines von cron, rrule, interval.")
    return Zeitplan(
        cron=raw.get("cron"),
        rrule=raw.get("rrule"),
        interval=float(raw["interval"]) if raw.get("interval") is not None else None,
        timezone=raw.get("timezone"),
        active=bool(raw.get("active", True)),
        parameters=dict(raw.get("parameters") or {}),
    )


def _deployment(raw: dict[str, Any], index: int, path: Path) -> Deployment:
    where = f"{path.name}, deployments[{index}]"
    name, entrypoint = raw.get("name"), raw.get("entrypoint")
    if not name or not entrypoint or ":" not in str(entrypoint):
        raise DeploymentFehler(f"{where}: name und entrypoint („datei.py:funktion“) sind Pflicht.")
    pool = raw.get("work_pool") or {}
    schedules = raw.get("schedules") or []
    if raw.get("schedule"):
        schedules = [raw["schedule"], *schedules]
    limit = raw.get("concurrency_limit")
    if isinstance(limit, dict):
        limit = limit.get("limit")
    return Deployment(
        name=str(name),
        entrypoint=str(entrypoint),
        description=raw.get("description"),
        parameters=dict(raw.get("parameters") or {}),
        schedules=tuple(_zeitplan(s, f"{where}, Zeitplan {n + 1}") for n, s in enumerate(schedules)),
        tags=tuple(raw.get("tags") or ()),
        work_pool=pool.get("name"),
        work_queue=pool.get("work_queue_name"),
        concurrency_limit=int(limit) if limit is not None else None,
    )


def lade_deployments(path: Path | None = None) -> list[Deployment]:
    """All deployments of prefect.yaml, in file order; names must be unique."""
    path = path or finde_prefect_yaml()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DeploymentFehler(f"{path} ist kein gültiges YAML: {exc}") from None
    result = [_deployment(raw, index, path) for index, raw in enumerate(document.get("deployments") or [])]
    names = [d.name for d in result]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DeploymentFehler(f"{path.name}: Deployment-Namen doppelt: {', '.join(twice)}")
    return result


def fuer_flow(deployments: list[Deployment], funktion: str) -> Deployment | None:
    """The deployment whose entrypoint is the flow function ``funktion`` (the first one)."""
    return next((d for d in deployments if d.funktion == funktion), None)
