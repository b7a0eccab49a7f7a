"""``sozialforum demo``: the main job over the demo Landkreis, with the embedded defaults.

Each area contributes one step: a callable ``step(run: DemoRun) -> list[str]`` returning German
summary lines (what happened, where the output is). Steps run in order over one store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from sozialforum.settings import Settings


@dataclass
class DemoRun:
    settings: Settings
    engine: Engine
    now: datetime
    config: str | None = None  # the config path the flows get as their parameter
    notes: dict[str, object] = field(default_factory=dict)  # steps may pass results on


# (title, "module:function"), in the order of the planning cycle.
STEPS: list[tuple[str, str]] = [
    ("Stammdaten des Demo-Landkreises", "sozialforum.demo:demo_step"),
]


def run_demo(run: DemoRun, report: Callable[[str, list[str]], None]) -> None:
    for title, target in STEPS:
        module_name, function_name = target.split(":")
        step = getattr(importlib.import_module(module_name), function_name)
        report(title, step(run))
