"""Where every field of a semicolon-separated block sits, found with array operations.

A nationwide GENESIS file has 11,000 lines of 80 numbers. pandas reads the numbers; what it
cannot tell is which symbol stood in a cell it read as missing (``.`` and ``-`` mean different
things), nor how many fields a bad line had. Splitting each line in Python for that cost more
than the whole pandas read, so the positions of all separators and line ends are found once,
and a field is then two offsets into the bytes.

Fields are split at every ``;`` – as the checks always did: data rows of statistics files hold
no quoted separators, and a line where one would matter is reported by its field count.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sozialforum.daten.fehlwerte import BY_SYMBOL

Ints = npt.NDArray[np.int64]

# The symbols as bytes of UTF-8 text, by length: one byte (``-``) or three (``...``, ``…``, ``–``).
_ONE_BYTE = np.full(256, -1, dtype=np.int8)
_THREE_BYTES: dict[bytes, int] = {}
for _text, _code in BY_SYMBOL.items():
    _raw = _text.encode("utf-8")
    if len(_raw) == 1:
        _ONE_BYTE[_raw[0]] = int(_code)
    else:
        _THREE_BYTES[_raw] = int(_code)


class Zeilenraster:
    """Offsets of the lines and separators of a block of text (lines joined with ``\\n``)."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        buffer = np.frombuffer(self.data, dtype=np.uint8)
        ends = np.flatnonzero(buffer == 10)
        self.line_end: Ints = np.append(ends, len(self.data)).astype(np.int64)
        self.line_start: Ints = np.concatenate(([0], ends + 1)).astype(np.int64)
        self.separators: Ints = np.flatnonzero(buffer == 59).astype(np.int64)
        self.first_separator: Ints = np.searchsorted(self.separators, self.line_start)
        self.fields: Ints = np.searchsorted(self.separators, self.line_end) - self.first_separator + 1
        self.blank = (self.line_end - self.line_start) == 0

    def line(self, index: int) -> str:
        return self.text(int(self.line_start[index]), int(self.line_end[index]))

    def bounds(self, lines: Ints, columns: Ints) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
        """(start, end, exists) of field ``columns`` in ``lines`` (0-based, within the block)."""
        exists = columns < self.fields[lines]
        before = self.first_separator[lines] + columns - 1  # separator ahead of the field
        after = before + 1
        safe_before = np.clip(before, 0, max(len(self.separators) - 1, 0))
        safe_after = np.clip(after, 0, max(len(self.separators) - 1, 0))
        start = np.where(
            columns == 0, self.line_start[lines], self.separators[safe_before] + 1 if len(self.separators) else 0
        )
        last = columns == self.fields[lines] - 1
        end = np.where(last, self.line_end[lines], self.separators[safe_after] if len(self.separators) else 0)
        return start, np.where(exists, end, start), exists

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")

    def symbols(self, lines: Ints, columns: Ints) -> tuple[npt.NDArray[np.int8], Ints, Ints, npt.NDArray[np.bool_]]:
        """The Fehlwert code of each field that is exactly a symbol, -1 for anything else
        (empty, padded, text: for the caller to look at one by one); and the bounds."""
        start, end, exists = self.bounds(lines, columns)
        length = end - start
        buffer = np.frombuffer(self.data, dtype=np.uint8)
        codes = np.full(len(lines), -1, dtype=np.int8)
        one = exists & (length == 1)
        codes[one] = _ONE_BYTE[buffer[start[one]]]
        for position in np.flatnonzero(exists & (length == 3)).tolist():
            codes[position] = _THREE_BYTES.get(self.data[start[position] : end[position]], -1)
        return codes, start, end, exists
