"""Sources (works and documents): when two records are the same work (same DOI, arXiv id or
title), adding one, and importing a BibTeX file as a reference manager exports it (parsed by
bibtexparser)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import InvalidInput, InvalidKnowledgeBase, KbError
from kb.models import Source
from kb.paths import CLAIMS_DIR
from kb.records import add_record, load_for, parse_input
from kb.store import KnowledgeBase, record_path
from kb.vocab import SourceType

_NOT_SLUG = re.compile(r"[^a-z0-9.]+")
_ARXIV = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.IGNORECASE)
_PUNCT = re.compile(r"[\W_]+")

ENTRY_TYPES: dict[str, SourceType] = {
    "article": SourceType.PAPER,
    "inproceedings": SourceType.PAPER,
    "conference": SourceType.PAPER,
    "incollection": SourceType.PAPER,
    "book": SourceType.PAPER,
    "inbook": SourceType.PAPER,
    "phdthesis": SourceType.PAPER,
    "mastersthesis": SourceType.PAPER,
    "techreport": SourceType.REPORT,
    "report": SourceType.REPORT,
    "unpublished": SourceType.UNPUBLISHED,
    "online": SourceType.WEB_PAGE,
    "electronic": SourceType.WEB_PAGE,
}
"""BibTeX entry types as source types; any other (misc, …) is a preprint with an arXiv id, else a web page."""

MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def doi_key(doi: str | None) -> str | None:
    if not doi:
        return None
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip().lower())


def arxiv_key(arxiv: str | None) -> str | None:
    """An arXiv id without 'arXiv:' or its version, so 2401.00001v2 and arXiv:2401.00001 match."""
    if not arxiv:
        return None
    m = _ARXIV.search(arxiv)
    return m.group(1).lower() if m else arxiv.strip().lower()


def title_key(title: str) -> str:
    return _PUNCT.sub(" ", title.casefold()).strip()


def same_work(kb: KnowledgeBase, source: Source) -> tuple[str, str] | None:
    """The existing source that is the same work as `source`, and why (field and value), if any."""
    ids = source.identifiers
    for other in kb.sources.values():
        theirs = other.identifiers
        if doi_key(ids.doi) and doi_key(ids.doi) == doi_key(theirs.doi):
            return other.id, f"identifiers.doi: same DOI {ids.doi}"
        if arxiv_key(ids.arxiv) and arxiv_key(ids.arxiv) == arxiv_key(theirs.arxiv):
            return other.id, f"identifiers.arxiv: same arXiv id {ids.arxiv}"
        if title_key(source.title) == title_key(other.title):
            return other.id, "title: same title"
    return None


class SameWork(InvalidInput):
    def __init__(self, source: Source, other: str, why: str) -> None:
        self.other = other
        field_, _, reason = why.partition(": ")
        super().__init__(f"{CLAIMS_DIR}/sources/{source.id}.yaml: {field_}: {reason} as source '{other}' (id {source.id}); nothing written")


def add_source(root: Path, source: Source, kb: KnowledgeBase | None = None) -> Path:
    """Add a source unless its id is taken or it is a work the knowledge base already holds."""
    kb = kb or load_for(root, "sources")
    found = same_work(kb, source) if source.id not in kb.sources else None  # a taken id is refused as such below
    if found is not None:
        raise SameWork(source, *found)
    return add_record(root, source, kb)


# --- BibTeX -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    added: list[tuple[str, str]] = field(default_factory=list)  # (citation key, new source id)
    existing: list[tuple[str, str, str]] = field(default_factory=list)  # (key, existing id, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (key, why)


def slug(key: str) -> str:
    """A source id from a citation key: lower case, runs of other characters as one hyphen."""
    return _NOT_SLUG.sub("-", key.lower()).strip("-.") or "source"


def _date(fields: dict[str, str]) -> str | None:
    year = fields.get("year", "").strip()
    if not re.fullmatch(r"\d{4}", year):
        return fields.get("date", "").strip() or year or None
    month = fields.get("month", "").strip().lower()[:3]
    number = MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    if number is None:
        return year
    day = fields.get("day", "").strip()
    return f"{year}-{number:02d}-{int(day):02d}" if day.isdigit() else f"{year}-{number:02d}"


def _author(name: str) -> str:
    """'Last, First' as 'First Last'; other forms as written."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and "," not in first else name.strip()


def entry_data(key: str, entry_type: str, fields: dict[str, str]) -> dict[str, Any]:
    """The Source fields of one BibTeX entry."""
    arxiv = None
    if fields.get("archiveprefix", "").lower() == "arxiv" or fields.get("eprinttype", "").lower() == "arxiv":
        arxiv = fields.get("eprint")
    elif "arxiv" in fields.get("journal", "").lower():
        arxiv = arxiv_key(fields["journal"])
    source_type = ENTRY_TYPES.get(entry_type.lower(), SourceType.PREPRINT if arxiv else SourceType.WEB_PAGE)
    if arxiv and source_type is SourceType.PAPER and not fields.get("doi"):
        source_type = SourceType.PREPRINT
    authors = re.split(r"\s+and\s+", fields["author"]) if fields.get("author") else []
    data: dict[str, Any] = {
        "id": slug(key),
        "authors": [_author(a) for a in authors if a.strip()],
        "type": source_type.value,
        "identifiers": {k: v for k, v in (("arxiv", arxiv), ("doi", fields.get("doi")), ("url", fields.get("url"))) if v},
        "notes": f"Imported from BibTeX entry '{key}' (@{entry_type.lower()}).",
    }
    if fields.get("title", "").strip():
        data["title"] = " ".join(fields["title"].split())
    date = _date(fields)
    if date:
        data["date"] = date
    return data


def parse_bibtex(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(citation key, entry type, fields with lower-case names, LaTeX decoded) per entry; a block
    bibtexparser cannot parse refuses the whole file (InvalidInput naming its line)."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    # bibtexparser logs each failed block on its own; the refusal below says it in one line
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: file: cannot read as UTF-8 text: {getattr(exc, 'strerror', None) or exc}; nothing imported") from None
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    for block in library.failed_blocks:
        if not isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            first = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else "?"
            reason = " ".join(str(getattr(block.error, "abort_reason", "") or block.error).split())
            raise InvalidInput(f"{path}:{(block.start_line or 0) + 1}: (bibtex): malformed entry '{first}': {reason}; nothing imported")
    entries = [(e.key, e.entry_type, {f.key.lower(): str(f.value) for f in e.fields}) for e in library.entries]
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            entries.append((str(getattr(block, "key", "?")), "", {}))  # refused below: the type is empty
    if not entries:
        raise InvalidInput(f"{path}: (bibtex): no BibTeX entries found; nothing imported")
    return entries


def import_bibtex(root: Path, path: Path) -> ImportReport:
    """Add a source for each entry of the BibTeX file at `path`, except those the knowledge base
    already holds (same DOI, arXiv id or title) and those that cannot be a valid source."""
    entries = parse_bibtex(path)
    kb = load_for(root, "sources")
    report = ImportReport()
    for key, entry_type, fields in entries:
        if not entry_type:
            report.refused.append((key, "the key or a field appears twice in the file"))
            continue
        try:
            source = parse_input(Source, entry_data(key, entry_type, fields), f"{path} entry '{key}'")
        except InvalidKnowledgeBase as exc:
            report.refused.append((key, "; ".join(f"{p.field}: {p.message}" for p in exc.problems)))
            continue
        found = same_work(kb, source)
        if found is not None:
            report.existing.append((key, found[0], found[1]))
            continue
        try:
            add_source(root, source, kb)
        except KbError as exc:
            report.refused.append((key, str(exc)))
            continue
        kb.sources[source.id] = source  # later entries are checked against this one too
        kb.paths[("sources", source.id)] = record_path(root, "sources", source.id)
        report.added.append((key, source.id))
    return report
