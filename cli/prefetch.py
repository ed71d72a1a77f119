"""The freshness check of a read command, started before the CLI itself is imported.

A read command (`kb claim list`, `kb hypothesis show`, ...) first checks that build/kb.sqlite
still matches claims/: one stat per file, about 0.15 s at 50,000 files. Importing Typer and
parsing the command line take about as long again, on one core. So the entry point forks a child
before importing anything heavy; the child computes the fingerprint while the parent imports and
parses, and hands it over through a pipe. (git's preload-index overlaps its stats the same way,
with threads; in Python, threads would take turns on the interpreter lock.) Anything unexpected
in the child means no answer, and the parent computes the fingerprint itself."""

from __future__ import annotations

import os
from pathlib import Path

from kb.paths import find_root

# (noun, verb) pairs whose commands call cli.context.fresh_root
READ_COMMANDS = {
    (noun, verb) for noun in ("claim", "hypothesis", "confound", "model", "source", "text", "discrepancy") for verb in ("list", "show")
}

_pending: tuple[int, int, Path] | None = None  # child pid, read end of its pipe, the root it checks


def _root_arg(args: list[str]) -> Path | None:
    for i, arg in enumerate(args):
        if arg == "--root" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--root="):
            return Path(arg.split("=", 1)[1])
    return None


def start(args: list[str]) -> None:
    """Start computing the fingerprint in a child process if `args` (the command line after
    `kb`) is a read command that will want it."""
    global _pending
    if _pending is not None or not hasattr(os, "fork") or len(args) < 2 or (args[0], args[1]) not in READ_COMMANDS:
        return
    if "--no-refresh" in args or "--help" in args:
        return
    root = find_root(_root_arg(args))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write the fingerprint (or nothing) and leave without running any exit handler
        try:
            os.close(read)
            from kb.db import fingerprint

            os.write(write, fingerprint(root).encode())
        finally:
            os._exit(0)
    os.close(write)
    _pending = (pid, read, root)


def fingerprint(root: Path) -> str:
    """The fingerprint of `root`: the child's answer when one was started for this root, else
    computed here."""
    global _pending
    if _pending is not None:
        pid, read, started = _pending
        _pending = None
        with os.fdopen(read, "rb") as pipe:
            answer = pipe.read().decode()
        os.waitpid(pid, 0)
        if started == root and answer:
            return answer
    from kb.db import fingerprint as compute

    return compute(root)
