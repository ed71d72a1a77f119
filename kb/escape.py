"""Data shown where it could be mistaken for instructions: in a terminal (control characters such
as ESC, BEL and bidi overrides) and in a spreadsheet (cells that start a formula)."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def visible(text: str, keep: str = "") -> str:
    """`text` with every non-printable character (C0/C1 controls, format characters such as bidi
    overrides and zero-width spaces, line separators) shown as its escape (`\\x1b`, `\\u202e`),
    except those in `keep` (e.g. newlines in a table cell)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else ascii(ch)[1:-1] for ch in text)


def shown(value: str, limit: int = 80) -> str:
    """`value` as it may be printed in a one-line message: visible() and cut to `limit` characters."""
    text = visible(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ tab or CR gets a
    leading apostrophe, as OWASP recommends (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
