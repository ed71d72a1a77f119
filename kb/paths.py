"""Where things live, relative to the repository root (no heavy imports: read commands use it)."""

from pathlib import Path

CLAIMS_DIR = "claims"  # the knowledge base, the source of truth
BUILD_DIR = "build"  # everything generated; git-ignored


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder upwards holding `claims/`."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CLAIMS_DIR).is_dir():
            return candidate
    return here
