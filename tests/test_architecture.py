"""The house rules that keep the code base simple, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_package_never_imports_prefect_or_flows() -> None:
    offenders = []
    for path in (REPO / "sozialforum").rglob("*.py"):
        if "cli" in path.relative_to(REPO / "sozialforum").parts:
            continue  # the command line is an edge, like flows: it may start flows lazily
        bad = {
            name for name in _imports(path) if name.split(".")[0] == "prefect" or name.startswith("sozialforum.flows")
        }
        if bad:
            offenders.append(f"{path.relative_to(REPO)}: {sorted(bad)}")
    assert not offenders, "domain modules import Prefect/flows:\n" + "\n".join(offenders)


def test_cli_imports_prefect_only_lazily() -> None:
    """Module-level Prefect imports would cost ~2 s on every `sozialforum` call."""
    offenders = []
    for path in (REPO / "sozialforum" / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if module and (module.split(".")[0] == "prefect" or module.startswith("sozialforum.flows")):
                    offenders.append(f"{path.relative_to(REPO)}: {module}")
    assert not offenders, "\n".join(offenders)


def test_templates_are_german_and_escaped() -> None:
    """No template switches autoescape off or marks data safe wholesale."""
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "autoescape false" not in text, path
        assert "|safe" not in text.replace(" ", ""), f"{path}: |safe defeats autoescape"


def test_design_doc_lists_every_package_and_no_other() -> None:
    """docs/design.md's layout names exactly the packages and top modules of sozialforum/."""
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("## Layout and the arrow of imports", 1)[1].split("```", 2)[1]
    listed: set[str] = set()
    inside = False
    for line in block.splitlines():
        if line.startswith("sozialforum/"):
            inside = True
            continue
        if inside and line.startswith("  ") and not line.startswith("    "):
            words = line.split()
            # "store/ models/ …" names one package; "settings.py parsing.py …" several modules.
            listed.update(
                [w for w in words if w.endswith(".py")] if words[0].endswith(".py") else [words[0].rstrip("/")]
            )
        elif inside and line and not line.startswith(" "):
            inside = False
    root = REPO / "sozialforum"
    actual = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    actual |= {p.name for p in root.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert listed == actual, f"only in docs: {sorted(listed - actual)}; only in the tree: {sorted(actual - listed)}"


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    """mypy checks that an ignore names its code and is still needed (pyproject.toml); the reason
    is for the reader: a comment after it."""
    import re

    bare = re.compile(r"# type: ignore(\[[^\]]*\])?\s*$")
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("sozialforum", "flows")
        for path in sorted((REPO / folder).rglob("*.py"))
        if "migrations/versions" not in path.as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if bare.search(line)
    ]
    assert not found, f"# type: ignore without a reason: {found}"
