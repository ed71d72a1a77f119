"""Values kept between builds as pickle files in our own build folder: read back whole or not at
all (`kept`: None when missing or unreadable, and the caller computes the value again), written
under a temporary name and then renamed into place (`keep`), so a reader never sees half a file."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any


def kept(path: Path) -> Any:
    """The value `keep` wrote at `path`; None when there is none or it cannot be read."""
    try:
        with path.open("rb") as file:
            return pickle.load(file)  # noqa: S301 - our own build folder, written by `keep`
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def keep(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
