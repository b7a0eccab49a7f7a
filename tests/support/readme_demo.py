"""README command (a) — a fresh copy of the repository, a new venv with the install, the demo —
started once per test run in the background as soon as the run's tests are collected, so its
minutes (pip and the demo, mostly in subprocesses) overlap the other tests instead of holding an
xdist worker. Tests marked ``readme_demo`` read it: ``test_erste_stunde`` its transcript and the
copy it ran in, the Träger pages' accessibility test a snapshot of the demo's data folder (one
demo run fewer). They are collected last (``tests/conftest.py``), when the run is mostly done.

Files in the shared folder (the xdist controller's temporary folder): ``gestartet`` (created
exclusively by the one process that starts the run; it holds the process id), ``stdout`` and
``stderr`` of the command, ``demo-var`` (the data folder right after the demo, before any test
touches it) and ``rc`` (the exit code; written last, so its presence means done).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MARKER = "readme_demo"
# The run's own limit: a run whose tests were stopped must not linger.
LIMIT_SECONDS = 1800


def readme_commands() -> list[str]:
    """The README's shell commands: (a) install and demo, (b) install and tests."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def shared_folder(config: pytest.Config) -> Path:
    """One folder for the whole run: an xdist worker's temporary folder lies inside the
    controller's, which is the run's own when there are no workers."""
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]  # set by pytest's tmp_path plugin
    return (base.parent if hasattr(config, "workerinput") else base) / "readme-demo"


def environment(home: Path) -> dict[str, str]:
    """A user's shell: none of the test run's own settings, a home and Prefect folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALFORUM_", "PREFECT_", "VIRTUAL_ENV"))}
    return env | {"COLUMNS": "200", "HOME": str(home), "PREFECT_HOME": str(home / "prefect")}


def fresh_copy(target: Path) -> Path:
    """The repository as a clone has it: the files git knows (also not yet committed ones)."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def start(folder: Path) -> None:
    """Start the run unless another process of this test run already has."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        marker = os.open(folder / "gestartet", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    clone = fresh_copy(folder / "sozialforum")
    q = {name: shlex.quote(str(folder / name)) for name in ("stdout", "stderr", "demo-var", "rc")}
    script = (
        f"( {readme_commands()[0]} ) > {q['stdout']} 2> {q['stderr']}; rc=$?; "
        f"cp -a var {q['demo-var']}; echo $rc > {q['rc']}.neu; mv {q['rc']}.neu {q['rc']}"
    )
    process = subprocess.Popen(
        # Niced: it takes the CPU the workers leave (waiting on servers, subprocesses, sleeps)
        # rather than slowing their tests; whatever is left runs when its readers wait for it.
        ["nice", "-n", "10", "timeout", str(LIMIT_SECONDS), "bash", "-c", script],
        cwd=clone,
        env=environment(folder),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as a whole if the run is aborted
    )
    os.write(marker, str(process.pid).encode())
    os.close(marker)


def stop_if_running(folder: Path) -> None:
    """At the end of the whole run: a run nobody waited for (tests deselected or stopped) ends."""
    try:
        pid = int((folder / "gestartet").read_text() or 0)
    except (FileNotFoundError, ValueError):
        return
    if pid and not (folder / "rc").exists():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)


@dataclass(frozen=True)
class Ergebnis:
    clone: Path  # the copy of the repository the command ran in (with .venv and var/)
    stdout: str
    stderr: str
    returncode: int
    demo_var: Path  # the data folder right after the demo
    home: Path  # HOME and PREFECT_HOME of the run


def wait(config: pytest.Config, timeout: float = 1200) -> Ergebnis:
    """The finished run; fails if it was never started or does not end in time."""
    folder = shared_folder(config)
    if not (folder / "gestartet").exists():
        pytest.fail(f"README command (a) was not started in the background (no tests marked {MARKER}?)")
    deadline = time.monotonic() + timeout
    while not (folder / "rc").exists():
        if time.monotonic() > deadline:
            pytest.fail(f"README command (a) did not finish within {timeout:.0f} s")
        time.sleep(1)
    return Ergebnis(
        clone=folder / "sozialforum",
        stdout=(folder / "stdout").read_text(encoding="utf-8"),
        stderr=(folder / "stderr").read_text(encoding="utf-8"),
        returncode=int((folder / "rc").read_text()),
        demo_var=folder / "demo-var",
        home=folder,
    )
