"""Where the files shipped with sozialforum are: ``templates/`` and the default ``config/``.

In a checkout they lie beside the package (the project's top level); a wheel carries them inside
it (setup.py), so an installation works outside the repository too.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def ordner(name: str) -> Path:
    """``templates`` or ``config`` of this installation."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def konfigurationsdatei(path: Path) -> Path:
    """A configured file as given when it exists (absolute, or relative to the working folder);
    otherwise the default of the same name shipped with sozialforum."""
    if path.is_absolute() or path.exists():
        return path
    shipped = ordner("config") / path.name
    return shipped if shipped.exists() else path
