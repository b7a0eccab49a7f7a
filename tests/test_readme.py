"""The README's two commands are the ones CI and users run; the README names every command."""

from __future__ import annotations

from sozialforum.cli import alle_befehle
from tests.conftest import REPO
from tests.support.readme_demo import readme_commands


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_command() -> None:
    demo, tests = readme_commands()[:2]
    assert demo.endswith("sozialforum demo")
    assert tests.endswith("python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines(), ".ci/run must run README command (b) verbatim"


def test_readme_documents_every_top_level_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    group = alle_befehle()
    missing = [name for name in group.commands if f"sozialforum {name}" not in readme]  # type: ignore[attr-defined]
    assert not missing, f"commands not documented in README.md: {missing}"
