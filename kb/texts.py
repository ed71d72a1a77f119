"""Archived source texts: reading lines, verifying quotes, and spotting statements copied from
the text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z0-9]+)*")
COPY_RUN = 12  # a statement may not share this many consecutive words with its source text


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass
class ArchivedText:
    """The bytes of one archived text, split into 1-based physical lines."""

    path: Path
    data: bytes = field(repr=False)

    @classmethod
    def read(cls, path: Path) -> ArchivedText:
        return cls(path, path.read_bytes())

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def lines(self) -> list[str]:
        return self.data.decode("utf-8", errors="replace").split("\n") if self.data else []

    @property
    def line_count(self) -> int:
        lines = self.lines
        return len(lines) - 1 if lines and lines[-1] == "" else len(lines)

    def span(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start - 1 : end])

    def quote_at(self, quote: str, start: int, end: int) -> bool:
        return normalise(quote) in normalise(self.span(start, end))

    def find_quote(self, quote: str) -> tuple[int, int] | None:
        """Where a quote actually is (first line range of at most 30 lines), to suggest a fix."""
        q = normalise(quote)
        for i in range(1, self.line_count + 1):
            if q[:40] in normalise(self.lines[i - 1]) or i == self.line_count:
                for j in range(i, min(i + 30, self.line_count + 1)):
                    if q in normalise(self.span(i, j)):
                        return (i, j)
        return None

    @cached_property
    def tokens(self) -> list[str]:
        return words(self.data.decode("utf-8", errors="replace"))

    def forget_grams(self) -> None:
        """Drop the word index (it is large; the check builds it once per text and moves on)."""
        self.__dict__.pop("grams", None)
        self.__dict__.pop("tokens", None)

    @cached_property
    def grams(self) -> dict[int, int]:
        """Hash of every run of COPY_RUN words -> where it starts (hashing word ids with numpy is
        several times faster than building a set of 12-word tuples)."""
        hashes = _run_hashes(self.tokens)
        return dict(zip(hashes.tolist(), range(len(hashes)), strict=True))

    def copied_run(self, statement: str) -> str | None:
        """The first run of COPY_RUN words that `statement` shares with this text, if any."""
        tokens = words(statement)
        if len(tokens) < COPY_RUN:
            return None
        grams, mine = self.grams, self.tokens
        for i, h in enumerate(_short_run_hashes(tokens)):
            start = grams.get(h)
            if start is not None and mine[start : start + COPY_RUN] == tokens[i : i + COPY_RUN]:
                return " ".join(tokens[i : i + COPY_RUN])
        return None


# Words are identified by Python's string hash: stable within one process, which is all the
# comparison needs (a hash match is confirmed word by word before it is reported).
_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1


def _short_run_hashes(tokens: list[str]) -> list[int]:
    """The same hashes as `_run_hashes`, in plain Python: faster than numpy for a statement."""
    ids = [hash(t) & _MASK for t in tokens]
    out = []
    for start in range(len(ids) - COPY_RUN + 1):
        h = 0
        for v in ids[start : start + COPY_RUN]:
            h = (h * _PRIME + v) & _MASK
        out.append(h)
    return out


def _run_hashes(tokens: list[str]) -> Any:
    """A polynomial hash (mod 2**64) of each run of COPY_RUN consecutive word ids."""
    import numpy as np

    ids = np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens)).view(np.uint64)
    n = len(ids) - COPY_RUN + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(COPY_RUN):
            h = h * np.uint64(_PRIME) + ids[k : k + n]
    return h
