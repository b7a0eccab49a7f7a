"""prefect.yaml is complete: every flow has a deployment, every entrypoint imports, parameters
fit the flow, schedules are wall-clock times in Europe/Berlin; the planning cycle finds the flow
of every kind of action."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
import yaml

from sozialforum.betrieb.deployments import Deployment, DeploymentFehler, lade_deployments
from sozialforum.betrieb.zyklus import FLOW
from tests.conftest import REPO

YAML = REPO / "prefect.yaml"


def _flow_functions() -> set[str]:
    """``flows/x.py:function`` of every function decorated with ``@flow`` or ``@flow(...)``."""
    found = set()
    for path in sorted((REPO / "flows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
                if name == "flow":
                    found.add(f"flows/{path.name}:{node.name}")
    return found


def _hours(field: str) -> set[int]:
    """The hours a cron hour field names (lists, ranges, steps)."""
    hours: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        low, high = (0, 23) if base == "*" else (int(base.split("-")[0]), int(base.split("-")[-1]))
        hours |= set(range(low, high + 1, int(step or 1)))
    return hours


@pytest.fixture(scope="module")
def deployments() -> list[Deployment]:
    return lade_deployments(YAML)


def test_every_flow_has_a_deployment(deployments: list[Deployment]) -> None:
    missing = _flow_functions() - {d.entrypoint for d in deployments}
    assert not missing, f"flows without a deployment in prefect.yaml: {sorted(missing)}"


def test_every_entrypoint_imports_a_flow_and_its_parameters_fit(deployments: list[Deployment]) -> None:
    from prefect import Flow

    for deployment in deployments:
        assert (REPO / deployment.datei).is_file(), deployment.entrypoint
        target = getattr(importlib.import_module(deployment.modul), deployment.funktion)
        assert isinstance(target, Flow), f"{deployment.entrypoint} is not a @flow"
        accepted = inspect.signature(target.fn).parameters
        for plan in deployment.schedules:
            unknown = set(deployment.parameters) | set(plan.parameters)
            assert unknown <= set(accepted), f"{deployment.name}: unknown parameters {unknown - set(accepted)}"


def test_schedules_are_wall_clock_in_berlin_and_avoid_the_dst_gap(deployments: list[Deployment]) -> None:
    for deployment in deployments:
        for plan in deployment.schedules:
            assert plan.timezone == "Europe/Berlin", f"{deployment.name}: {plan.beschreibung()}"
            assert plan.interval is None, f"{deployment.name}: an interval drifts across DST; use cron"
            if plan.cron and plan.cron.split()[1] != "*":  # an hourly job may skip one hour
                assert 2 not in _hours(plan.cron.split()[1]), (
                    f"{deployment.name}: 02:00–03:00 is skipped on the spring DST change"
                )


def test_deployments_use_the_process_pool_and_unique_names(deployments: list[Deployment]) -> None:
    document = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    pool = document["definitions"]["work_pools"]["prozess"]["name"]
    assert all(d.work_pool == pool for d in deployments), [d.name for d in deployments if d.work_pool != pool]
    assert document["pull"], "workers need the pull step (working directory)"
    names = [d.name for d in deployments]
    assert len(names) == len(set(names))


def test_the_planning_cycle_finds_the_flow_of_every_action() -> None:
    from sozialforum.flows.planungszyklus import flow_named

    for art, name in FLOW.items():
        assert flow_named(name).name == name, art


def test_a_broken_prefect_yaml_is_reported_in_german(tmp_path: Path) -> None:
    bad = tmp_path / "prefect.yaml"
    bad.write_text("deployments:\n  - name: x\n    entrypoint: flows/x.py\n", encoding="utf-8")
    with pytest.raises(DeploymentFehler, match="entrypoint"):
        lade_deployments(bad)
    bad.write_text(
        "deployments:\n  - name: x\n    entrypoint: a.py:f\n  - name: x\n    entrypoint: b.py:g\n", encoding="utf-8"
    )
    with pytest.raises(DeploymentFehler, match="doppelt: x"):
        lade_deployments(bad)
