"""Domain exceptions. Each message is one line naming the file, field and id; the CLI edge prints
it as `Error: …` on stderr and exits 1."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the knowledge base, printed as `path:line: field: message`."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path  # line 0: input not from a file
        return f"{where}: {self.field}: {self.message}"


class KbError(Exception):
    """Base class of every error a user can cause; never shown with a traceback."""


class InvalidKnowledgeBase(KbError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotFound(KbError):
    """An unknown id; with the known ids, the closest ones are suggested ("did you mean …?")."""

    def __init__(self, noun: str, id: str, known: Iterable[str] = ()) -> None:
        import difflib

        self.noun, self.id = noun, id
        close = difflib.get_close_matches(id, list(known), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"no {noun} with id '{id}'{hint}")


class AlreadyExists(KbError):
    def __init__(self, path: str, id: str) -> None:
        super().__init__(f"{path}: id: a record with id '{id}' already exists; choose another id")


class InvalidInput(KbError):
    """Bad input from the command line or an input file."""


class DatabaseUnreadable(KbError):
    """The database could not be read even after rebuilding it from claims/."""


class WriteFailed(KbError):
    """A write could not complete; every file is left as it was."""
