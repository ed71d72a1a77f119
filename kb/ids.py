"""Ids and names from the command line or a file, validated before anything touches the
filesystem: an id is a name (a slug), never a path or a glob."""

from __future__ import annotations

import re
import unicodedata

from kb.errors import InvalidInput
from kb.escape import shown

__all__ = ["check_id", "check_name", "shown"]

SLUG = re.compile(r"[a-z0-9][a-z0-9.-]{0,119}")  # the pattern of kb.models.Slug
NAME_MAX = 100


def check_id(value: str, noun: str = "claim", where: str = "the command line") -> str:
    """`value` if it is a valid id (lower-case letters, digits, '.' and '-', starting with a letter
    or digit, at most 120 characters, not '..' in any form); else InvalidInput naming it."""
    if not isinstance(value, str) or not SLUG.fullmatch(value) or ".." in value:
        raise InvalidInput(
            f"{where}: id: '{shown(value)}' is not a valid {noun} id (lower-case letters, digits, '.' and '-', "
            "starting with a letter or digit)"
        )
    return value


def check_name(value: str, field: str = "reviewer", where: str = "the command line") -> str:
    """A person's name for reviews and history: non-empty, one line, printable, at most 100
    characters; surrounding spaces are dropped."""
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidInput(f"{where}: {field}: a {field} name is required (give --{field} or set KB_REVIEWER)")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"{where}: {field}: '{shown(name)}' is longer than {NAME_MAX} characters")
    if any(not ch.isprintable() or unicodedata.category(ch) in ("Cf", "Zl", "Zp") for ch in name):
        raise InvalidInput(f"{where}: {field}: '{shown(name)}' must be one line of printable characters")
    return name
