"""The vocabulary type: a stored ASCII slug with its German label."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocab(StrEnum):
    """A StrEnum whose members carry a German display label: ``X = "slug", "Label"``."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Accept the slug or the German label, case-insensitively."""
        text = raw.strip().lower()
        for member in cls:
            if text in (member.value.lower(), member.label.lower()):
                return member
        raise ValueError(raw)

    @classmethod
    def label_of(cls, value: object) -> str:
        """The German label of a stored slug; a value outside the vocabulary as it is."""
        try:
            return cls(str(value)).label
        except ValueError:
            return str(value)

    @classmethod
    def choices(cls) -> str:
        return ", ".join(member.value for member in cls)
