"""Settings from ``config/sozialforum.toml`` and ``SOZIALFORUM_*`` environment variables.

Nothing global: ``load_settings()`` returns a validated object that callers pass on, so tests
build their own instead of patching. Environment beats the file; nested fields use ``__``
(``SOZIALFORUM_MAIL__SMTP_HOST``). A bad value is reported in German with the field's path.

One module per group of sections (``laden`` holds the whole and its loading); every name is
importable from here.
"""

from sozialforum.settings.abschnitt import Section
from sozialforum.settings.betrieb import AblageSettings, BetriebSettings
from sozialforum.settings.laden import CONFIG_ENV, DEFAULT_CONFIG, Settings, SettingsError, load_settings
from sozialforum.settings.post import MailSettings
from sozialforum.settings.stelle import GeschaeftsstelleSettings, RechtlichesSettings
from sozialforum.settings.zugang import PortalSettings, VerzeichnisSettings
from sozialforum.settings.zyklus import (
    DateiOptionen,
    DatenSettings,
    FristenSettings,
    KonferenzSettings,
    ProtokollSettings,
    StrategieSettings,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "AblageSettings",
    "BetriebSettings",
    "DateiOptionen",
    "DatenSettings",
    "FristenSettings",
    "GeschaeftsstelleSettings",
    "KonferenzSettings",
    "MailSettings",
    "PortalSettings",
    "ProtokollSettings",
    "RechtlichesSettings",
    "Section",
    "Settings",
    "SettingsError",
    "StrategieSettings",
    "VerzeichnisSettings",
    "load_settings",
]
