"""Running MkDocs for `kb site build`/`serve`: where the hand-written project is, and the build
process (started early, see MkDocsRun) and the development server. Light to import: the CLI starts the build process before
it imports the aggregator and the renderer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kb.errors import KbError

SITE_SRC = "site"


class SiteBuildFailed(KbError):
    """MkDocs refused the generated site (strict mode turns every warning into a failure)."""


def site_project(root: Path) -> Path:
    """The hand-written MkDocs project: the repository's site/, or, for a knowledge base elsewhere
    (e.g. one made by `kb synth`), the site/ of the repository this package was installed from."""
    for candidate in (root / SITE_SRC, Path(__file__).resolve().parents[2] / SITE_SRC):
        if (candidate / "mkdocs.yml").is_file():
            return candidate
    raise SiteBuildFailed(f"{root / SITE_SRC / 'mkdocs.yml'}: (file): no MkDocs project found")


def _refusal(output: str) -> SiteBuildFailed:
    lines = [ln for ln in output.splitlines() if ln.startswith(("WARNING", "ERROR", "Error", "Aborted"))]
    return SiteBuildFailed("mkdocs build failed: " + (" | ".join(lines[:10]) or output.strip()[-500:]))


class MkDocsRun:
    """A strict MkDocs build in a process of its own, started before the project is rendered: it
    imports MkDocs, the theme and the plugins and compiles the theme's templates (given `warm`, the
    hand-written mkdocs.yml) on the second core while this process aggregates and renders, then
    builds when `build` hands it the generated config (kb.render.mkdocs_runner). Use it as a context
    manager: leaving without a build stops it."""

    def __init__(self, warm: Path) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kb.render.mkdocs_runner", str(warm)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def build(self, config: Path) -> None:
        """Build `config` (strict); raise SiteBuildFailed with MkDocs' warnings if it refuses."""
        _, err = self._proc.communicate(f"{config.resolve()}\n")
        if self._proc.returncode != 0:
            raise _refusal(err)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()

    def __enter__(self) -> MkDocsRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_mkdocs(config: Path, addr: str) -> None:
    """MkDocs' development server on `config` (strict), until interrupted."""
    subprocess.run([sys.executable, "-m", "mkdocs", "serve", "--strict", "-f", str(config), "-a", addr], check=False)
