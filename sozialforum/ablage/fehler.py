"""The one error of the storage."""

from __future__ import annotations


class AblageFehler(Exception):
    """The storage refused or could not be reached; the message is German."""
