"""The freshness check of a read command, started before the CLI itself is imported.

A read command (`kb claim list`, `kb hypothesis show`, ...) first checks that build/kb.sqlite
still matches claims/: one stat per file, about 0.15 s at 50,000 files. Importing Typer and
parsing the command line take a third of that, on one core. So the entry point forks children
before importing anything heavy; the children compute the fingerprint while the parent imports and
parses, and hand it over through pipes. The files are split between two children by the hash
of their names (the fingerprint is a sum, so the parts add up), which uses both cores of a small
machine. (git's preload-index overlaps its stats the same way, with threads; in Python, threads
would take turns on the interpreter lock.) Anything unexpected in a child means no answer, and
the parent computes the fingerprint itself.

A command that will load every record file (`kb check`, and `kb db build` without a database)
starts a helper that parses them meanwhile (kb.parsed), for the same reason."""

from __future__ import annotations

import os
from pathlib import Path

from cli.commands import COMMANDS, READ_MODULES
from kb.errors import KbError
from kb.paths import find_root

# (noun, verb) pairs whose commands call cli.context.fresh_root
READ_COMMANDS = {(noun, verb) for noun, module in COMMANDS.items() if module in READ_MODULES for verb in ("list", "show")}

CHILDREN = 2
_pending: tuple[list[tuple[int, int]], Path] | None = None  # (child pid, read end of its pipe) each, and the root they check


def _root_arg(args: list[str]) -> Path | None:
    for i, arg in enumerate(args):
        if arg == "--root" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--root="):
            return Path(arg.split("=", 1)[1])
    return None


def start(args: list[str]) -> None:
    """Start computing the fingerprint in child processes if `args` (the command line after
    `kb`) is a read command that will want it; start parsing the record files (kb.parsed) if it
    is a command that will load them all (`kb check`; `kb db build` without a database yet)."""
    global _pending
    if not hasattr(os, "fork") or "--help" in args:
        return
    loads_all = args[:1] == ["check"] or args[:2] == ["db", "build"]
    reads = _pending is None and len(args) >= 2 and (args[0], args[1]) in READ_COMMANDS and "--no-refresh" not in args
    if not (loads_all or reads):
        return
    try:
        root = find_root(_root_arg(args))
    except KbError:  # no knowledge base: the command itself says so
        return
    if loads_all:  # `kb db build` loads every file only without a database
        from kb.db.freshness import db_path
        from kb.parsed import start as parse_beside

        if args[0] == "check" or not db_path(root).is_file():
            parse_beside(root)
        return
    children = []
    for part in range(CHILDREN):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a child: write its part's sums (or nothing) and leave without running any exit handler
            try:
                os.close(read)
                from kb.db.freshness import fingerprint_sum

                os.write(write, "{} {}".format(*fingerprint_sum(root, part, CHILDREN)).encode())
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    _pending = (children, root)


def fingerprint(root: Path) -> str:
    """The fingerprint of `root`: joined from the children's parts when they were started for
    this root and all answered, else computed here."""
    global _pending
    from kb.db.freshness import fingerprint as compute
    from kb.db.freshness import join_sums

    if _pending is None:
        return compute(root)
    children, started = _pending
    _pending = None
    sums = []
    for pid, read in children:
        with os.fdopen(read, "rb") as pipe:
            answer = pipe.read().decode().split()
        os.waitpid(pid, 0)
        if len(answer) == 2:
            sums.append((int(answer[0]), int(answer[1])))
    if started == root and len(sums) == len(children):
        return join_sums(sums)
    return compute(root)
