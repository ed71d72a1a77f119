"""The `kb` console script: starts a read command's freshness check (cli.prefetch), then runs the
Typer app."""

from __future__ import annotations

import os
import sys


def main() -> None:
    # pydantic looks for plugins (entry points of the `pydantic` group) in every installed
    # package's metadata when it builds its first validator: 10 ms of a 0.6 s `kb db build` at 1k
    # claims. The tool's models use none; PYDANTIC_DISABLE_PLUGINS is pydantic's documented switch,
    # and one set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from cli import prefetch

    prefetch.start(sys.argv[1:])
    from cli.app import main as run

    run()
