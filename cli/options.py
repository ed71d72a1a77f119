"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Repository root holding claims/ (default: the nearest one above the current folder).", show_default=False),
]

RefreshOption = Annotated[
    bool,
    typer.Option(
        "--refresh/--no-refresh",
        help="Rebuild the database first if any file under claims/ changed (one stat per file). --no-refresh trusts "
        "build/kb.sqlite as it is: for scripts that just ran 'kb db build'.",
    ),
]
