"""The tests need nothing outside the repository: the modules that read reference files pass in
a copy of the checkout with no ``../shared`` beside it (the files live in tests/data/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow
MODULES = ["tests/daten/test_genesis.py", "tests/oparl/test_import_samples.py", "tests/oparl/test_export.py"]


def test_reference_data_tests_pass_without_shared(tmp_path: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    copy = tmp_path / "nested" / "checkout"  # its ../shared does not exist
    for name in files:
        source = REPO / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    assert not (copy.parent / "shared").exists()
    env = {**os.environ, "CI": "false"}  # no PostgreSQL needed for this: the SQLite cases suffice
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not postgres", *MODULES],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
