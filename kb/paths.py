"""Where things live, relative to the repository root (no heavy imports: read commands use it)."""

from pathlib import Path

from kb.errors import KbError

CLAIMS_DIR = "claims"  # the knowledge base, the source of truth
BUILD_DIR = "build"  # everything generated; git-ignored
# the folders of claims/ that hold records, in the order they are loaded (kb.models.RECORD_FOLDERS: the model of each)
RECORD_FOLDER_NAMES = ("findings", "hypotheses", "confounds", "models", "sources", "texts", "discrepancies", "questions")


class NoKnowledgeBase(KbError):
    """No claims/ folder where one was looked for."""


def find_root(start: Path | None = None) -> Path:
    """The repository root: `start` itself (the --root option) if it holds `claims/`, else, with no
    `start`, the nearest folder upwards from the current one that does; NoKnowledgeBase otherwise."""
    if start is not None:
        if (start / CLAIMS_DIR).is_dir():
            return start.resolve()
        raise NoKnowledgeBase(f"--root {start}: no knowledge base there (no {CLAIMS_DIR}/ folder)")
    try:
        here = Path.cwd().resolve()
    except OSError:
        raise NoKnowledgeBase("the current folder no longer exists (was it deleted?); cd to the repository") from None
    for candidate in (here, *here.parents):
        if (candidate / CLAIMS_DIR).is_dir():
            return candidate
    raise NoKnowledgeBase(f"no knowledge base here (looked for {CLAIMS_DIR}/ from {here} upwards)")
