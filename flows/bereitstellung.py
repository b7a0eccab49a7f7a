"""Prefect glue for operations: the deployments of ``prefect.yaml`` as runner deployments for
``sozialforum serve``, and the global concurrency limits of ``sozialforum.flows.grenzen``.

The YAML is read by ``sozialforum.betrieb.deployments`` (plain data); here it becomes Prefect
objects. Entrypoints are relative to the project folder, which must be the working directory.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow, serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron, Interval, RRule, Schedule
from sozialforum.flows import grenzen

from sozialforum.betrieb.deployments import Deployment, Zeitplan


def zeitplan(plan: Zeitplan) -> Schedule:
    options: dict[str, Any] = {"timezone": plan.timezone, "active": plan.active, "parameters": plan.parameters}
    if plan.cron:
        return Cron(plan.cron, **options)
    if plan.rrule:
        return RRule(plan.rrule, **options)
    assert plan.interval is not None
    return Interval(plan.interval, **options)


def runner_deployment(deployment: Deployment) -> RunnerDeployment:
    """One deployment of prefect.yaml, ready for ``serve`` (schedules, parameters, limits)."""
    target: Flow[..., Any] = load_flow_from_entrypoint(deployment.entrypoint, use_placeholder_flow=False)
    return target.to_deployment(  # type: ignore[return-value]  # sync outside an event loop
        name=deployment.name,
        schedules=[zeitplan(plan) for plan in deployment.schedules],
        parameters=deployment.parameters,
        description=deployment.description,
        tags=list(deployment.tags),
        concurrency_limit=deployment.concurrency_limit,
    )


def limits_anlegen(limits: dict[str, int] | None = None) -> list[str]:
    """Create the global concurrency limits that do not exist yet; returns the names created."""
    created = []
    with get_client(sync_client=True) as client:
        for name, limit in (limits or grenzen.STANDARD).items():
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))
                created.append(name)
    return created


def alle_bereitstellen(deployments: list[Deployment], *, limit: int | None = None) -> None:
    """Serve every deployment with its schedules until interrupted (Ctrl+C)."""
    serve(*[runner_deployment(d) for d in deployments], limit=limit, print_starting_message=True)
