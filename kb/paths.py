"""Where things live, relative to the repository root (no heavy imports: read commands use it)."""

CLAIMS_DIR = "claims"  # the knowledge base, the source of truth
BUILD_DIR = "build"  # everything generated; git-ignored
