"""Turning a file into an archived text: plain text and Markdown as they are, HTML reduced to its
main text (trafilatura), PDF to its text layer (pypdf). The result is UTF-8 with LF line breaks
and one final newline, so its line numbers and sha256 are stable."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from kb.errors import InvalidInput

PLAIN_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Converted:
    text: str
    conversion: str  # how: "as is", "html->text (trafilatura 2.3.1)", …
    original_sha256: str


def kind_of(path: Path, data: bytes) -> str:
    """'pdf', 'html' or 'text': by the file's ending, else by its first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PLAIN_SUFFIXES:
        return "text"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def convert(path: Path) -> Converted:
    """The archived text made from the file at `path`; InvalidInput (one line, naming the file)
    when there is no text to archive."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: file: cannot read: {exc.strerror}; nothing written") from None
    original = hashlib.sha256(data).hexdigest()
    kind = kind_of(path, data)
    if kind == "pdf":
        text, how = _pdf(path, data), f"pdf->text (pypdf {version('pypdf')})"
    elif kind == "html":
        text, how = _html(path, data), f"html->text (trafilatura {version('trafilatura')})"
    else:  # plain text and Markdown as they are, but for LF line breaks and a final newline
        text = _line_breaks(_decode(path, data))
        how = "as is" if text.encode("utf-8") == data else "text (line breaks normalised to LF)"
    if kind != "text":
        text = _tidy(text)
    if not text.strip():
        what = "no text layer (a scanned or image-only PDF? run OCR first)" if kind == "pdf" else "no text"
        raise InvalidInput(f"{path}: file: {what}; nothing written")
    return Converted(text, how, original)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: file: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first; nothing written") from None


def _line_breaks(text: str) -> str:
    """LF line breaks and exactly one final newline (none for an empty text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def _tidy(text: str) -> str:
    """A converted text's stable form: composed Unicode, no form feeds or trailing blanks, at most
    one empty line in a row, LF line breaks."""
    text = unicodedata.normalize("NFC", text.replace("\x0c", "\n").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n"))
    return _line_breaks(_BLANK_RUNS.sub("\n\n", _TRAILING.sub("", text)))


def _pdf(path: Path, data: bytes) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"{path}: file: not a readable PDF ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); nothing written"
        ) from None


def _html(path: Path, data: bytes) -> str:
    import trafilatura

    text = trafilatura.extract(data, include_comments=False, include_tables=True, favor_precision=False)
    if not text:
        raise InvalidInput(f"{path}: file: no main text found in the HTML; nothing written")
    return str(text)
