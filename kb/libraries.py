"""The versions of the libraries that shape what a build keeps between builds: the aggregator's
numbers (numpy, numba, llvmlite), the records as parsed and validated (PyYAML, pydantic), the
pages' markup (Jinja2, MarkupSafe), the site engines that built the last site (MkDocs, its
Material theme, Zensical), and the Python that pickled them. They are part of every
kept result's key (kb.history.code_digest, and the code digest of kb.pipeline), so an upgrade of
one of them is never served what the last version made.

Read from the installed packages' metadata folder names (`name-version.dist-info`) along
sys.path, the first of each name as the import system would find it: one directory listing per
entry, no import (importlib.metadata took 40 ms here, numba's import 0.15 s)."""

from __future__ import annotations

import os
import sys

LIBRARIES = (
    "jinja2",
    "llvmlite",
    "markupsafe",
    "mkdocs",
    "mkdocs-material",
    "numba",
    "numpy",
    "pydantic",
    "pydantic-core",
    "pyyaml",
    "zensical",
)


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def versions() -> str:
    """`name=version` of each of LIBRARIES (`?` when not installed), and Python's, in a fixed order."""
    found: dict[str, str] = {}
    for entry in sys.path:
        if not entry:  # the current directory: nothing installed there
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                library, version = name[: -len(".dist-info")].split("-", 1)
                found.setdefault(_normal(library), version)
    listed = [f"{library}={found.get(library, '?')}" for library in LIBRARIES]
    return ";".join([f"python={sys.version.split()[0]}", *listed])
