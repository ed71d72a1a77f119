"""The copy check's words and the quote check's whitespace, made without regular expressions on
the common path, equal the regular expressions' own results on any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kb.texts import fold, normalise, words

WORD = re.compile(r"[a-z0-9]+(?:['’][a-z0-9]+)*")
WHITESPACE = re.compile(r"\s+")

# texts made mostly of what matters here: letters, digits, both apostrophes, punctuation and
# every kind of whitespace, with any other character now and then
pieces = st.sampled_from(["a", "Z", "0", "'", "’", "-", ".", " ", "\t", "\n", "\x1c", "\u00a0", "\u2028", "é", "ﬁ", "\u200b"])
texts = st.lists(st.one_of(pieces, pieces, pieces, st.characters()), max_size=60).map("".join)


@given(texts)
def test_words_are_the_regex_words(text: str) -> None:
    assert words(text) == WORD.findall(fold(text).lower().replace("’", "'"))


@given(texts)
def test_normalise_is_the_regex_whitespace(text: str) -> None:
    assert normalise(text) == WHITESPACE.sub(" ", text).strip()


def test_words_examples() -> None:
    assert words("Don't STOP--it’s 'quoted' rock'n'roll 3.5x ''") == ["don't", "stop", "it's", "quoted", "rock'n'roll", "3", "5x"]
