"""Finding the passage to cite: lines of the archived texts that match a pattern, each with a
quote (at most QUOTE_MAX characters, verbatim after whitespace normalisation) that `kb claim add`
accepts at that line."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.archive import archived_path
from kb.errors import InvalidInput, NotFound
from kb.models import QUOTE_MAX
from kb.paths import CLAIMS_DIR
from kb.store import load
from kb.texts import ArchivedText, normalise


@dataclass(frozen=True)
class Hit:
    text: str
    line: int
    quote: str
    truncated: bool  # the quote is a window of a longer line

    @property
    def locator(self) -> str:
        """The flags to paste into `kb claim add`."""
        return f"--text {self.text} --lines {self.line} --quote {shlex.quote(self.quote)}"


def quote_around(line: str, pattern: re.Pattern[str], limit: int = QUOTE_MAX) -> tuple[str, bool] | None:
    """The line, whitespace-normalised, cut to at most `limit` characters around the first match
    of `pattern` at word boundaries; None when the line is blank or (once normalised) does not match."""
    flat = normalise(line)
    match = pattern.search(flat)
    if not flat or match is None:
        return None
    if len(flat) <= limit:
        return flat, False
    start, end = match.start(), min(match.end(), match.start() + limit)
    left = max(0, start - (limit - (end - start)) // 2)
    right = min(len(flat), left + limit)
    left = max(0, right - limit)
    if left > 0 and flat[left - 1] != " ":  # do not start in the middle of a word
        space = flat.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(flat) and flat[right] != " ":  # nor end in one
        space = flat.rfind(" ", end, right)
        right = space if space >= 0 else right
    quote = flat[left:right].strip()
    return (quote, True) if quote else None


def archived_texts(root: Path, ids: Iterable[str] | None = None) -> Iterator[tuple[str, ArchivedText]]:
    """The archived texts named by `ids` (every one when None), read only from inside claims/."""
    kb, _ = load(root, verify=False, folders=("texts",))
    for tid in sorted(kb.texts) if ids is None else list(ids):
        if tid not in kb.texts:
            raise NotFound("text", tid)
        path = archived_path(root, kb.texts[tid].path)
        if path is None:
            raise InvalidInput(f"{kb.path_of('texts', tid)}: path: '{kb.texts[tid].path}' is not a file under {CLAIMS_DIR}/ (id {tid})")
        yield tid, ArchivedText.read(path)


def grep(root: Path, pattern: re.Pattern[str], ids: Iterable[str] | None = None) -> Iterator[Hit]:
    """Every line of the chosen archived texts that matches `pattern` (after whitespace
    normalisation, as quotes are compared), with a quote to cite it by."""
    for tid, archived in archived_texts(root, ids):
        for number, line in enumerate(archived.lines[: archived.line_count], 1):
            found = quote_around(line, pattern)
            if found is not None:
                yield Hit(tid, number, *found)
