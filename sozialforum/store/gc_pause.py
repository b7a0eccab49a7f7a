"""No automatic cyclic garbage collection during a bulk run (the OParl import, a data load, a
computation), restored afterwards.

A bulk run allocates many containers (fetched objects, rows, frames) while the process holds
hundreds of thousands of live ones (SQLAlchemy, pandas, the run's own data). Each full
collection scans all of them and finds almost nothing, and the run's allocations trigger one
again and again: a quarter of a full OParl import's time, a tenth of a nationwide data refresh's.
Reference counting still frees everything else at once; what is cyclic is collected when the
run is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_angehalten() -> Iterator[None]:
    """The run without automatic cyclic collection (also a decorator: ``@gc_angehalten()``)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
