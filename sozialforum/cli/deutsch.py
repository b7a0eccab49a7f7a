"""German for the command line's own chrome (help panels, usage errors).

click and typer translate their strings with gettext's ``_``, bound at import in each module and
looked up in a catalogue we do not ship. Instead of compiling one, we hand those modules a
translating ``_`` and set typer's panel titles, which are computed once at import.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer.core
import typer.rich_utils

# typer vendors its own copy of click (typer._click) next to the installed one; translate both.
_MODULES = [
    f"{package}.{name}"
    for package in ("click", "typer._click")
    for name in ("core", "decorators", "exceptions", "formatting")
] + ["typer.core"]

DEUTSCH = {
    "Show this message and exit.": "Diese Hilfe anzeigen und beenden.",
    "Arguments": "Argumente",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Error": "Fehler",
    "Aborted.": "Abgebrochen.",
    "Aborted!": "Abgebrochen!",
    "[default: {}]": "[Standard: {}]",
    "default: {default}": "Standard: {default}",
    "[required]": "[Pflicht]",
    "required": "Pflicht",
    "[env var: {}]": "[Umgebungsvariable: {}]",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "Hilfe: [blue]'{command_path} {help_option}'[/]",
    "Try '{command} {option}' for help.": "Hilfe: '{command} {option}'",
    "Error: {message}": "Fehler: {message}",
    "Missing command.": "Befehl fehlt.",
    "No such command {name!r}.": "Unbekannter Befehl {name!r}.",
    "No such option {name!r}.": "Unbekannte Option {name!r}.",
    "Missing argument": "Argument fehlt",
    "Usage:": "Aufruf:",
    "Missing option": "Option fehlt",
    "Missing parameter": "Parameter fehlt",
    "Missing parameter: {param_name}": "Parameter fehlt: {param_name}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Got unexpected extra argument ({args})": "Unerwartetes zusätzliches Argument ({args})",
    "{value!r} is not a valid integer.": "{value!r} ist keine ganze Zahl.",
}

# Placeholders of the usage line, which click and typer write as literals.
USAGE_METAVARS = {"[OPTIONS]": "[OPTIONEN]", "COMMAND [ARGS]...": "BEFEHL [ARGUMENTE]…"}

# What a value is, as the help names it; typer writes the Python type (<str>, <path>, <int range>).
TYPEN = {
    "str": "TEXT",
    "int": "ZAHL",
    "int range": "ZAHL",
    "float": "ZAHL",
    "float range": "ZAHL",
    "path": "PFAD",
    "Path": "PFAD",
    "file": "DATEI",
    "directory": "ORDNER",
    "datetime": "DATUM",
}

# An argument's placeholder is its name in capitals (``PERSON``), as README and the usage line of
# click write it; these names are ASCII spellings of a German word.
ARGUMENTNAMEN = {"schluessel": "SCHLÜSSEL"}


def _(message: str) -> str:
    return DEUTSCH.get(message, message)


def install() -> None:
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]  # click's modules bind gettext's _ at import; we replace it
    typer.rich_utils._ = _
    _patch_vendored_click()
    _platzhalter()
    rich = typer.rich_utils
    _ein_absatz_je_befehl()
    rich.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich.OPTIONS_PANEL_TITLE = _("Options")
    rich.COMMANDS_PANEL_TITLE = _("Commands")
    rich.ERRORS_PANEL_TITLE = _("Error")
    rich.ABORTED_TEXT = _("Aborted.")
    rich.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")
    rich.DEFAULT_STRING = _("[default: {}]")
    rich.REQUIRED_LONG_STRING = _("[required]")
    rich.ENVVAR_STRING = _("[env var: {}]")


def _ein_absatz_je_befehl() -> None:
    """In a group's list of commands, a docstring's first paragraph reads as one paragraph: in
    rich markup mode typer keeps its source line breaks, which the panel shows as ragged lines
    ("… erneut gelesen" / "ändert sie nur …")."""
    rich = typer.rich_utils
    original = rich._make_command_help

    def make_command_help(*, help_text: str, markup_mode: Any) -> Any:
        first, *rest = inspect.cleandoc(help_text).split("\n\n")
        return original(help_text="\n\n".join([first.replace("\n", " "), *rest]), markup_mode=markup_mode)

    rich._make_command_help = make_command_help


def _typ(label: str) -> str:
    """``<list[Path]>`` → ``PFAD …``: the German placeholder of typer's type label."""
    inner = label.removeprefix("<").removesuffix(">")
    many = inner.startswith("list[")
    inner = inner.removeprefix("list[").removesuffix("]") if many else inner
    german = TYPEN.get(inner, inner)
    return f"{german} …" if many else german


def _spanne(low: float | None, high: float | None) -> str | None:
    """A number's allowed range in words (typer writes ``x>=1``)."""
    if low is None and high is None:
        return None
    if high is None:
        return f"mindestens {low}"
    if low is None:
        return f"höchstens {high}"
    return f"{low} bis {high}"


def _platzhalter() -> None:
    """German placeholders in usage lines and help panels: ``PERSON`` instead of ``{person}``,
    ``TEXT``/``ZAHL``/``PFAD`` instead of ``<str>``/``<int>``/``<path>``, no type for a flag."""
    core = typer.core
    argument, option, parameter = core.TyperArgument, core.TyperOption, core._TyperParameter

    original_init = argument.__init__

    def init(self: core.TyperArgument, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.metavar is None:  # the panel, the usage line and "Argument fehlt" name it so
            self.metavar = ARGUMENTNAMEN.get(self.name or "", (self.name or "").upper())

    def usage_name(self: core.TyperArgument) -> str:
        name = f"{self.metavar} …" if self.nargs != 1 else str(self.metavar)
        return name if self.required else f"[{name}]"

    original_type = parameter.display_type

    def display_type(self: core._TyperParameter, ctx: Any) -> str:
        return _typ(original_type(self, ctx))

    original_option_type = option.display_type_rich

    def option_type(self: core.TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else original_option_type(self, ctx)

    argument.__init__ = init  # type: ignore[method-assign]  # typer names an argument as its Python parameter
    argument._usage_display_name = usage_name  # type: ignore[method-assign]  # typer writes {name}
    parameter.display_type = display_type  # type: ignore[method-assign]  # typer writes Python's type names
    option.display_type_rich = option_type  # type: ignore[method-assign]  # typer shows <bool> for flags
    core.describe_number_range = _spanne  # type: ignore[assignment]  # typer writes x>=1


def _patch_vendored_click() -> None:
    """typer's vendored click hard-codes three texts instead of calling ``_``."""
    try:
        from typer._click import core, exceptions, formatting
    except ImportError:
        return
    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, german in USAGE_METAVARS.items():
            args = args.replace(english, german)
        original_usage(self, prog, args, f"{_('Usage:')} " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]  # patching the vendored click's hard-coded English
    original_help = core.Command.get_help_option

    def get_help_option(self: core.Command, ctx: core.Context) -> typer.core.TyperOption | None:
        option = original_help(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    core.Command.get_help_option = get_help_option  # type: ignore[method-assign]  # patching the vendored click's hard-coded English
    original_message = exceptions.MissingParameter.format_message

    def format_message(self: exceptions.MissingParameter) -> str:
        text = original_message(self)
        for english in ("Missing argument", "Missing option", "Missing parameter"):
            text = text.replace(english, _(english))
        return text

    exceptions.MissingParameter.format_message = format_message  # type: ignore[method-assign]  # patching the vendored click's hard-coded English
