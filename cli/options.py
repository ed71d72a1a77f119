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

SortOption = Annotated[
    str | None,
    typer.Option("--sort", help="Sort by this field (prefix '-' for descending), e.g. --sort -posterior.", show_default=False),
]
LimitOption = Annotated[int | None, typer.Option("--limit", min=0, help="At most this many rows.", show_default=False)]
ColumnsOption = Annotated[
    str | None,
    typer.Option("--columns", help="Comma-separated fields to show, in order (every format), e.g. --columns id,title.", show_default=False),
]
