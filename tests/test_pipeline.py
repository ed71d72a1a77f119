"""The build pipeline (kb.pipeline): the plain project built by both engines, parts skipped when
their inputs' content hashes did not change, credence history cached per commit."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from kb import history, memo, pipeline
from kb.render.changes import _stem, changes
from kb.render.staging import TRASH
from kb.store import load_valid
from tests.conftest import EXAMPLE, REPO

DRAWS = "50"


def _pages(root: Path) -> list[str]:
    kb = load_valid(root)
    folders = {
        "hypotheses": kb.hypotheses,
        "findings": kb.claims,
        "confounds": kb.confounds,
        "models": kb.models,
        "works": kb.sources,
        "texts": kb.texts,
    }
    return [f"{folder}/{rid}.html" for folder, records in folders.items() for rid in records]


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_both_engines_build_the_same_project_with_a_page_for_every_record(kb_root: Path, engine: str) -> None:
    result = CliRunner().invoke(app, ["site", "build", "--root", str(kb_root), "--draws", DRAWS, "--engine", engine])
    assert result.exit_code == 0, result.output
    site = kb_root / "build" / "site"
    expected = [*_pages(kb_root), "index.html", "explorer.html", "glossary.html", "methodology.html", "about.html"]
    assert [p for p in expected if not (site / p).is_file()] == []
    finding = (site / "findings" / f"{EXAMPLE}.html").read_text(encoding="utf-8")
    assert "Portfolio at an uncommitted working tree" in finding and "MIT licence" in finding  # the footer's version line
    assert "unpkg.com" not in finding and "javascripts/vendor/iframe-worker-shim.js" in finding


def test_an_unknown_engine_is_a_usage_error(kb_root: Path) -> None:
    result = CliRunner().invoke(app, ["site", "build", "--root", str(kb_root), "--engine", "sphinx"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_kb_build_twice_skips_every_part_and_a_changed_claim_rebuilds(kb_root: Path) -> None:
    first = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", DRAWS])
    assert first.exit_code == 0, first.output
    index = kb_root / "build" / "site" / "index.html"
    built_at = index.stat().st_mtime_ns
    again = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", DRAWS])
    assert again.exit_code == 0, again.output
    assert "skipped (inputs unchanged): check, database, aggregate, render, site" in again.stderr
    assert index.stat().st_mtime_ns == built_at
    claim = kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    changed = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", DRAWS])
    assert changed.exit_code == 0, changed.output
    assert "skipped" not in changed.stderr and "check: ok (1 claims)" in changed.stderr
    assert "Edited " in (kb_root / "build" / "site" / "findings" / f"{EXAMPLE}.html").read_text(encoding="utf-8")


def test_a_different_draw_count_is_a_different_input(kb_root: Path) -> None:
    pipeline.build(kb_root, pipeline.Settings(draws=50))
    outcome = pipeline.build(kb_root, pipeline.Settings(draws=60))
    assert outcome.skipped == ["check", "database"]


def test_a_failed_check_leaves_no_stamp_and_names_the_file(kb_root: Path) -> None:
    pipeline.build(kb_root, pipeline.Settings(draws=50))
    claim = kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("kind: ", "kind: not-a-kind-", 1), encoding="utf-8")
    before = (kb_root / "build" / "stamps.json").read_bytes()
    result = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", DRAWS])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"claims/findings/{EXAMPLE}.yaml" in result.stderr
    assert (kb_root / "build" / "stamps.json").read_bytes() == before


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_credence_history_is_cached_per_commit_and_equals_a_fresh_computation(kb_root: Path) -> None:
    _git(kb_root, "init", "-q")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "claims")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    shutil.copy(REPO / "claims" / "findings" / "steering-resistance-self-correction.yaml", kb_root / "claims" / "findings" / "copy.yaml")
    text = (kb_root / "claims" / "findings" / "copy.yaml").read_text(encoding="utf-8")
    (kb_root / "claims" / "findings" / "copy.yaml").write_text(text.replace(f"id: {EXAMPLE}", "id: copy", 1), encoding="utf-8")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "claims")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two")
    cache = kb_root / "build" / "cache"
    fresh = history.by_commit_all(kb_root, draws=100)
    first = history.by_commit_all(kb_root, draws=100, cache=cache)
    assert len(list(cache.glob("*.json"))) == 2 and first == fresh
    for stored in cache.glob("*.json"):  # a cached commit is read back, never recomputed
        stored.write_text(stored.read_text(encoding="utf-8").replace('"n_claims": ', '"n_claims": 100'), encoding="utf-8")
    second = history.by_commit_all(kb_root, draws=100, cache=cache)
    assert all(p.n_claims >= 100 for points in second.values() for p in points)
    assert [p.commit for p in second["h-functional-introspection"]] == [p.commit for p in fresh["h-functional-introspection"]]


def test_changes_page_and_atom_feed_list_what_each_commit_moved_and_which_claims(kb_root: Path) -> None:
    import xml.etree.ElementTree as ET

    _git(kb_root, "init", "-q")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "claims")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    text = (kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    (kb_root / "claims" / "findings" / "copy.yaml").write_text(text.replace(f"id: {EXAMPLE}", "id: copy", 1), encoding="utf-8")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "claims")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two")
    added = subprocess.run(["git", "rev-parse", "HEAD"], cwd=kb_root, capture_output=True, text=True, check=True).stdout.strip()
    (kb_root / "claims" / "findings" / "copy.yaml").unlink()  # a third commit: each commit's own claims, in order
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A", "claims")
    _git(kb_root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "three")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=kb_root, capture_output=True, text=True, check=True).stdout.strip()
    pipeline.build(kb_root, pipeline.Settings(draws=200))
    site = kb_root / "build" / "site"
    page = (site / "changes.html").read_text(encoding="utf-8")
    assert f'id="commit-{added[:10]}"' in page and f'id="commit-{head[:10]}"' in page
    assert "points)" in page or "No credence moved by half a point or more." in page  # a restatement adds little
    feed = ET.fromstring((site / "changes.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    summaries = [e.findtext("a:summary", namespaces=ns) or "" for e in entries]  # newest first
    assert len(entries) == 2 and "removed copy" in summaries[0] and "added copy" in summaries[1]
    footer = (site / "index.html").read_text(encoding="utf-8")
    assert f"Portfolio at commit {head[:10]}" in footer and "MIT licence" in footer
    downloads = site / "downloads"
    manifest = json.loads((downloads / "VERSION.json").read_text(encoding="utf-8"))  # the downloads' version, stated beside them
    assert manifest["commit"] == head and f"commit {head[:10]}" in manifest["version"] and "MIT" in manifest["licence"]
    portfolio = (downloads / "portfolio.json").read_bytes()
    assert manifest["files"]["portfolio.json"] == hashlib.sha256(portfolio).hexdigest()
    # each pair of commits' diff is kept by the build and read back: git is not asked again
    cache = kb_root / "build" / pipeline.HISTORY_CACHE
    by_commit = history.by_commit_all(kb_root, draws=200, cache=cache)
    asked = changes(kb_root, by_commit)
    assert [c.claims for c in asked] == [[("removed", "copy")], [("added", "copy")]]
    (kb_root / ".git").rename(kb_root / "git-elsewhere")
    assert changes(kb_root, by_commit, cache) == asked


SERVE_LOG = """INFO    -  Building documentation...
INFO    -  Cleaning site directory
INFO    -  The following pages exist in the docs directory, but are not included in the "nav" configuration:
  - findings/a.md
  - findings/b.md
INFO    -  Documentation built in 10.59 seconds
INFO    -  [11:22:27] Watching paths for changes: 'build/docs', 'build/mkdocs.yml'
INFO    -  [11:22:27] Serving on http://127.0.0.1:8799/
INFO    -  [11:23:01] Detected file changes
INFO    -  Building documentation...
INFO    -  [11:23:09] Reloading browsers
WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found among documentation files.
"""


def test_kb_site_serve_prints_the_address_rebuild_notices_and_problems_only() -> None:
    from kb.render.project import serve_lines

    shown = list(serve_lines(iter(SERVE_LOG.splitlines(keepends=True))))
    assert shown == [
        "Building documentation...",
        "[11:22:27] Serving on http://127.0.0.1:8799/",
        "[11:23:01] Detected file changes",
        "Building documentation...",
        "[11:23:09] Reloading browsers",
        "WARNING -  Doc file 'x.md' contains a link 'y.md', but the target is not found among documentation files.",
    ]


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=60), max_size=30))
def test_serve_output_keeps_only_lines_a_person_needs(lines: list[str]) -> None:
    from kb.render.project import NEEDED, serve_lines

    shown = list(serve_lines(iter(line + "\n" for line in lines)))
    assert len(shown) <= len(lines)
    assert all(any(word in line for word in NEEDED) for line in shown)
    assert len(shown) == sum(1 for line in lines if any(w in line for w in NEEDED) and "not included in the" not in line)


def test_the_render_process_passes_back_its_result_stages_and_user_errors() -> None:
    from kb.bulk import in_child
    from kb.errors import InvalidKnowledgeBase, KbError, NotFound, Problem

    told: list[str] = []
    assert in_child(lambda step: (step("aggregate"), step("render"), {"pages": 3})[-1], told.append) == {"pages": 3}
    assert told == ["aggregate", "render"]

    def raises(exc: BaseException):  # type: ignore[no-untyped-def]
        def work(step: object) -> None:
            raise exc

        return work

    problem = Problem("claims/findings/a.yaml", 3, "kind", "bad")
    with pytest.raises(InvalidKnowledgeBase) as invalid:
        in_child(raises(InvalidKnowledgeBase([problem])), told.append)
    assert invalid.value.problems == [problem]
    with pytest.raises(KbError, match="no claim with id 'x'; did you mean 'xy'"):
        in_child(raises(NotFound("claim", "x", ["xy"])), told.append)
    with pytest.raises(PermissionError) as denied:
        in_child(raises(PermissionError(13, "Permission denied", "build/site")), told.append)
    assert denied.value.filename == "build/site"
    with pytest.raises(KbError, match="the rendering process failed"):  # a bug: its traceback is printed by the child
        in_child(raises(ValueError("bug")), told.append)


def test_a_primed_child_runs_what_it_is_asked_after_priming_and_one_never_asked_is_ended(tmp_path: Path) -> None:
    """kb.bulk.Primed: the child primes at once, then does what `run` asks, its stages and result
    (or user error) passed back as in_child's; one cancelled before being asked is ended at once,
    even while still priming, having done nothing but prime; cancel after run does nothing."""
    import time

    from kb.bulk import Primed
    from kb.errors import KbError

    def work(asked: str, step: Callable[[str], None]) -> str:
        step("render")
        if asked == "fail":
            raise KbError("asked to fail")
        (tmp_path / "asked").write_text(asked, encoding="utf-8")
        return (tmp_path / "primed").read_text(encoding="utf-8") + asked

    told: list[str] = []
    primed = Primed(work, lambda: (tmp_path / "primed").write_text("primed+", encoding="utf-8"))
    assert primed.run("site", told.append) == "primed+site" and told == ["render"]
    primed.cancel()
    with pytest.raises(KbError, match="asked to fail"):
        Primed(work, lambda: None).run("fail", told.append)
    (tmp_path / "asked").unlink()
    slow = Primed(work, lambda: time.sleep(60))
    started = time.monotonic()
    slow.cancel()
    assert time.monotonic() - started < 30 and not (tmp_path / "asked").exists()


def _site_files(site: Path) -> dict[str, object]:
    """Every file of a built site, the build time masked; the search index as a set of entries
    (a rebuild merges it in another order); the database copy left out (its metadata holds the
    build time), and so its hash in VERSION.json."""
    out: dict[str, object] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or rel == "downloads/kb.sqlite":
            continue
        if rel == "downloads/VERSION.json":  # with the database copy's hash
            version = json.loads(path.read_text(encoding="utf-8"))
            out[rel] = {**version, "version": None, "built": None, "files": {**version["files"], "kb.sqlite": None}}
        elif rel.startswith("search/search_index."):
            text = path.read_text(encoding="utf-8").removeprefix("var __index = ")
            index = json.loads(re.sub(BUILT, "built X", text))
            out[rel] = (index["config"], sorted(json.dumps(e, sort_keys=True) for e in index["docs"]))
        else:
            out[rel] = re.sub(BUILT.encode(), b"built X", path.read_bytes())
    return out


BUILT = r"built \d{4}-\d\d-\d\d \d\d:\d\d UTC|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z?"
EDITS = {
    "title": lambda text, word: text.replace("title: ", f"title: {word} ", 1),
    "statement": lambda text, word: text.replace("statement: >-\n", f"statement: >-\n  {word}\n", 1),
    "strength": lambda text, word: text.replace("strength: weak", f"strength: {word}", 1),
}
WORDS = {"title": ["Edited", "Renamed x", "Zebra"], "statement": ["Also", "Reportedly"], "strength": ["moderate", "strong", "overwhelming"]}
_BUILT_ONCE: dict[str, Path] = {}


@given(st.sampled_from([(field, word) for field, words in WORDS.items() for word in words]))
@settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # each example builds twice: no shrinking
def test_after_one_claim_changes_only_its_pages_are_built_again_and_the_site_equals_a_full_build(
    tmp_path_factory: pytest.TempPathFactory, edit: tuple[str, str]
) -> None:
    if "base" not in _BUILT_ONCE:  # one full build, copied (modification times kept) for every example
        base = tmp_path_factory.mktemp("built") / "repo"
        shutil.copytree(REPO / "claims", base / "claims", ignore=shutil.ignore_patterns("findings", "discrepancies"))
        for folder in ("findings", "discrepancies"):
            (base / "claims" / folder).mkdir()
        for finding in (EXAMPLE, "abusive-prompting-performance-gain"):
            shutil.copy(REPO / "claims" / "findings" / f"{finding}.yaml", base / "claims" / "findings")
        assert pipeline.build(base, pipeline.Settings(draws=50)).pages is None
        _BUILT_ONCE["base"] = base
    root = tmp_path_factory.mktemp("edited") / "repo"
    shutil.copytree(_BUILT_ONCE["base"], root)
    site = root / "build" / "site"
    html = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    previous = _site_files(site)
    claim = root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    field, word = edit
    claim.write_text(EDITS[field](claim.read_text(encoding="utf-8"), word), encoding="utf-8")
    analyses = root / "build" / pipeline.ANALYSIS_CACHE
    kept = {p.name: p.stat().st_mtime_ns for p in analyses.iterdir()}

    outcome = pipeline.build(root, pipeline.Settings(draws=50))
    analysed = sorted(p.name for p in analyses.iterdir() if kept.get(p.name) != p.stat().st_mtime_ns)
    if field == "title":  # no analysis reads a title: every one is read back, none made again, every key taken whole (memo.KEYS)
        assert analysed == [] and memo.KEYS in kept, analysed
    else:
        assert len(analysed) > 1, analysed
    rebuilt = sorted(p.relative_to(site).as_posix() for p, before in html.items() if p.stat().st_mtime_ns != before)
    assert outcome.pages is not None and 0 < outcome.pages < len(html) / 4, outcome.pages
    assert f"findings/{EXAMPLE}.html" in rebuilt and len(rebuilt) <= outcome.pages + 1  # + the 404 page, always rebuilt
    incremental = _site_files(site)
    assert not (root / "build" / pipeline.CLAIMS_NEXT).exists()  # the claims' data files were moved into the site
    assert not (root / "build" / TRASH).exists()  # what the build set aside is deleted by its end
    # the downloads' digests, worked out where each was written (the database's on its copy's thread)
    version = json.loads((site / "downloads" / "VERSION.json").read_text(encoding="utf-8"))
    downloads = {p.relative_to(site / "downloads").as_posix(): p for p in (site / "downloads").rglob("*") if p.is_file()}
    assert version["files"] == {rel: hashlib.sha256(p.read_bytes()).hexdigest() for rel, p in downloads.items() if rel != "VERSION.json"}
    # only what depends on the claim: every page built again shows something else now (but the 404
    # page, which MkDocs always builds, and the downloads page, whose text holds the build time)
    assert [rel for rel in rebuilt if rel not in ("404.html", "downloads.html") and previous[rel] == incremental[rel]] == []
    pipeline.build(root, pipeline.Settings(draws=50), force=True)
    assert not (root / "build" / TRASH).exists()  # the last site, set aside before the whole build, deleted beside it
    full = _site_files(site)
    assert sorted(incremental) == sorted(full)
    assert [rel for rel in full if incremental[rel] != full[rel]] == []


@given(
    st.dictionaries(st.sampled_from(["a.md", "b.md", "d/c.md", "d/e/f.json", "g"]), st.binary(max_size=5), max_size=5),
    st.dictionaries(st.sampled_from(["a.md", "b.md", "d/c.md", "d/e/f.json", "g", "g/h.md", "d"]), st.binary(max_size=5), max_size=5),
    st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_replace_tree_leaves_unchanged_files_alone_and_ends_with_exactly_the_new_files(
    tmp_path_factory: pytest.TempPathFactory, old_files: dict[str, bytes], new_files: dict[str, bytes], trashed: bool
) -> None:
    """With a trash folder (and "large" files of 3 bytes or more), the same outcome; every large file
    of the old tree that was replaced or deleted is in the trash, nothing else, until it is emptied."""
    from kb.render import staging
    from kb.render.staging import replace_tree

    base = tmp_path_factory.mktemp("tree")
    old, new = base / "docs", base / "docs.next"
    for folder, files in ((old, old_files), (new, new_files)):
        folder.mkdir()
        for rel, data in files.items():
            if not any(other.startswith(rel + "/") for other in files):  # a path is a file or a folder, not both
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(data)
    wanted = {p.relative_to(new).as_posix(): p.read_bytes() for p in new.rglob("*") if p.is_file()}
    before = {p.relative_to(old).as_posix(): (p.read_bytes(), p.stat().st_ino) for p in old.rglob("*") if p.is_file()}
    trash = base / "trash" if trashed else None
    with mock.patch.object(staging, "TRASH_FROM", 3):
        changed = replace_tree(new, old, trash)
    after = {p.relative_to(old).as_posix(): (p.read_bytes(), p.stat().st_ino) for p in old.rglob("*") if p.is_file()}
    assert {rel: data for rel, (data, _) in after.items()} == wanted and not new.exists()
    if trash is not None:
        gone = sorted(data for rel, (data, ino) in before.items() if len(data) >= 3 and after.get(rel, (b"", None))[1] != ino)
        assert sorted(p.read_bytes() for p in trash.glob("*")) == gone
        staging.empty(trash)
        assert not trash.exists()
    assert set(changed) <= set(wanted)
    for rel in wanted:
        same = rel in before and before[rel][0] == wanted[rel]
        assert (rel not in changed) == same or (rel in changed and len(changed) == len(wanted))  # all, when replaced whole
        if same and rel not in changed:
            assert after[rel][1] == before[rel][1]  # the very same file: its modification time too


def test_edits_rebuild_in_place_but_a_build_at_a_new_commit_is_whole_and_every_footer_names_it(kb_root: Path) -> None:
    who = ("-c", "user.name=t", "-c", "user.email=t@t")
    _git(kb_root, "init", "-q")
    _git(kb_root, *who, "add", "claims")
    _git(kb_root, *who, "commit", "-qm", "one")
    assert pipeline.build(kb_root, pipeline.Settings(draws=50)).pages is None
    claim = kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    edited = pipeline.build(kb_root, pipeline.Settings(draws=50))
    assert edited.pages is not None and edited.pages > 0
    site = kb_root / "build" / "site"
    assert "Portfolio at an uncommitted working tree" in (site / "findings" / f"{EXAMPLE}.html").read_text(encoding="utf-8")
    _git(kb_root, *who, "commit", "-qam", "two")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=kb_root, capture_output=True, text=True, check=True).stdout.strip()
    assert pipeline.build(kb_root, pipeline.Settings(draws=50)).pages is None
    footers = [p for p in site.rglob("*.html") if f"Portfolio at commit {head[:10]}" not in p.read_text(encoding="utf-8")]
    assert footers == []


_BODY = st.one_of(st.binary(min_size=4, max_size=4), st.binary(max_size=40))  # often of one size: same size, other bytes


@given(
    st.lists(st.tuples(_BODY, st.booleans()), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(min_value=0, max_value=5), _BODY, st.booleans()), max_size=6),
)
@settings(max_examples=40, deadline=None)
def test_kept_digests_equal_fresh_ones_after_any_edit(
    tmp_path_factory: pytest.TempPathFactory, first: list[tuple[bytes, bool]], edits: list[tuple[int, bytes, bool]]
) -> None:
    """The digests kept by size and modification time (pipeline._file_digests with `kept`) equal
    the files' own after edits of any size, an edit within the same clock tick as the last write
    and hashing included (its modification time then unchanged, as on a coarse clock). Files are
    written long before or just before the first hashing."""
    import os
    import time

    folder = tmp_path_factory.mktemp("digests")
    kept = folder / "build" / "digests.pickle"
    files = folder / "files"
    files.mkdir()
    old = time.time_ns() - 100 * 10**9
    for n, (body, recent) in enumerate(first):
        (files / f"f{n}.yaml").write_bytes(body)
        if not recent:
            os.utime(files / f"f{n}.yaml", ns=(old, old))
    assert pipeline._file_digests(files, kept=kept) == pipeline._file_digests(files)
    for which, body, same_tick in edits:
        path = files / f"f{which % len(first)}.yaml"
        before = path.stat().st_mtime_ns
        path.write_bytes(body)
        if same_tick and before > old:  # written in this tick, edited in it again: the clock shows no change
            os.utime(path, ns=(before, before))
        assert pipeline._file_digests(files, kept=kept) == pipeline._file_digests(files)
    (files / "new.yaml").write_bytes(b"new")
    (files / "f0.yaml").unlink()
    assert pipeline._file_digests(files, kept=kept) == pipeline._file_digests(files)


_NAME = st.sampled_from(["a.yaml", "b.yaml", ".hidden.yaml", "c.txt", ".swp"])
_FOLDER = st.sampled_from(["", "findings/", "texts/", ".git/", "findings/.tmp/"])


@given(
    st.lists(st.tuples(_FOLDER, _NAME, _BODY), min_size=1, max_size=8),
    st.lists(st.tuples(_FOLDER, _NAME, st.booleans()), max_size=3),
    st.lists(st.tuples(st.integers(min_value=0, max_value=7), _BODY), max_size=4),
)
@settings(max_examples=40, deadline=None)
def test_the_claims_digests_carry_the_database_s_own_scan(
    tmp_path_factory: pytest.TempPathFactory,
    made: list[tuple[str, str, bytes]],
    links: list[tuple[str, str, bool]],
    edits: list[tuple[int, bytes]],
) -> None:
    """pipeline._claim_digests walks claims/ once for the build's hashing and the database's
    freshness: its stats and fingerprint are kb.db.freshness.scan's, its digests those of every
    regular file scan counts (hidden files and folders left out, as the loader leaves them;
    symlinks followed, a dangling one counted by scan and not hashed), kept or fresh, after edits."""
    import hashlib
    import os

    from kb.db.freshness import scan

    root = tmp_path_factory.mktemp("kb")
    claims = root / "claims"
    claims.mkdir()
    written = []
    for folder, name, body in made:
        path = claims / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    for n, (folder, name, dangling) in enumerate(links):
        link = claims / folder / f"link{n}-{name}"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(root / "nowhere" if dangling else written[0])
    kept = root / "build" / "digests.pickle"

    def expected() -> dict[str, bytes]:
        stats, _ = scan(root)
        out = {}
        for rel in stats:
            full = root / rel
            if full.is_file():
                out[os.path.relpath(full, claims)] = hashlib.sha256(full.read_bytes()).digest()
        return out

    for which, body in [(0, b""), *edits]:
        if body:
            written[which % len(written)].write_bytes(body)
        for cache in (kept, None):
            digests, scanned = pipeline._claim_digests(root, cache)
            assert scanned == scan(root)
            assert digests == expected()
            assert not any(part.startswith(".") for rel in digests for part in rel.split(os.sep))


def test_a_library_upgrade_is_never_served_what_the_last_version_kept(
    kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb.libraries: another installed version of a library that shapes what is kept (here Jinja2,
    as the import system would find it first on sys.path) changes the code digest of the kept
    analyses and history, and the next build renders and builds the site again."""
    from kb.history import code_digest
    from kb.libraries import versions

    before, digest = versions(), code_digest()
    pipeline.build(kb_root, pipeline.Settings(draws=50))
    assert "site" in pipeline.build(kb_root, pipeline.Settings(draws=50)).skipped  # nothing changed
    (tmp_path / "upgraded" / "jinja2-99.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(tmp_path / "upgraded"))
    assert "jinja2=99.0" in versions() and versions() != before and code_digest() != digest
    outcome = pipeline.build(kb_root, pipeline.Settings(draws=50))
    assert not {"aggregate", "render", "site"} & set(outcome.skipped)


@given(
    st.lists(st.text("ab.-/", max_size=6), min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda p: p.rsplit("/", 1)[-1] not in ("", ".", ".."))
)
@settings(max_examples=300)
def test_a_diff_line_names_the_claim_by_its_files_stem_as_pathlib_does(path: str) -> None:
    assert _stem(path) == Path(path).stem


class _FixedClock(datetime):
    """The build time a footer names, fixed: two builds a minute apart show the same pages."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _FixedClock:
        return cls(2026, 1, 2, 3, 4, tzinfo=tz)


def test_a_check_started_with_the_renderer_builds_what_one_started_later_does_and_reports_problems(kb_root: Path) -> None:
    def docs() -> dict[str, bytes]:
        folder = kb_root / "build" / "docs"
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    settings = pipeline.Settings(draws=50)
    with mock.patch.object(pipeline, "datetime", _FixedClock):
        # the renderer told the root and --force checks while this process hashes; one told nothing checks when asked
        pipeline.build(kb_root, settings, force=True, renderer=pipeline.start_renderer(kb_root, force=True))
        early = docs()
        pipeline.build(kb_root, settings, force=True, renderer=pipeline.start_renderer())
    assert docs() == early and f"findings/{EXAMPLE}.md" in early
    # a problem found by the early check is reported as any check's: exit 1, the file named, nothing built
    claim = kb_root / "claims" / "findings" / f"{EXAMPLE}.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("kind: ", "kind: not-a-kind-", 1), encoding="utf-8")
    shutil.rmtree(kb_root / "build")
    result = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", DRAWS])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"claims/findings/{EXAMPLE}.yaml" in result.stderr
    assert not (kb_root / "build" / "stamps.json").exists()
