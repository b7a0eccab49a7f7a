"""Packaging: the flows, templates and default configuration live at the project's top level
(where prefect.yaml and the planners expect them) but are installed inside the package, as
``sozialforum.flows``, ``sozialforum/templates`` and ``sozialforum/config``, so a wheel installs
nothing generic into site-packages and works outside the repository (``sozialforum.ressourcen``
finds them in either place)."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
FLOWS = {"sozialforum.flows": "flows", "sozialforum.flows.demo": "flows/demo"}
# Data folders as packages of their own: every folder below templates/ and config/.
DATA = {
    "sozialforum." + ".".join(folder.relative_to(HERE).parts): folder.relative_to(HERE).as_posix()
    for top in ("templates", "config")
    for folder in [HERE / top, *sorted(p for p in (HERE / top).rglob("*") if p.is_dir() and p.name != "__pycache__")]
}

setup(
    packages=find_packages(include=["sozialforum", "sozialforum.*"]) + list(FLOWS) + list(DATA),
    package_dir={**FLOWS, **DATA},
    package_data={
        "sozialforum": [
            "py.typed",
            "store/migrations/*.mako",
            "store/migrations/env.py",
            "store/migrations/versions/*.py",
            "demo/data/*",
            "demo/data/statistik/*",
            "oparl/schema/README.md",
            "oparl/schema/*/*.json",
        ],
        "sozialforum.flows.demo": ["prefect_logging.yml"],
        **{name: ["*"] for name in DATA},
    },
)
