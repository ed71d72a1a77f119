"""Quoted passages in context: a few lines around a locator from the archived text, the quote
marked; and the archived text itself as one block with an anchor per line (`id="L123"`)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from kb.texts import ArchivedText

CONTEXT = 2  # lines shown before and after a locator's range


@dataclass(frozen=True)
class Line:
    number: int
    html: Markup  # escaped text, with <mark> around the quoted part
    in_range: bool


def find_quote(haystack: str, quote: str, start: int = 0) -> tuple[int, int] | None:
    """Span of the first match of `quote` in `haystack` at or after `start`, its words separated by
    any run of whitespace (line breaks included), as `kb check` compares them. Plain string
    searches: compiling a regular expression per quote cost a second at 10k findings."""
    words = quote.split()
    if not words:
        return None
    at = haystack.find(words[0], start)
    while at >= 0:
        end = at + len(words[0])
        for word in words[1:]:
            gap = end
            while gap < len(haystack) and haystack[gap].isspace():
                gap += 1
            if gap == end or not haystack.startswith(word, gap):
                break
            end = gap + len(word)
        else:
            return at, end
        at = haystack.find(words[0], at + 1)
    return None


def context(text: ArchivedText, start: int, end: int, quote: str, around: int = CONTEXT) -> list[Line]:
    """Lines start-around .. end+around, HTML-escaped, with the quote (matched across whitespace
    and line breaks, as `kb check` compares it) wrapped in <mark>."""
    first, last = max(1, start - around), min(text.line_count, end + around)
    numbers = list(range(first, last + 1))
    raw = [text.lines[n - 1] for n in numbers]
    offsets, pos = [], 0
    for line in raw:
        offsets.append(pos)
        pos += len(line) + 1
    joined = "\n".join(raw)
    region_start = offsets[start - first] if start >= first else 0
    marked = find_quote(joined, quote, region_start) or find_quote(joined, quote) or (0, 0)
    out = []
    for n, line, off in zip(numbers, raw, offsets, strict=True):
        a, b = max(marked[0] - off, 0), min(marked[1] - off, len(line))
        if a < b:
            html = escape(line[:a]) + "<mark>" + escape(line[a:b]) + "</mark>" + escape(line[b:])
        else:
            html = escape(line)
        out.append(Line(n, Markup(html), start <= n <= end))  # noqa: S704 - built from escaped parts above
    return out


def numbered_block(text: ArchivedText) -> str:
    """The whole text as one <pre>, each line a span with id L<n> and a self-link; built as one
    string join so a 2,000-line transcript costs milliseconds."""
    parts = ['<pre class="kb-text">']
    for n, line in enumerate(text.lines[: text.line_count], start=1):
        parts.append(f'<span class="kb-line" id="L{n}"><a class="kb-ln" href="#L{n}" aria-label="line {n}">{n}</a>{escape(line)}\n</span>')
    parts.append("</pre>")
    return "".join(parts)
