"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="Repository root holding claims/ (default: the nearest one above the current folder).", show_default=False),
]
