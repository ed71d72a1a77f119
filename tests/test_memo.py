"""Analyses kept between builds (kb.memo) and the units they are kept by (kb.portfolio.units): a
unit analysed alone gives what it gives among the rest, and after any one edit a memo filled
before it gives exactly what a fresh analysis gives, analysing again only the units the edit
reaches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from kb.db.aggregates import other_profiles
from kb.memo import DIGESTS, KEYS, SHOWN_ONLY, STALE_UP_TO, Memo, approved, dates, explained
from kb.pickled import kept as pickled_kept
from kb.portfolio import evidence, explain_all, gather, unit_ids, units
from kb.render.notes import robustness
from kb.store import KnowledgeBase, load
from kb.synth import synthesise
from kb.vocab import Bearing, Controlled, Status, Strength
from kb.weights import Weights, load_weights
from tests.conftest import REPO

DRAWS, SEED = 60, 3
NOTES = "notes"  # kept by Memo.by_analyses
_KB: dict[str, tuple[KnowledgeBase, Weights]] = {}


def _synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Weights]:
    if "kb" not in _KB:
        root = tmp_path_factory.mktemp("synth")
        synthesise(root, 80, seed=5)
        shutil.copy(REPO / "claims" / "weights.yaml", root / "claims" / "weights.yaml")
        kb, problems = load(root)
        assert problems == []
        _KB["kb"] = (kb, load_weights(root))
    return _KB["kb"]


def _everything(kb: KnowledgeBase, weights: Weights, memo: Memo | None) -> dict[str, Any]:
    explanations, others = explained(kb, weights, DRAWS, SEED, memo=memo)

    def note(h: str) -> str:
        return robustness(kb, explanations[h].summary, explanations[h])

    return {
        "explained": {h: e.to_json() for h, e in explanations.items()},
        "others": {p: [r.to_json() for r in rs] for p, rs in others.items()},
        "approved": {h: r.to_json() for h, r in approved(kb, weights, DRAWS, SEED, memo=memo).items()},
        "dates": {h: [p.to_json() for p in ps] for h, ps in dates(kb, weights, memo=memo).items()},
        # a value kept by the analyses' key (Memo.by_analyses) is what it would be made again
        "notes": memo.by_analyses(NOTES, memo.analyses(kb), note, "code")
        if memo is not None
        else {h: note(h) for h in sorted(kb.hypotheses)},
    }


def test_each_unit_analysed_alone_gives_what_it_gives_among_the_rest() -> None:
    """On the repository's knowledge base, whose questions and rivals join hypotheses into units."""
    kb, _ = load(REPO)
    weights = load_weights(REPO)
    hs = evidence(kb)
    joined = units(hs)
    assert sorted(h.id for unit in joined for h in unit) == sorted(kb.hypotheses)
    assert max(len(unit) for unit in joined) > 1  # a question or a rival joins some
    whole = gather(kb)
    together = {h: e.to_json() for h, e in explain_all(kb, weights, draws=DRAWS, seed=SEED, gathered=whole).items()}
    others = other_profiles(kb, weights, DRAWS, SEED, whole)
    for unit in joined:
        alone = gather(kb, hs=unit)
        assert {h: e.to_json() for h, e in explain_all(kb, weights, draws=DRAWS, seed=SEED, gathered=alone).items()} == {
            h.id: together[h.id] for h in unit
        }
        for profile, results in other_profiles(kb, weights, DRAWS, SEED, alone).items():
            assert [r.to_json() for r in results] == [r.to_json() for r in others[profile] if r.id in {h.id for h in unit}]


_REPO: list[KnowledgeBase] = []


@given(st.data())
@settings(max_examples=40, deadline=None)
def test_units_read_from_the_records_are_the_units_of_the_evidence(data: st.DataObject) -> None:
    """unit_ids (from the records, for the memo's keys) joins what units(evidence) joins, on the
    repository's knowledge base with generated rivals, questions, statuses and threatened
    hypotheses; and
    the evidence of some hypotheses alone is theirs among the rest."""
    if not _REPO:
        _REPO.append(load(REPO)[0])
    kb = _REPO[0]
    hids = sorted(kb.hypotheses)
    embodied = data.draw(st.dictionaries(st.sampled_from(sorted(kb.confounds)), st.sampled_from(hids), max_size=3))
    confounds = {cid: ct.model_copy(update={"embodies": embodied.get(cid)}) for cid, ct in kb.confounds.items()}
    claims = dict(kb.claims)
    statuses = data.draw(st.lists(st.sampled_from(list(Status)), min_size=len(claims), max_size=len(claims)))
    for cid, status in zip(sorted(claims), statuses, strict=True):
        c = claims[cid]
        update: dict[str, Any] = {"status": status}
        if c.confounds and data.draw(st.booleans()):
            e = c.confounds[0]
            threatens = data.draw(st.lists(st.sampled_from(hids), max_size=3, unique=True))
            update["confounds"] = [e.model_copy(update={"threatens": threatens}), *c.confounds[1:]]
        claims[cid] = c.model_copy(update=update)
    questions = {q: kb.questions[q] for q in data.draw(st.lists(st.sampled_from(sorted(kb.questions)), unique=True))}
    changed = dataclasses.replace(kb, claims=claims, confounds=confounds, questions=questions, cache={})
    every = evidence(changed)
    assert unit_ids(changed) == [[h.id for h in unit] for unit in units(every)]
    some = set(data.draw(st.lists(st.sampled_from(hids), unique=True)))
    assert evidence(changed, only=some) == [h for h in every if h.id in some]


def _edited(kb: KnowledgeBase, cid: str, edit: str, pick: int) -> KnowledgeBase:
    c = kb.claims[cid]
    links = list(c.links)
    change: dict[str, Any]
    if edit == "strength":
        strengths = [s for s in Strength if s is not links[0].strength]
        change = {"links": [links[0].model_copy(update={"strength": strengths[pick % len(strengths)]}), *links[1:]]}
    elif edit == "bearing":
        bearings = [b for b in Bearing if b is not links[0].bearing]
        change = {"links": [links[0].model_copy(update={"bearing": bearings[pick % len(bearings)]}), *links[1:]]}
    elif edit == "status":
        change = {"status": [Status.APPROVED, Status.RETRACTED, Status.DRAFT, Status.IN_REVIEW][pick % 4]}
    elif edit == "date":
        change = {"date": dt.date(2020 + pick % 6, 1 + pick % 12, 1)}
    elif edit == "controlled":
        confound = c.confounds[pick % len(c.confounds)]
        options = [x for x in Controlled if x is not confound.controlled and x is not Controlled.NOT_APPLICABLE]
        moved = confound.model_copy(update={"controlled": options[pick % len(options)]})
        change = {"confounds": [moved if e is confound else e for e in c.confounds]}
    elif edit == "restates":
        change = {"provenance": c.provenance.model_copy(update={"restates": sorted(kb.claims)[pick % len(kb.claims)]})}
    elif edit in SHOWN_ONLY:
        change = {edit: {"title": f"Retitled {pick}", "tags": [f"tag-{pick}"], "notes": f"note {pick}", "history": []}[edit]}
    else:  # another hypothesis
        hids = sorted(h for h in kb.hypotheses if h not in {link.hypothesis for link in links})
        change = {"links": [links[0].model_copy(update={"hypothesis": hids[pick % len(hids)]}), *links[1:]]}
    claims = dict(kb.claims)
    claims[cid] = c.model_copy(update=change)
    return dataclasses.replace(kb, claims=claims, cache={})


@given(
    st.integers(min_value=0, max_value=79),
    st.sampled_from(["strength", "bearing", "status", "date", "controlled", "restates", "hypothesis", *sorted(SHOWN_ONLY)]),
    st.integers(min_value=0, max_value=50),
)
@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # each example analyses thrice
def test_a_memo_filled_before_an_edit_gives_what_a_fresh_analysis_gives_after_it(
    tmp_path_factory: pytest.TempPathFactory, which: int, edit: str, pick: int
) -> None:
    kb, weights = _synthetic(tmp_path_factory)
    folder = tmp_path_factory.mktemp("memo")
    before = _everything(kb, weights, Memo(folder, weights, DRAWS, SEED))
    kept = {p.name for p in folder.iterdir()}
    cid = sorted(kb.claims)[which % len(kb.claims)]
    after = _edited(kb, cid, edit, pick)
    memo = Memo(folder, weights, DRAWS, SEED)
    assert _everything(after, weights, memo) == _everything(after, weights, None)
    # the units analysed again are at most those of the hypotheses the claim links, before and after
    reached = {link.hypothesis for c in (kb.claims[cid], after.claims[cid]) for link in c.links}
    computed = {p.name for p in folder.iterdir()} - kept
    assert len(computed) <= 3 * len(reached)  # three views
    if edit in SHOWN_ONLY:  # what no analysis reads: nothing analysed again
        assert computed == set() and not Memo(folder, weights, DRAWS, SEED).due(after)
    assert memo.used - computed, "nothing was read back"
    memo.prune(("explained", "approved", "dates"))
    assert {p.name for p in folder.iterdir()} == memo.used | {f"{NOTES}.pickle"}
    assert before != {} and len(kept) == 3 * len(units(evidence(kb))) + 1


def test_a_fresh_memo_reads_nothing_and_an_unreadable_file_is_computed_again(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kb, weights = _synthetic(tmp_path_factory)
    first = _everything(kb, weights, Memo(tmp_path, weights, DRAWS, SEED))
    for path in tmp_path.iterdir():
        path.write_bytes(b"not a pickle")
    assert _everything(kb, weights, Memo(tmp_path, weights, DRAWS, SEED)) == first
    fresh = Memo(tmp_path, weights, DRAWS, SEED, fresh=True)
    assert all(fresh.get(p.name) is None for p in tmp_path.iterdir())
    other_seed = Memo(tmp_path, weights, DRAWS, SEED + 1)  # another seed: other keys, nothing read back
    explanations, _ = explained(kb, weights, DRAWS, SEED + 1, memo=other_seed)
    assert {h: e.to_json() for h, e in explanations.items()} == {
        h: e.to_json() for h, e in explain_all(kb, weights, draws=DRAWS, seed=SEED + 1).items()
    }


@given(
    st.lists(st.text("abcdefgh", min_size=1, max_size=2), unique=True, min_size=1, max_size=12).flatmap(
        lambda hids: st.tuples(
            st.just(sorted(hids)),
            st.dictionaries(st.sampled_from(hids), st.sampled_from("xyz")),
            st.lists(st.tuples(st.sampled_from([*hids, "zz"]), st.sampled_from([*hids, "zz"])), max_size=15),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_units_are_the_connected_components_of_questions_and_rivals(case: tuple[list[str], dict[str, str], list[tuple[str, str]]]) -> None:
    """The units (kb.portfolio._joined, a union-find) are networkx's connected components of the
    graph that joins each hypothesis to the others answering its question and to its rivals (an
    unknown id joins nothing): each listed in id order, the units in order of their least id."""
    import networkx as nx

    from kb.portfolio import _joined

    hids, asked, rivals = case
    graph = nx.Graph()
    graph.add_nodes_from(hids)
    for a in hids:
        graph.add_edges_from((a, b) for b in hids if asked.get(a) is not None and asked.get(a) == asked.get(b))
    graph.add_edges_from((a, b) for a, b in rivals if a in graph and b in graph)
    expected = sorted(sorted(component) for component in nx.connected_components(graph))
    assert _joined(hids, {h: asked.get(h) for h in hids}, rivals) == expected


@given(st.data())
@settings(max_examples=10, deadline=None)
def test_no_analysis_reads_what_the_memo_leaves_out_of_its_keys(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """Every claim's title, tags, notes and history changed at once (generated text): every view's
    results are what they were, computed afresh."""
    kb, weights = _synthetic(tmp_path_factory)
    if "plain" not in _KB_RESULTS:
        _KB_RESULTS["plain"] = _everything(kb, weights, None)
    words = st.text("abcxyz \u00e9", min_size=1, max_size=12)
    claims = {}
    for cid, c in kb.claims.items():
        update = {"title": data.draw(words), "tags": data.draw(st.lists(words, max_size=2)), "notes": data.draw(words), "history": []}
        assert set(update) == SHOWN_ONLY  # every field the keys leave out is changed here
        claims[cid] = c.model_copy(update=update)
    assert _everything(dataclasses.replace(kb, claims=claims, cache={}), weights, None) == _KB_RESULTS["plain"]


_KB_RESULTS: dict[str, dict[str, Any]] = {}


def test_the_findings_digests_are_kept_by_file_and_a_retitled_file_is_not_due(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With the files' sha256 (as a build passes them): the first memo makes every finding's
    digest and keeps them; the next reads them back by file, makes only a changed file's, and a
    change to a shown-only field leaves nothing due; --force (fresh) always has work due."""
    kb, weights = _synthetic(tmp_path_factory)
    files = {kb.path_of("findings", cid): hashlib.sha256(cid.encode()).digest() for cid in kb.claims}
    first = Memo(tmp_path, weights, DRAWS, SEED, files=files)
    assert first.due(kb)
    _everything(kb, weights, first)
    assert (tmp_path / DIGESTS).is_file()
    again = Memo(tmp_path, weights, DRAWS, SEED, files=files)
    assert not again.due(kb) and again.findings is not None and again.findings.made == {}
    cid = sorted(kb.claims)[7]
    retitled = _edited(kb, cid, "title", 1)
    changed = {**files, kb.path_of("findings", cid): b"another file"}
    third = Memo(tmp_path, weights, DRAWS, SEED, files=changed)
    assert not third.due(retitled) and third.findings is not None and list(third.findings.made) == [b"another file"]
    restrengthened = _edited(kb, cid, "strength", 1)
    assert Memo(tmp_path, weights, DRAWS, SEED, files={**files, kb.path_of("findings", cid): b"a third"}).due(restrengthened)
    assert Memo(tmp_path, weights, DRAWS, SEED, files=files, fresh=True).due(kb)


def test_the_other_profiles_process_forks_only_once_ready_returns_and_not_at_all_with_nothing_due(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb.pipeline passes `ready` (wait for its other processes) so that at most two processes
    hold copies of the records: the other profiles, computed in a forked child, see it called."""
    from kb.db import aggregates

    kb, weights = _synthetic(tmp_path_factory)
    told: list[str] = []
    real = aggregates.other_profiles

    def checked(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if told != ["ready"]:
            raise AssertionError(f"the other profiles started before ready returned: {told}")
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregates, "other_profiles", checked)
    explanations, others = explained(
        kb, weights, DRAWS, SEED, memo=Memo(tmp_path, weights, DRAWS, SEED), ready=lambda: told.append("ready")
    )
    assert told == ["ready"] and others and explanations
    told.clear()
    again, _ = explained(kb, weights, DRAWS, SEED, memo=Memo(tmp_path, weights, DRAWS, SEED), ready=lambda: told.append("ready"))
    assert told == [] and {h: e.to_json() for h, e in again.items()} == {h: e.to_json() for h, e in explanations.items()}


def test_a_value_kept_by_the_analyses_key_is_made_again_only_where_they_changed_or_for_other_code(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kb, weights = _synthetic(tmp_path_factory)
    made: list[str] = []

    def make(h: str) -> str:
        made.append(h)
        return f"value of {h}"

    def kept_values(records: KnowledgeBase, code: str) -> dict[str, str]:  # as a build would, with its own memo
        memo = Memo(tmp_path, weights, DRAWS, SEED)
        return memo.by_analyses(NOTES, memo.analyses(records), make, code)

    first = kept_values(kb, "code")
    assert sorted(made) == sorted(first) == sorted(kb.hypotheses)
    made.clear()
    assert kept_values(kb, "code") == first and made == []
    cid = sorted(kb.claims)[0]
    after = _edited(kb, cid, "strength", 1)
    keys_before, keys_after = Memo(tmp_path, weights, DRAWS, SEED).analyses(kb), Memo(tmp_path, weights, DRAWS, SEED).analyses(after)
    kept_values(after, "code")
    assert made and sorted(made) == sorted(h for h in keys_after if keys_after[h] != keys_before[h])
    made.clear()
    kept_values(after, "other code")
    assert sorted(made) == sorted(kb.hypotheses)


def _files(kb: KnowledgeBase, changed: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Each finding file's sha256 as a build passes them (here: made up, one per id), by path."""
    files = {kb.path_of("findings", cid): hashlib.sha256(cid.encode()).digest() for cid in kb.claims}
    return {**files, **(changed or {})}


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=79),
            st.sampled_from(["strength", "bearing", "status", "date", "controlled", "restates", "hypothesis", *sorted(SHOWN_ONLY)]),
            st.integers(min_value=0, max_value=50),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["same", "other records", "other seed", "fresh"]),
)
@settings(max_examples=12, deadline=None)
def test_keys_taken_from_the_last_build_are_those_a_full_pass_makes(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, str, int]], setting: str
) -> None:
    """A build's memo keeps what its keys were made of (KEYS); the next one takes them from there
    when nothing they read changed. Whatever claims are edited (fields the analyses read, or only
    shown ones) and whatever else changed, every key it ends up with is the key a memo with
    nothing kept makes; it takes them whole exactly when every edit was to shown-only fields and
    nothing else changed; and what it reads back is what a fresh analysis gives."""
    kb, weights = _synthetic(tmp_path_factory)
    folder = tmp_path_factory.mktemp("memo")
    first = Memo(folder, weights, DRAWS, SEED, records="records", files=_files(kb))
    first.due(kb)
    assert (folder / KEYS).is_file()
    _everything(kb, weights, first)  # every unit's analyses kept
    after, changed = kb, {}
    for which, edit, pick in edits:
        cid = sorted(kb.claims)[which % len(kb.claims)]
        after = _edited(after, cid, edit, pick)
        changed[kb.path_of("findings", cid)] = hashlib.sha256(f"{cid} {edit} {pick}".encode()).digest()
    records, seed, fresh = ("other" if setting == "other records" else "records"), SEED + (setting == "other seed"), setting == "fresh"
    memo = Memo(folder, weights, DRAWS, seed, records=records, files=_files(kb, changed), fresh=fresh)
    due = memo.due(after)
    full = Memo(tmp_path_factory.mktemp("empty"), weights, DRAWS, seed, records=records, files=_files(kb, changed))
    assert memo.analyses(after) == full.analyses(after)
    taken = memo.findings is not None and len(memo.findings) == 0  # no finding's part made: the keys were taken whole
    assert taken == (setting == "same" and all(edit in SHOWN_ONLY for _, edit, _ in edits))
    if taken:
        assert not due
        assert _everything(after, weights, memo) == _everything(after, weights, None)


def test_keys_are_taken_only_for_the_same_finding_files_and_written_anew_after_many_changes(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A finding file added, removed or moved (its content the same) makes every key again; after
    more than STALE_UP_TO retitled files, KEYS is written anew with their sha256, so the next
    build has none to digest again."""
    kb, weights = _synthetic(tmp_path_factory)
    Memo(tmp_path, weights, DRAWS, SEED, records="r", files=_files(kb)).due(kb)

    def parts_made(records: KnowledgeBase, files: dict[str, bytes]) -> int:  # 0: every key taken from KEYS
        memo = Memo(tmp_path, weights, DRAWS, SEED, records="r", files=files)
        memo.due(records)
        assert memo.findings is not None and memo.analyses(records) == Memo(
            tmp_path / "none", weights, DRAWS, SEED, records="r", files=files
        ).analyses(records)
        return len(memo.findings)

    assert parts_made(kb, _files(kb)) == 0
    cid = sorted(kb.claims)[3]
    fewer = dataclasses.replace(kb, claims={c: v for c, v in kb.claims.items() if c != cid}, cache={})
    assert parts_made(fewer, {p: d for p, d in _files(kb).items() if p != kb.path_of("findings", cid)}) > 0
    moved = dataclasses.replace(kb, paths={**kb.paths, ("findings", cid): kb.root / "claims" / "findings" / "moved.yaml"}, cache={})
    assert parts_made(moved, _files(moved)) > 0
    assert parts_made(kb, _files(kb)) > 0  # KEYS was of `moved`: made again for these files
    assert parts_made(kb, _files(kb)) == 0
    retitled, changed = kb, {}
    for n, cid in enumerate(sorted(kb.claims)[: STALE_UP_TO + 1]):
        retitled = _edited(retitled, cid, "title", n)
        changed[kb.path_of("findings", cid)] = hashlib.sha256(f"retitled {cid}".encode()).digest()
    before = pickled_kept(tmp_path / KEYS)
    assert parts_made(retitled, _files(kb, changed)) == 0
    after = pickled_kept(tmp_path / KEYS)
    assert after[3:] == before[3:] and after[2] != before[2]
    assert {path: sha for path, (sha, _) in after[2].items()} == _files(kb, changed)
