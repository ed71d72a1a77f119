"""Archived source texts: reading lines, verifying quotes, and spotting statements copied from
the text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z0-9]+)*")
# ASCII text split into words without the regex: every character but a-z, 0-9 and the apostrophe
# becomes a space (the same words as _WORD finds; tests/test_texts.py checks it on any text)
_NOT_IN_WORDS = str.maketrans({chr(i): " " for i in range(128) if not (chr(i) in "'0123456789" or "a" <= chr(i) <= "z")})
# every format character (Unicode category Cf; tests/test_hostile.py checks the class against
# unicodedata for every code point)
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
COPY_RUN = 12  # a statement may not share this many consecutive words with its source text


def normalise(text: str) -> str:
    """`text` with each run of whitespace made one space, and none at either end."""
    return " ".join(text.split())  # str.split's whitespace is exactly the regex's \s


def fold(text: str) -> str:
    """`text` as the copy check compares it: NFKC-normalised (full-width and ligature forms become
    plain letters) with format characters (zero-width spaces and joiners, bidi marks, soft
    hyphens) removed, so invisible or look-alike characters cannot hide a copied passage."""
    if text.isascii():
        return text
    return _FORMAT.sub("", unicodedata.normalize("NFKC", text))


def words(text: str) -> list[str]:
    """The words the copy check compares: runs of letters a-z and digits, joined by apostrophes."""
    folded = fold(text).lower().replace("’", "'")
    if not folded.isascii():
        return _WORD.findall(folded)
    # the text's runs of a-z, 0-9 and apostrophes; _WORD matches within a run only, and a run
    # without an apostrophe is one word (the regex over a whole text: 1.5 times as long)
    runs = folded.translate(_NOT_IN_WORDS).split()
    if "'" not in folded:
        return runs
    return [w for run in runs for w in (_WORD.findall(run) if "'" in run else (run,))]


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

    def forget_words(self) -> None:
        """Drop the word list (it is large; the check reads it once per text and moves on)."""
        self.__dict__.pop("tokens", None)

    def copied_run(self, statement: str) -> str | None:
        """The first run of COPY_RUN words that `statement` shares with this text, if any."""
        return self.copied_runs([statement])[0]

    def copied_runs(self, statements: Sequence[str]) -> list[str | None]:
        """For each statement, its first run of COPY_RUN words that this text also has (None if
        none). The statements' runs are indexed and the text is read once; only runs whose every
        word the text has are indexed (a paraphrase has few or none), and a position of the text
        is compared only where its first and last words begin and end some run."""
        mine = self.tokens
        vocabulary = set(mine)
        wanted: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        for k, statement in enumerate(statements):
            tokens = words(statement)
            start = 0  # where the current stretch of words the text has began
            for i, token in enumerate(tokens):
                if token not in vocabulary:
                    start = i + 1
                elif i - start >= COPY_RUN - 1:
                    wanted.setdefault(tuple(tokens[i - COPY_RUN + 1 : i + 1]), []).append((k, i - COPY_RUN + 1))
        first: dict[int, tuple[int, tuple[str, ...]]] = {}  # statement -> (position in it, run)
        if wanted:
            firsts, lasts = {g[0] for g in wanted}, {g[-1] for g in wanted}
            for i, (head, tail) in enumerate(zip(mine, mine[COPY_RUN - 1 :], strict=False)):
                if head in firsts and tail in lasts:
                    run = tuple(mine[i : i + COPY_RUN])
                    for k, at in wanted.get(run, ()):
                        if k not in first or at < first[k][0]:
                            first[k] = (at, run)
        return [" ".join(first[k][1]) if k in first else None for k in range(len(statements))]
