"""Each finding's rows in the data files, kept between builds (kb.render.rows): whatever changed
since the last build, the rows given are those made afresh, and only the changed findings' are
made again."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.render.rows import KeptRows, parts
from kb.store import KnowledgeBase, load
from kb.synth import synthesise

_KB: list[KnowledgeBase] = []


def _kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    if not _KB:
        root = tmp_path_factory.mktemp("synth")
        synthesise(root, 40, seed=2)
        kb, problems = load(root)
        assert problems == []
        _KB.append(kb)
    return _KB[0]


def _digests(kb: KnowledgeBase) -> dict[str, bytes]:
    """A digest per finding file standing for its bytes (its record's repr, here)."""
    return {kb.path_of("findings", cid): hashlib.sha256(repr(c).encode()).digest() for cid, c in kb.claims.items()}


@given(
    st.lists(st.integers(min_value=0, max_value=39), unique=True, max_size=6),
    st.lists(st.integers(min_value=0, max_value=39), unique=True, max_size=3),
    st.text(min_size=1, max_size=20),
)
@settings(max_examples=25, deadline=None)
def test_kept_rows_equal_fresh_rows_after_any_edits_and_only_edited_findings_are_made_again(
    tmp_path_factory: pytest.TempPathFactory, edited: list[int], removed: list[int], title: str
) -> None:
    kb = _kb(tmp_path_factory)
    build = tmp_path_factory.mktemp("build")
    first = KeptRows(build, "salt", _digests(kb))
    assert list(first.parts(kb)) == [(cid, parts(kb, cid)) for cid in sorted(kb.claims)]
    assert first.made == len(kb.claims)

    ids = sorted(kb.claims)
    claims = {cid: c for n, cid in enumerate(ids) if n not in removed for c in [kb.claims[cid]]}
    for n in edited:
        if ids[n] in claims:
            claims[ids[n]] = claims[ids[n]].model_copy(update={"title": f"{title} {n}"})
    after = dataclasses.replace(kb, claims=claims, cache={})
    again = KeptRows(build, "salt", _digests(after))
    assert list(again.parts(after)) == [(cid, parts(after, cid)) for cid in sorted(after.claims)]
    assert again.made == len([n for n in edited if ids[n] in claims])


def test_unreadable_or_other_code_s_rows_are_made_again(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    kb = _kb(tmp_path_factory)
    files = _digests(kb)
    assert not KeptRows(tmp_path, "salt", files).kept()  # none yet
    list(KeptRows(tmp_path, "salt", files).parts(kb))
    assert KeptRows(tmp_path, "salt", files).kept()
    for salt, fresh in (("salt", True), ("other code", False)):
        rows = KeptRows(tmp_path, salt, files, fresh=fresh)
        assert not rows.kept()
        assert list(rows.parts(kb)) == [(cid, parts(kb, cid)) for cid in sorted(kb.claims)]
        assert rows.made == len(kb.claims)
    cache = next(tmp_path.rglob("rows.pickle"))
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])  # cut short
    rows = KeptRows(tmp_path, "other code", files)
    assert list(rows.parts(kb)) == [(cid, parts(kb, cid)) for cid in sorted(kb.claims)]
    assert 0 < rows.made <= len(kb.claims)
    again = KeptRows(tmp_path, "other code", files)
    list(again.parts(kb))
    assert again.made == 0
