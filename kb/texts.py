"""Archived source texts: reading lines, verifying quotes, and spotting statements copied from
the text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z0-9]+)*")
# every format character (Unicode category Cf; tests/test_hostile.py checks the class against
# unicodedata for every code point)
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
COPY_RUN = 12  # a statement may not share this many consecutive words with its source text


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def fold(text: str) -> str:
    """`text` as the copy check compares it: NFKC-normalised (full-width and ligature forms become
    plain letters) with format characters (zero-width spaces and joiners, bidi marks, soft
    hyphens) removed, so invisible or look-alike characters cannot hide a copied passage."""
    if text.isascii():
        return text
    return _FORMAT.sub("", unicodedata.normalize("NFKC", text))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).lower().replace("’", "'"))


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
        """Hash of every run of COPY_RUN words -> where it starts. Python's tuple hash: about as
        fast as hashing word ids with numpy, without importing numpy into the check."""
        return {h: i for i, h in enumerate(_run_hashes(self.tokens))}

    def copied_run(self, statement: str) -> str | None:
        """The first run of COPY_RUN words that `statement` shares with this text, if any."""
        tokens = words(statement)
        if len(tokens) < COPY_RUN:
            return None
        grams, mine = self.grams, self.tokens
        for i, h in enumerate(_run_hashes(tokens)):
            start = grams.get(h)
            if start is not None and mine[start : start + COPY_RUN] == tokens[i : i + COPY_RUN]:
                return " ".join(tokens[i : i + COPY_RUN])
        return None


def _run_hashes(tokens: list[str]) -> list[int]:
    """The hash of each run of COPY_RUN consecutive words (stable within one process, which is all
    the comparison needs: a hash match is confirmed word by word before it is reported)."""
    return [hash(tuple(tokens[i : i + COPY_RUN])) for i in range(len(tokens) - COPY_RUN + 1)]
