"""The base of every section of ``config/sozialforum.toml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A settings section; unknown keys are errors, since a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid")
