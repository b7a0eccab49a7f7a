"""Loading: the whole settings object, its sources (file, environment) and German errors."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from sozialforum.settings.betrieb import AblageSettings, BetriebSettings
from sozialforum.settings.post import MailSettings
from sozialforum.settings.stelle import GeschaeftsstelleSettings, RechtlichesSettings
from sozialforum.settings.zugang import PortalSettings, VerzeichnisSettings
from sozialforum.settings.zyklus import (
    DatenSettings,
    FristenSettings,
    KonferenzSettings,
    ProtokollSettings,
    StrategieSettings,
)

DEFAULT_CONFIG = Path("config/sozialforum.toml")


CONFIG_ENV = "SOZIALFORUM_CONFIG"


class SettingsError(Exception):
    """Invalid configuration; the message is German and names file and field."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOZIALFORUM_", env_nested_delimiter="__", extra="forbid")

    kommune: str = "Landkreis Musterland"
    data_dir: Path = Path("var")
    database_url: str | None = None
    geschaeftsstelle: GeschaeftsstelleSettings = Field(default_factory=GeschaeftsstelleSettings)
    rechtliches: RechtlichesSettings = Field(default_factory=RechtlichesSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    portal: PortalSettings = Field(default_factory=PortalSettings)
    daten: DatenSettings = Field(default_factory=DatenSettings)
    fristen: FristenSettings = Field(default_factory=FristenSettings)
    protokoll: ProtokollSettings = Field(default_factory=ProtokollSettings)
    konferenz: KonferenzSettings = Field(default_factory=KonferenzSettings)
    betrieb: BetriebSettings = Field(default_factory=BetriebSettings)
    strategie: StrategieSettings = Field(default_factory=StrategieSettings)
    ablage: AblageSettings = Field(default_factory=AblageSettings)
    verzeichnis: VerzeichnisSettings = Field(default_factory=VerzeichnisSettings)

    toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_file))
        return tuple(sources)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sozialforum.db'}"

    @property
    def outbox_dir(self) -> Path:
        return self.mail.outbox_dir or self.data_dir / "outbox"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "berichte"

    def secret_key(self) -> str:
        """The signing key; generated on first use and kept (mode 0600) when not configured."""
        if self.portal.secret_key is not None:
            return self.portal.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


_GERMAN_ERRORS = {
    "missing": "fehlt",
    "extra_forbidden": "ist unbekannt (Tippfehler?)",
    "int_parsing": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "bool_parsing": "muss true oder false sein",
    "value_error": "ist ungültig",
    "literal_error": "muss einer dieser Werte sein",
    "greater_than": "ist zu klein",
    "greater_than_equal": "ist zu klein",
    "less_than_equal": "ist zu groß",
    "string_type": "muss ein Text sein",
    "list_type": "muss eine Liste sein",
}


def _german(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "(Datei)"
    text = _GERMAN_ERRORS.get(error["type"], "ist ungültig")
    if error["type"] == "literal_error":
        text += f" {error.get('ctx', {}).get('expected', '')}"
    if error["type"] == "value_error" and "email" in str(error.get("msg", "")).lower():
        text = "ist keine gültige E-Mail-Adresse"
    elif error["type"] == "value_error" and len(error["loc"]) == 1:
        # A section's own check (model_validator) says in German what is wrong.
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"  Abschnitt [{field}]: {text}"
    return f"  Feld {field}: {text} (Wert: {error.get('input')!r})"


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Read and validate the settings; raise SettingsError with a German report."""
    path = Path(config_file or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    if config_file is not None and not path.exists():
        raise SettingsError(f"Konfigurationsdatei {path} nicht gefunden.")
    toml_file = path if path.exists() else None
    settings_cls = type("LoadedSettings", (Settings,), {"toml_file": toml_file})
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        where = toml_file or "Umgebungsvariablen"
        lines = "\n".join(_german(error) for error in exc.errors())
        raise SettingsError(f"Konfigurationsfehler in {where}:\n{lines}") from None
    except ValueError as exc:  # TOML syntax
        raise SettingsError(f"Konfigurationsdatei {path} ist kein gültiges TOML: {exc}") from None
