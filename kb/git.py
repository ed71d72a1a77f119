"""git, run in the repository: one command's output (`git`), or commands started at once and read
when needed (`Started`: each waits on git's own start-up, so several run beside each other and
beside the caller's work)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitUnavailable(Exception):
    """git could not list a commit or read its files (a shallow clone, say): older commits are out of reach."""


class Started:
    """`git ARGS` started in `root` when made; `output` waits for it (once) and gives its output,
    GitUnavailable if git is missing, `root` is not a folder or git refuses."""

    def __init__(self, root: Path, *args: str, stdin: bytes | None = None) -> None:
        self.args, self.stdin = args, stdin
        self.proc: subprocess.Popen[bytes] | None = None
        self.out: bytes | None = None
        self.failed = False
        try:
            self.proc = subprocess.Popen(
                ["git", *args],
                cwd=root,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:
            self.failed = True

    def output(self) -> bytes:
        if self.out is None and not self.failed:
            assert self.proc is not None
            out, _ = self.proc.communicate(self.stdin)
            self.failed = self.proc.returncode != 0
            self.out = out
        if self.failed or self.out is None:
            raise GitUnavailable(" ".join(self.args[:2]))
        return self.out


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """git's output, run in `root`; GitUnavailable if git is missing, `root` is not a folder or git refuses."""
    return Started(root, *args, stdin=stdin).output()
