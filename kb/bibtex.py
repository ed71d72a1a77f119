"""BibTeX for the works (`kb source list -f bibtex`, downloads/sources.bib): one entry per source,
keyed by its id, with what the record gives (no invented fields)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

ENTRY_TYPES = {"paper": "article", "preprint": "misc", "model-card": "techreport", "report": "techreport", "unpublished": "unpublished"}
_SPECIAL = re.compile(r"([&%$#_{}~^\\])")


def _escape(text: str) -> str:
    """Protect BibTeX's special characters; braces keep the capitalisation as written."""
    return _SPECIAL.sub(
        lambda m: {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}.get(m[1], "\\" + m[1]), text
    )


def entry(source: Mapping[str, Any]) -> str:
    """One BibTeX entry for a source in its public JSON shape."""
    fields: list[tuple[str, str]] = [("title", "{" + _escape(source["title"]) + "}")]
    if source.get("authors"):
        fields.append(("author", " and ".join(_escape(a) for a in source["authors"])))
    date = source.get("date")
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        day = dt.date.fromisoformat(date)
        fields += [("year", str(day.year)), ("month", str(day.month)), ("date", date)]
    elif isinstance(date, str) and re.fullmatch(r"\d{4}", date):
        fields.append(("year", date))
    ids = source.get("identifiers") or {}
    if ids.get("doi"):
        fields.append(("doi", _escape(ids["doi"])))
    if ids.get("arxiv"):
        fields += [("eprint", _escape(ids["arxiv"])), ("archiveprefix", "arXiv")]
    if ids.get("url"):
        fields.append(("url", ids["url"].replace("%", r"\%").replace("#", r"\#")))
    fields.append(("note", "{" + _escape(f"{source['type']}; kb source id {source['id']}") + "}"))
    kind = ENTRY_TYPES.get(source["type"], "misc")
    body = ",\n".join(f"  {name} = {{{value}}}" if not value.startswith("{") else f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{source['id']},\n{body}\n}}\n"


def bibliography(sources: Iterable[Mapping[str, Any]]) -> str:
    return "\n".join(entry(s) for s in sources)
