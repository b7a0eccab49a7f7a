"""Commands of this area (reserved; the issue that owns the area fills it in)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
