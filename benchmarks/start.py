"""The first minutes of a new user, measured.

1. ``sozialforum --help`` beside ``python -c "import typer"`` (the framework alone), median of N
   runs each, in one run. Goal: ≤ 3×.
2. README command (a) on a fresh clone (new venv, install, ``sozialforum demo``) beside the same
   install alone in another fresh clone. Goal: ≤ 1.5×. Both use pip's cache as a user's second
   install would. Skipped with ``--nur-hilfe``.

    .venv/bin/python benchmarks/start.py [--wiederholungen 10] [--nur-hilfe]

Last line: JSON with ``help_ratio`` and ``readme_ratio`` (null when skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def timed(command: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(command: list[str], n: int) -> float:
    timed(command)  # warm the file cache
    return statistics.median(timed(command) for _ in range(n))


def readme_a(folder: Path, *, demo: bool) -> float:
    """README command (a) in a fresh clone; without ``demo`` only its install part."""
    clone = folder / ("mit-demo" if demo else "nur-installation")
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    command = "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e ."
    if demo:
        command += " && .venv/bin/sozialforum demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALFORUM_", "PREFECT_", "VIRTUAL_ENV"))}
    return timed(["bash", "-c", command], cwd=clone, env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wiederholungen", type=int, default=10)
    parser.add_argument("--nur-hilfe", action="store_true")
    args = parser.parse_args()

    hilfe = median_of([str(VENV_BIN / "sozialforum"), "--help"], args.wiederholungen)
    typer_allein = median_of([sys.executable, "-c", "import typer"], args.wiederholungen)
    print(
        f"sozialforum --help: {hilfe:.3f} s; import typer: {typer_allein:.3f} s; Verhältnis {hilfe / typer_allein:.2f}"
    )

    readme_ratio = None
    if not args.nur_hilfe:
        with tempfile.TemporaryDirectory() as tmp:
            nur = readme_a(Path(tmp), demo=False)
            mit = readme_a(Path(tmp), demo=True)
        readme_ratio = round(mit / nur, 2)
        print(f"README-Befehl (a): {mit:.0f} s; Installation allein: {nur:.0f} s; Verhältnis {readme_ratio:.2f}")
    print(
        json.dumps(
            {
                "help_s": round(hilfe, 3),
                "typer_import_s": round(typer_allein, 3),
                "help_ratio": round(hilfe / typer_allein, 2),
                "readme_ratio": readme_ratio,
            }
        )
    )


if __name__ == "__main__":
    main()
