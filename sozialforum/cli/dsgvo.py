"""DSGVO commands (filled in with the Art. 15/17 service)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the DSGVO commands."""
