"""`kb synth`: generate a knowledge base for benchmarks and scale tests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import message


def synth(
    findings: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many findings to generate.")],
    out: Annotated[Path, typer.Option(help="Folder to write into (gets a claims/ folder); must not already hold claims/.")],
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed: the same seed gives the same files.")] = 0,
) -> None:
    """Generate a valid knowledge base of FINDINGS claims with realistic shapes (hypotheses,
    confound types, works, models, archived texts, locators that verify, several links and
    confounds per claim). `kb check --root OUT` passes on it."""
    from rich.console import Console
    from rich.progress import Progress

    from kb.errors import InvalidInput
    from kb.synth import synthesise

    if (out / "claims").exists():
        raise InvalidInput(f"{out / 'claims'}: already exists; choose an empty --out folder")
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("generating", total=findings)
        counts = synthesise(out, findings, seed, lambda done, total: bar.update(task, completed=done))
    message("wrote " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" under {out / 'claims'}")


def register(app: typer.Typer) -> None:
    app.command()(synth)
