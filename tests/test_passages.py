"""Quote matching for highlighted passages: plain string searches that must agree with the
regular expression they replaced (words separated by any run of whitespace)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.render.passages import find_quote

alphabet = st.sampled_from(list("ab \n\t.-"))
texts = st.text(alphabet, max_size=40)


def by_regex(haystack: str, quote: str, start: int = 0) -> tuple[int, int] | None:
    words = quote.split()
    if not words:
        return None
    found = re.compile(r"\s+".join(re.escape(w) for w in words)).search(haystack, start)
    return found.span() if found else None


@settings(max_examples=400, deadline=None)
@given(texts, texts, st.integers(0, 40))
def test_find_quote_agrees_with_the_regular_expression(haystack: str, quote: str, start: int) -> None:
    assert find_quote(haystack, quote, start) == by_regex(haystack, quote, start)


def test_find_quote_matches_across_line_breaks() -> None:
    assert find_quote("x the quick\n  brown fox", "quick brown") == (6, 19)
    assert find_quote("quickbrown", "quick brown") is None
