"""docs/konfiguration.md is generated from the settings classes and the example configuration,
and the committed file is up to date (after changing a setting: python -m sozialforum.betrieb.konfig_doku)."""

from __future__ import annotations

from pydantic import BaseModel

from sozialforum.betrieb.konfig_doku import ZIEL, erzeugen, main
from sozialforum.settings import Settings


def test_committed_reference_equals_the_generated_one() -> None:
    assert ZIEL.read_text(encoding="utf-8") == erzeugen(), (
        "docs/konfiguration.md is out of date: python -m sozialforum.betrieb.konfig_doku"
    )
    assert main(["--pruefen"]) == 0


def test_every_setting_has_a_row_with_its_environment_variable() -> None:
    text = erzeugen()
    for name, info in Settings.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            assert f"## [{name}]" in text
            for field in section.model_fields:
                assert f"`SOZIALFORUM_{name.upper()}__{field.upper()}`" in text, f"{name}.{field}"
        else:
            assert f"`SOZIALFORUM_{name.upper()}`" in text
