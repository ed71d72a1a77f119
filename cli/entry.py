"""The `kb` console script: starts a read command's freshness check (cli.prefetch), then runs the
Typer app."""

from __future__ import annotations

import sys


def main() -> None:
    from cli import prefetch

    prefetch.start(sys.argv[1:])
    from cli.app import main as run

    run()
