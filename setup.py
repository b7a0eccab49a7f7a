"""Packaging: the flows, templates and default configuration live at the project's top level
(where prefect.yaml and the planners expect them) but are installed inside the package, as
``sozialforum.flows``, ``sozialforum/templates`` and ``sozialforum/config``, so a wheel installs
nothing generic into site-packages and works outside the repository (``sozialforum.ressourcen``
finds them in either place)."""

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
FLOWS = {"sozialforum.flows": "flows", "sozialforum.flows.demo": "flows/demo"}
# Data folders as packages of their own: every folder below templates/ and config/.
DATA = {
    "sozialforum." + ".".join(folder.relative_to(HERE).parts): folder.relative_to(HERE).as_posix()
    for top in ("templates", "config")
    for folder in [HERE / top, *sorted(p for p in (HERE / top).rglob("*") if p.is_dir() and p.name != "__pycache__")]
}


class BuildPy(build_py):
    """Also put prefect.yaml (the deployments the planning cycle and ``serve`` read) into the
    package, so an installation outside the repository finds it."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads it from the checkout
            return
        target = Path(self.build_lib) / "sozialforum"
        self.mkpath(str(target))
        self.copy_file(str(HERE / "prefect.yaml"), str(target / "prefect.yaml"))


setup(
    cmdclass={"build_py": BuildPy},
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
