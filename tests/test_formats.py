"""The streaming writers give the very text of the in-memory formats the CLI prints: the site's
downloads are written record by record with them, and must stay byte-equal to the CLI's output."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kb.formats import JsonListOut, csv_text, json_list, json_text, write_csv

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
SCALAR = st.none() | st.booleans() | st.integers() | TEXT
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
COLUMNS = ["id", "title", "links", "note"]
RECORD = st.fixed_dictionaries(dict.fromkeys(COLUMNS, VALUE))


@given(st.lists(RECORD, max_size=6))
def test_csv_written_row_by_row_is_csv_text(records: list[dict[str, Any]]) -> None:
    given_columns, first_keys = io.StringIO(), io.StringIO()
    write_csv(given_columns, iter(records), COLUMNS)
    write_csv(first_keys, iter(records))  # the columns: the first record's keys
    assert given_columns.getvalue() == csv_text(records, COLUMNS)
    assert first_keys.getvalue() == csv_text(records, list(records[0]) if records else [])


@given(st.lists(VALUE, max_size=6))
def test_a_json_list_written_record_by_record_is_json_list(values: list[Any]) -> None:
    records = [json_text(v) for v in values]
    out = io.StringIO()
    listed = JsonListOut(out)
    for record in records:
        listed.add(record)
    listed.close()
    assert out.getvalue() == json_list(records)
