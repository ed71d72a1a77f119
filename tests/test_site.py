"""The published site: a real strict MkDocs build of a copy of the repository's knowledge base
(plus one hostile finding), checked file by file and driven in a real headless Chromium.

Golden files: `KB_UPDATE_GOLDEN=1 pytest tests/test_site.py -k golden` rewrites tests/golden/."""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from kb import audit, yamlio
from kb.bulk import Dispenser
from kb.models import Claim
from kb.render.exports import write_claims
from kb.render.kept import KeptPages
from kb.render.pages import FindingLayout, Renderer
from kb.render.views import SiteData, site_data
from kb.store import dump_record, load, load_valid
from kb.vocab import ALL_VOCABULARIES, Kind
from kb.weights import load_weights
from tests.conftest import EXAMPLE, REPO
from tests.test_review import scripted_review

GOLDEN = Path(__file__).parent / "golden"
DRAWS = 300
EVIL_ID = "zz-hostile-markup-finding"
EVIL_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1) id=kb-injected> **bold** {{ 7*7 }} {% raw %}'
EVIL_STATEMENT = (
    "A statement with <b id=kb-injected-b>markup</b>, <script>alert('statement')</script>, "
    "# not a heading, [a link](http://example.invalid), `code`, {{ 7*7 }} and {% raw %} left open; zyxwvut."
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _hostile_claim(root: Path) -> None:
    data = yamlio.parse((REPO / "claims" / "findings" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8"))
    data.update(id=EVIL_ID, title=EVIL_TITLE, statement=EVIL_STATEMENT)
    data["links"][0]["rationale"] = "<i>rationale</i> {{ 7*7 }}"
    claim = Claim.model_validate(data)
    (root / "claims" / "findings" / f"{EVIL_ID}.yaml").write_text(dump_record(claim), encoding="utf-8")


def _drop_broken(root: Path) -> None:
    """Leave out claim and discrepancy files `kb check` rejects (content being edited while the
    tests run): the site is tested here, the checker in test_check_errors."""
    for _ in range(3):
        _, problems = load(root)
        broken = {p.path for p in problems if p.path.startswith(("claims/findings/", "claims/discrepancies/"))}
        if not broken:
            return
        for rel in broken:
            (root / rel).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's claims/ and site/ plus one hostile finding, built once."""
    root = tmp_path_factory.mktemp("site") / "repo"
    shutil.copytree(REPO / "claims", root / "claims")
    shutil.copytree(REPO / "site", root / "site")
    _drop_broken(root)
    _hostile_claim(root)
    result = CliRunner().invoke(app, ["site", "build", "--root", str(root), "--draws", str(DRAWS)])
    assert result.exit_code == 0, result.output
    return root


def _page(root: Path, rel: str) -> str:
    return (root / "build" / "site" / rel).read_text(encoding="utf-8")


# --- the build ------------------------------------------------------------------------------------


def test_the_site_shows_the_same_portfolio_as_kb_portfolio() -> None:
    """The site takes each hypothesis' summary from its explanation instead of aggregating twice:
    it must equal what compute_portfolio (and so `kb portfolio`) reports."""
    from kb.portfolio import compute_portfolio

    kb, _ = load(REPO)
    weights = load_weights(REPO)
    data = site_data(kb, weights, drift=False)
    assert data.results == {r.id: r for r in compute_portfolio(kb, weights)}


def test_beside_returns_both_results_nests_and_reports_a_failing_child() -> None:
    from kb.bulk import beside
    from kb.errors import KbError

    big = "x" * (1 << 20)  # more than a pipe's buffer: read while `mine` still runs
    assert beside(lambda: 1, lambda: big) == (1, big)
    assert beside(lambda: beside(lambda: 2, lambda: [3] * 100_000), lambda: 4) == ((2, [3] * 100_000), 4)

    def fails() -> int:
        raise ValueError("theirs")

    with pytest.raises(KbError, match="second worker process failed"):
        beside(lambda: 0, fails)


def test_forked_work_runs_while_this_process_works_and_its_files_and_result_arrive(tmp_path: Path) -> None:
    """kb.bulk.Forked: started now, its result (past a pipe's buffer) and the files it wrote are
    there when asked for, even while this process wrote its own; a failing child is reported;
    `wait` alone reaps it (its code) and `result` after it still gives the result."""
    from kb.bulk import Forked
    from kb.errors import KbError

    def write() -> str:
        (tmp_path / "theirs.txt").write_text("theirs", encoding="utf-8")
        return "y" * (1 << 20)

    started = Forked(write)
    (tmp_path / "mine.txt").write_text("mine", encoding="utf-8")
    assert started.result() == "y" * (1 << 20)
    assert (tmp_path / "theirs.txt").read_text(encoding="utf-8") == "theirs"
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "mine"

    def fails() -> int:
        raise ValueError("theirs")

    failing = Forked(fails)
    assert failing.wait() == 1
    with pytest.raises(KbError, match="second worker process failed"):
        failing.result()
    waited = Forked(lambda: 7)
    assert waited.wait() == 0 and waited.result() == 7


def _put(dispenser: Dispenser, indexes: list[int]) -> None:
    """The putting side of a kb.bulk.Dispenser, as the renderer's: closed however it ends."""
    try:
        dispenser.put(indexes)
    finally:
        dispenser.close()


def _taken(dispenser: Dispenser, work: Callable[[int], int] = lambda i: i) -> list[int]:
    return [i for i, _ in dispenser.each(work)]


def test_a_dispenser_deals_every_index_once_to_whichever_side_asks_and_one_never_put_ends_the_wait(tmp_path: Path) -> None:
    """kb.bulk.Dispenser: the indexes put (more than a pipe's buffer holds) are taken once each,
    between both sides; a side still busy with its own part gets none of those the other took
    meanwhile; a putting side that fails before putting still ends the other's wait, and its
    error is raised."""
    from kb.bulk import beside

    many = list(range(100_000))
    dispenser = Dispenser()

    def put_and_take() -> list[int]:
        _put(dispenser, many)
        return _taken(dispenser)

    def take() -> list[int]:
        dispenser.forked()
        return _taken(dispenser)

    mine, theirs = beside(put_and_take, take)
    assert sorted(mine + theirs) == many and not set(mine) & set(theirs)
    # the other side is busy until this one has taken every index: it gets none
    done = tmp_path / "done"
    busy = Dispenser()

    def take_all_then_tell() -> list[int]:
        _put(busy, many)
        every = _taken(busy)
        done.touch()
        return every

    def busy_then_take() -> list[int]:
        busy.forked()
        while not done.exists():
            os.sched_yield()
        return _taken(busy)

    assert beside(take_all_then_tell, busy_then_take) == (many, [])
    # taken one at a time: each side's first index waits until the other side has one too, so
    # both get some (a side that took every index before working on them would leave the other none)
    lazy = Dispenser()

    def first_waits_for_the_other(me: str, other: str) -> Callable[[int], int]:
        def work(i: int) -> int:
            (tmp_path / me).touch()
            deadline = time.monotonic() + 30  # only a broken dispenser waits this long
            while not (tmp_path / other).exists() and time.monotonic() < deadline:
                os.sched_yield()
            return i

        return work

    def put_then_work() -> list[int]:
        _put(lazy, [0, 1, 2])
        return _taken(lazy, first_waits_for_the_other("here", "there"))

    def other() -> list[int]:
        lazy.forked()
        return _taken(lazy, first_waits_for_the_other("there", "here"))

    here, there = beside(put_then_work, other)
    assert here and there and sorted(here + there) == [0, 1, 2]
    unput = Dispenser()

    def fails() -> int:
        try:
            raise ValueError("before putting")
        finally:
            unput.close()

    def waits() -> list[int]:
        unput.forked()
        return _taken(unput)

    with pytest.raises(ValueError, match="before putting"):
        beside(fails, waits)


def test_two_renderer_processes_write_exactly_what_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above PARALLEL_ABOVE pages the renderer forks: the other process writes the data files, and
    both take every page one at a time (kb.bulk.Dispenser), working out a kept page's key and
    linking it from the last render, or rendering it; the keys both worked out are kept."""
    from kb.render import builder
    from kb.render.project import site_project

    kb, _ = load(REPO)
    data = site_data(kb, load_weights(REPO), drift=False)
    src = site_project(REPO)

    def tree(docs: Path) -> dict[str, bytes]:
        return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}

    one = builder.render_docs(data, src, tmp_path / "one" / "docs", None)
    monkeypatch.setattr(builder, "PARALLEL_ABOVE", 10)
    two = builder.render_docs(data, src, tmp_path / "two" / "docs", None)
    assert one == two and len(one) > 10
    assert tree(tmp_path / "one" / "docs") == tree(tmp_path / "two" / "docs")
    # the claims' data files written before, by the caller (kb.pipeline), and moved in
    written = tmp_path / "claims.next"
    write_claims(kb, written, FindingLayout.of(kb.claims).url)
    assert builder.render_docs(data, src, tmp_path / "moved" / "docs", None, written=written) == one
    assert tree(tmp_path / "moved" / "docs") == tree(tmp_path / "one" / "docs")
    # pages kept from a last render: the result is the same again
    build = tmp_path / "three"
    keeper = KeptPages(build, "salt")
    assert builder.render_docs(data, src, build / "docs", None, keeper=keeper) == one
    keeper.commit()
    again = KeptPages(build, "salt")
    assert builder.render_docs(data, src, build / "docs.next", None, keeper=again) == one
    assert len(again.keys) > len(one) / 2 and all((build / "docs.next" / p).samefile(build / "docs" / p) for p in again.keys)
    assert tree(build / "docs.next") == tree(tmp_path / "one" / "docs")
    # the keys each process worked out are all kept: those one process works out alone
    monkeypatch.setattr(builder, "PARALLEL_ABOVE", 10**9)
    alone = KeptPages(build, "salt")
    assert builder.render_docs(data, src, tmp_path / "alone" / "docs", None, keeper=alone) == one
    assert again.keys == alone.keys == keeper.keys


def test_strict_build_gives_every_record_a_page(built: Path) -> None:
    kb = load_valid(built)
    site = built / "build" / "site"
    expected = (
        [f"hypotheses/{i}.html" for i in kb.hypotheses]
        + [f"findings/{i}.html" for i in kb.claims]
        + [f"confounds/{i}.html" for i in kb.confounds]
        + [f"models/{i}.html" for i in kb.models]
        + [f"works/{i}.html" for i in kb.sources]
        + [f"texts/{i}.html" for i in kb.texts]
    )
    expected += [
        "index.html",
        "approved.html",
        "explorer.html",
        "glossary.html",
        "discrepancies.html",
        "methodology.html",
        "downloads.html",
        "reviewers.html",
    ]
    assert [p for p in expected if not (site / p).is_file()] == []
    assert not (REPO / "site" / "site").exists() and not (built / "site" / "site").exists()


def test_every_page_names_the_file_it_came_from(built: Path) -> None:
    kb = load_valid(built)
    for hid in kb.hypotheses:
        assert f"<code>claims/hypotheses/{hid}.yaml</code>" in _page(built, f"hypotheses/{hid}.html")
    for cid in kb.claims:
        assert f"<code>{kb.path_of('findings', cid)}</code>" in _page(built, f"findings/{cid}.html")
    for tid in kb.texts:
        assert f"<code>{kb.path_of('texts', tid)}</code>" in _page(built, f"texts/{tid}.html")


def test_home_pages_list_every_hypothesis_in_both_views(built: Path) -> None:
    kb = load_valid(built)
    for page in ("index.html", "approved.html"):
        text = _page(built, page)
        for hid in kb.hypotheses:
            assert f'href="hypotheses/{hid}.html"' in text, (page, hid)
        assert text.count('class="kb-chart kb-meter"') == len(kb.hypotheses)
    assert "Why no single paper decides" in _page(built, "index.html")


_LINK = re.compile(r'(?:href|src)="([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')


def _broken_links(site: Path) -> list[str]:
    ids: dict[Path, set[str]] = {}
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":  # MkDocs writes it with root-absolute links, for any depth
            continue
        for raw in _LINK.findall(page.read_text(encoding="utf-8")):
            url = urlsplit(html.unescape(raw))
            if url.scheme or url.netloc or raw.startswith(("data:", "mailto:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {raw}")
                continue
            if url.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(_ID.findall(target.read_text(encoding="utf-8")))
                if unquote(url.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(site)} -> {raw} (no such anchor)")
    return broken


def test_no_internal_link_is_broken(built: Path) -> None:
    assert _broken_links(built / "build" / "site") == []


def test_generated_pages_are_plain_markdown_files_and_archived_texts_stay_out_of_search(built: Path) -> None:
    kb = load_valid(built)
    source = (built / "build" / "docs" / "findings" / f"{EXAMPLE}.md").read_text(encoding="utf-8")
    assert source.startswith("---\ntitle: ") and '\n<div class="kb-page kb-finding">' in source  # front matter, one raw HTML block
    assert "<p>" in _page(built, f"findings/{EXAMPLE}.html")
    methodology = _page(built, "methodology.html")  # hand-written: Markdown (a heading, inline code)
    assert re.search(r'<h1 id="methodology[^"]*">Methodology', methodology) and "<code>kb/aggregate.py</code>" in methodology
    index = json.loads((built / "build" / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert f"findings/{EXAMPLE}.html" in locations and "hypotheses/h-functional-introspection.html" in locations
    assert not [t for t in kb.texts if f"texts/{t}.html" in locations]
    assert any("laundry" in d["text"] for d in index["docs"] if d["location"].startswith(f"findings/{EXAMPLE}.html"))


_PRIVATE = re.compile(r"^\s*(?:from|import)\s+(?:mkdocs|material)\b", re.M)


def test_the_site_project_is_plain(built: Path) -> None:
    """No hook, no plugin of ours, no import of MkDocs or its theme anywhere in kb/ or cli/: the
    engine only ever sees build/mkdocs.yml and the files in build/docs/."""
    import yaml

    config = yaml.safe_load((built / "build" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "hooks" not in config and config["plugins"] == ["search", "offline"]
    assert config["docs_dir"] == "docs" and config["site_dir"] == "site" and config["strict"] is True
    sources = [p for folder in ("kb", "cli") for p in (REPO / folder).rglob("*.py")]
    assert [p.name for p in sources if _PRIVATE.search(p.read_text(encoding="utf-8"))] == []
    assert not list((REPO / "kb").rglob("*hook*")) and "mkdocs<2" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_many_findings_are_grouped_and_every_link_still_lands_on_its_finding(tmp_path: Path) -> None:
    """Above the threshold (lowered here), findings share pages of PER_GROUP, one section each."""

    from kb.render.sizes import PER_GROUP

    root = tmp_path / "repo"
    shutil.copytree(REPO / "claims", root / "claims")
    shutil.copytree(REPO / "site", root / "site")
    _drop_broken(root)
    _hostile_claim(root)
    from kb import pipeline

    pipeline.build(root, pipeline.Settings(draws=50, group=10))
    kb = load_valid(root)
    site = root / "build" / "site"
    assert len(kb.claims) > PER_GROUP  # more than one group
    groups = sorted((site / "findings").glob("group-*.html"))
    assert len(groups) == -(-len(kb.claims) // PER_GROUP)
    assert not [cid for cid in kb.claims if (site / "findings" / f"{cid}.html").exists()]
    anchors: dict[str, str] = {}
    for g in groups:
        for cid in set(_ID.findall(g.read_text(encoding="utf-8"))) & set(kb.claims):
            assert cid not in anchors, cid
            anchors[cid] = f"findings/{g.name}#{cid}"
    assert sorted(anchors) == sorted(kb.claims)
    assert _broken_links(site) == []
    rows = json.loads((site / "data" / "findings.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["href"] for r in rows} == anchors
    forest = (site / "hypotheses" / "h-functional-introspection.html").read_text(encoding="utf-8")
    assert f'href="../{anchors[EXAMPLE]}"' in forest
    listing = (site / "findings" / "index.html").read_text(encoding="utf-8").replace("../", "")
    assert f'href="{anchors[EXAMPLE].split("#")[0]}"' in listing  # grouped: the index lists the group pages
    assert all(f'href="findings/{g.name}"' in listing for g in groups)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d for d in index["docs"] if "group-" in d["location"]]  # the explorer searches findings at this scale
    evil = (site / anchors[EVIL_ID].split("#")[0]).read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in evil and '<script>alert("title")' not in evil and "<b id=kb-injected-b>" not in evil


def test_glossary_has_every_vocabulary_value_and_every_definition_in_order(built: Path) -> None:
    text = _page(built, "glossary.html")
    for vocab in ALL_VOCABULARIES:
        for member in vocab:
            assert f'id="{vocab.__name__.lower()}-{member.value}"' in text
            assert member.help in html.unescape(text)
    kb = load_valid(built)
    definitions = sorted(cid for cid, c in kb.claims.items() if c.kind is Kind.DEFINITION)
    assert definitions and re.findall(r'id="def-([^"]+)"', text) == definitions


def test_downloads_and_explorer_data_are_written(built: Path) -> None:
    import sqlite3

    kb = load_valid(built)
    site = built / "build" / "site"
    rows = json.loads((site / "data" / "findings.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in rows) == sorted(kb.claims)
    assert len(json.loads((site / "downloads" / "claims.json").read_text(encoding="utf-8"))) == len(kb.claims)
    assert (site / "downloads" / "claims.csv").read_text(encoding="utf-8").count("\n") >= len(kb.claims) + 1
    with sqlite3.connect(site / "downloads" / "kb.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def test_every_download_is_what_the_cli_prints_for_the_same_query(built: Path) -> None:
    from kb.schemas import RECORDS

    downloads = built / "build" / "site" / "downloads"
    runner = CliRunner()
    queries = {
        "claims.json": ["claim", "list", "-f", "json"],
        "claims.csv": ["claim", "list", "-f", "csv"],
        "portfolio.json": ["portfolio", "-f", "json", "--draws", str(DRAWS)],
        "portfolio-approved-only.json": ["portfolio", "--approved-only", "-f", "json", "--draws", str(DRAWS)],
        "sources.bib": ["source", "list", "-f", "bibtex"],
        **{f"schema/{name}.schema.json": ["schema", name] for name in RECORDS},
    }
    for name, args in queries.items():
        result = runner.invoke(app, [*args, "--root", str(built)] if args[0] != "schema" else args)
        assert result.exit_code == 0, (name, result.output)
        assert (downloads / name).read_text(encoding="utf-8") == result.stdout, name
    header = (downloads / "claims.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["id", "title", "statement"] and len(header) == len(Claim.model_fields)


def test_hostile_text_renders_as_plain_text_everywhere(built: Path) -> None:
    site = built / "build" / "site"
    page = _page(built, f"findings/{EVIL_ID}.html")
    h1 = re.search(r'<h1 id="finding">(.*?)</h1>', page)
    assert h1 is not None and "<" not in h1.group(1) and html.unescape(h1.group(1)) == EVIL_TITLE  # shown exactly, as text
    assert "{{ 7*7 }}" in page and "{% raw %}" in page  # Jinja never evaluated it
    assert "**bold**" in page and "[a link](http://example.invalid)" in page  # nor Markdown
    for text in (p.read_text(encoding="utf-8") for p in site.rglob("*.html")):
        assert '<script>alert("title")' not in text and "<script>alert('statement')" not in text
        assert "<b id=kb-injected-b>" not in text and "onerror=alert(1) id=kb-injected>" not in text


def test_reviewer_dashboard_is_in_the_nav_and_lists_unreviewed_claims(built: Path) -> None:
    kb = load_valid(built)
    text = _page(built, "reviewers.html")
    assert 'href="reviewers.html"' in _page(built, "index.html")
    waiting = [r["claim"] for r in audit.unreviewed(kb)]
    assert EVIL_ID in waiting and f'data-claim="{EVIL_ID}"' in text
    assert all(f'data-claim="{cid}"' in text for cid in waiting)
    for section in ("needs-review", "disagreements", "uncontrolled", "single-work", "quotes", "events"):
        assert f'id="{section}"' in text
    top = next(r for r in audit.uncontrolled_by_confound(kb) if r["n_uncontrolled"])
    assert f'href="confounds/{top["confound"]}.html"' in text and 'class="kb-chart kb-counts"' in text


def test_every_hypothesis_page_has_an_accessible_drift_chart_and_its_numbers(built: Path) -> None:
    for hid in load_valid(built).hypotheses:
        text = _page(built, f"hypotheses/{hid}.html")
        svg_open = re.search(r'<svg class="kb-chart kb-drift"[^>]*>', text)
        assert svg_open is not None and 'role="img"' in svg_open.group(0) and "aria-label=" in svg_open.group(0), hid
        assert 'id="drift"' in text and "<th>findings dated up to</th>" in text, hid
        assert "posterior credence" in text and "date the findings arrived" in text, hid


def _dashboard(root: Path) -> str:
    kb = load_valid(root)
    data: SiteData = site_data(kb, load_weights(root), draws=50, drift=False)
    return Renderer(data).reviewers().markdown()


def test_dashboard_no_longer_lists_a_claim_once_it_is_reviewed(kb_root: Path) -> None:
    before = _dashboard(kb_root)
    assert f'data-claim="{EXAMPLE}"' in before and "No review or status change is recorded yet." in before
    scripted_review(CliRunner(), kb_root, "ana")
    after = _dashboard(kb_root)
    assert f'data-claim="{EXAMPLE}"' not in after
    assert "Every counted claim has at least one submitted review." in after
    assert "<td>review-submitted</td>" in after and "<td>ana</td>" in after


def test_long_lists_on_generated_pages_keep_their_strongest_rows_and_say_where_the_rest_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's size is bounded however many findings there are: each list stops at PAGE_ROWS
    (here 3) and names where every row is (explorer, database, CLI); the headings keep the totals."""
    from kb.render import pages

    monkeypatch.setattr(pages, "PAGE_ROWS", 3)
    kb, _ = load(REPO)  # the shipped portfolio: lists long enough to be cut
    data = site_data(kb, load_weights(REPO), draws=50, drift=False)
    hid = max(data.explanations, key=lambda h: len(data.explanations[h].contributions))
    page = Renderer(data).hypothesis(kb.hypotheses[hid]).markdown()
    contributions = data.explanations[hid].contributions
    assert len(contributions) > 3
    table = page.split('<h2 id="contributions">')[1].split("</table>")[0]
    assert table.count("<tr><td>") == 3  # the three largest, in the order of the full list
    assert [c.claim for c in contributions[:3]] == re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', table)
    assert f"{len(contributions) - 3} smaller contributions are not listed here" in page
    assert f"kb explain {hid}" in page and f"explorer.html?hypothesis={hid}" in page
    for bearing in ("supports", "undermines", "mixed", "neutral"):
        section = page.split(f'<h3 id="bearing-{bearing}">')
        if len(section) < 2:
            continue
        items = section[1].split("</ul>")[0].count("<li>")
        total = sum(1 for c, link in data.links_of[hid] if link.bearing.value == bearing)
        assert items == min(total, 3)
        assert (f"explorer.html?hypothesis={hid}&amp;bearing={bearing}" in section[1].split("</ul>")[0]) == (total > 3)
    threatened = max(data.threatened, key=lambda t: len(data.threatened[t]))
    assert len(data.threatened[threatened]) > 3
    confound = Renderer(data).tasks()
    rendered = [task() for task in confound]
    page = next(p for p in rendered if p.path == f"confounds/{threatened}.md").markdown()
    assert page.count('<tr><td><a href="../findings/') == 3 and f"explorer.html?confound={threatened}" in page


def test_drift_chart_with_one_point_shows_a_dot_and_says_so(kb_root: Path) -> None:
    kb = load_valid(kb_root)
    page = Renderer(site_data(kb, load_weights(kb_root), draws=50)).hypothesis(kb.hypotheses["h-functional-introspection"]).markdown()
    assert page.count('class="kb-chart kb-drift"') == 1  # no git history in tmp_path: no commit chart
    assert "a single point: no trend yet" in page and "so the date chart shows a single dot" in page
    assert "No commit history" in page


# --- golden pages -------------------------------------------------------------------------------------


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KB_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name}: run with KB_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def test_golden_hypothesis_and_finding_pages(kb_root: Path) -> None:
    kb = load_valid(kb_root)
    renderer = Renderer(site_data(kb, load_weights(kb_root), draws=200, seed=7))
    _golden("hypothesis-h-functional-introspection.md", renderer.hypothesis(kb.hypotheses["h-functional-introspection"]).markdown())
    _golden(f"finding-{EXAMPLE}.md", renderer.finding(kb.claims[EXAMPLE]).markdown())


# --- in the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def served(built: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built / "build" / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser(served: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # no skip: a missing /usr/bin/chromium fails here
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, served: str) -> Iterator[object]:
    """A fresh page; fails the test if the page asked anything of another origin than the site's."""
    context = browser.new_context()  # type: ignore[attr-defined]
    foreign: list[str] = []
    context.on("request", lambda r: None if r.url.startswith((served + "/", "data:", "blob:", "about:")) else foreign.append(r.url))
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()
    assert foreign == [], f"requests outside the site's origin: {foreign[:5]}"


def _search(pg: Any, words: str) -> Any:
    """Type into the theme's search once its index is loaded (the result meta leaves 'Initializing
    search' only when the search worker reports ready); returns the results' first item."""
    pg.locator("label.md-search__icon, .md-search__input").first.click()
    pg.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta'); return m && !/Initializing/.test(m.textContent); }"
    )
    pg.locator("input.md-search__input").press_sequentially(words)  # keystrokes: the theme searches on key events
    return pg.locator(".md-search-result__item").first


@pytest.mark.browser
def test_browser_home_shows_the_portfolio(page: object, served: str, built: Path) -> None:
    pg = page
    pg.goto(f"{served}/index.html")  # type: ignore[attr-defined]
    assert "evidence portfolio" in pg.title().lower()  # type: ignore[attr-defined]
    assert pg.locator("table.kb-portfolio tbody tr").count() == len(load_valid(built).hypotheses)  # type: ignore[attr-defined]


@pytest.mark.browser
def test_browser_search_finds_a_finding_and_follows_it(page: object, served: str) -> None:
    pg = page
    pg.goto(f"{served}/index.html")  # type: ignore[attr-defined]
    _search(pg, "laundry").wait_for()
    hit = pg.locator(f'.md-search-result a[href*="findings/{EXAMPLE}.html"]').first  # type: ignore[attr-defined]
    hit.wait_for()
    hit.click()
    pg.wait_for_url(f"**/findings/{EXAMPLE}.html*")  # type: ignore[attr-defined]
    assert pg.locator("h1").first.inner_text().startswith("Large models sometimes notice")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_browser_hypothesis_page_draws_its_charts(page: object, served: str) -> None:
    pg = page
    pg.goto(f"{served}/hypotheses/h-functional-introspection.html")  # type: ignore[attr-defined]
    forest = pg.locator("svg.kb-forest")  # type: ignore[attr-defined]
    assert forest.count() == 1 and forest.locator("rect.kb-bar").count() >= 1
    assert forest.get_attribute("role") == "group" and forest.locator("title").count() >= 1  # its bars are links
    assert pg.locator("svg.kb-sweep polyline").count() == 1  # type: ignore[attr-defined]
    drift = pg.locator("svg.kb-drift").first  # type: ignore[attr-defined]
    assert drift.locator("circle.kb-post").count() >= 1 and drift.is_visible()
    box = forest.bounding_box()
    assert box is not None and box["width"] > 300


@pytest.mark.browser
def test_browser_explorer_filters_and_counts(page: object, served: str, built: Path) -> None:
    pg = page
    total = len(load_valid(built).claims)
    pg.goto(f"{served}/explorer.html")  # type: ignore[attr-defined]
    pg.wait_for_selector("#kb-explorer[data-ready=true]")  # type: ignore[attr-defined]
    assert pg.locator("#kb-count").inner_text() == str(total)  # type: ignore[attr-defined]
    assert pg.locator("#kb-table tbody tr").count() == total  # type: ignore[attr-defined]
    pg.locator("select[name=stream]").select_option("introspection")  # type: ignore[attr-defined]
    n = int(pg.locator("#kb-count").inner_text())  # type: ignore[attr-defined]
    assert 0 < n < total and pg.locator("#kb-table tbody tr").count() == n  # type: ignore[attr-defined]
    pg.locator("select[name=hypothesis]").select_option("h-functional-introspection")  # type: ignore[attr-defined]
    both = pg.locator("#kb-count").inner_text()  # type: ignore[attr-defined]
    assert "stream=introspection" in pg.url and "hypothesis=h-functional-introspection" in pg.url  # type: ignore[attr-defined]
    pg.reload()  # type: ignore[attr-defined]
    pg.wait_for_selector("#kb-explorer[data-ready=true]")  # type: ignore[attr-defined]
    assert pg.locator("select[name=stream]").input_value() == "introspection"  # type: ignore[attr-defined]
    assert pg.locator("#kb-count").inner_text() == both  # type: ignore[attr-defined]
    titles = pg.locator("select[name=hypothesis] option").all_inner_texts()  # type: ignore[attr-defined]
    assert load_valid(built).hypotheses["h-functional-introspection"].title in titles
    pg.locator("select[name=stream]").select_option("")  # type: ignore[attr-defined]
    pg.locator("select[name=hypothesis]").select_option("")  # type: ignore[attr-defined]
    pg.locator("input[name=q]").fill(EXAMPLE)  # type: ignore[attr-defined]
    rows = json.loads((built / "build" / "site" / "data" / "findings.json").read_text(encoding="utf-8"))
    words = re.split(r"\W+", EXAMPLE)  # the explorer's rule: every word of the query, anywhere in those fields
    mentioning = [
        r["id"]
        for r in rows
        if all(w in " ".join([r["id"], r["title"], r["statement"], r["quotes"], r["rationale"]]).lower() for w in words)
    ]
    assert EXAMPLE in mentioning
    assert pg.locator("#kb-count").inner_text() == str(len(mentioning))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_browser_explorer_searches_the_fields_kb_search_does(page: object, served: str, built: Path) -> None:
    """Every word, in any order, in the id, title, statement, quotes or rationale: a word found only
    in a finding's quote finds it."""
    pg = page
    rows = json.loads((built / "build" / "site" / "data" / "findings.json").read_text(encoding="utf-8"))
    example = next(r for r in rows if r["id"] == EXAMPLE)
    elsewhere = " ".join([example["id"], example["title"], example["statement"], example["rationale"]]).lower()
    word = next(w for w in re.findall(r"[a-z]{4,}", example["quotes"].lower()) if w not in elsewhere)
    words = f"{word} {example['title'].split()[0]}"
    expected = [
        r["id"]
        for r in rows
        if all(w in " ".join([r["id"], r["title"], r["statement"], r["quotes"], r["rationale"]]).lower() for w in words.lower().split())
    ]
    assert EXAMPLE in expected
    pg.goto(f"{served}/explorer.html")  # type: ignore[attr-defined]
    pg.wait_for_selector("#kb-explorer[data-ready=true]")  # type: ignore[attr-defined]
    pg.locator("input[name=q]").fill(words)  # type: ignore[attr-defined]
    assert pg.locator("#kb-count").inner_text() == str(len(expected))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_browser_locator_leads_to_its_highlighted_line(page: object, served: str) -> None:
    pg = page
    pg.goto(f"{served}/findings/{EXAMPLE}.html")  # type: ignore[attr-defined]
    assert pg.locator(".kb-context mark").count() >= 1  # type: ignore[attr-defined]
    pg.locator("a.kb-locator").first.click()  # type: ignore[attr-defined]
    pg.wait_for_url("**/texts/cognitive-revolution-berg-2026.html?to=*#L337")  # type: ignore[attr-defined]
    last = int(pg.evaluate("new URLSearchParams(location.search).get('to')"))  # type: ignore[attr-defined]
    assert last > 337
    line = pg.locator("#L337")  # type: ignore[attr-defined]
    assert line.is_visible() and line.is_visible()
    assert pg.evaluate("document.querySelector(':target').id") == "L337"  # type: ignore[attr-defined]
    lit = pg.evaluate(
        "[...document.querySelectorAll('.kb-line')].filter(l => getComputedStyle(l).backgroundColor !== 'rgba(0, 0, 0, 0)').map(l => l.id)"
    )  # type: ignore[attr-defined]
    assert lit == [f"L{n}" for n in range(337, last + 1)]  # the whole range, nothing else
    assert pg.evaluate("document.getElementById('L337').getBoundingClientRect().top < innerHeight")  # type: ignore[attr-defined]
    span = pg.evaluate(f"[...Array({last - 336}).keys()].map(i => document.getElementById('L' + (337 + i)).textContent).join(' ')")  # type: ignore[attr-defined]
    assert "high single digit percent" in span


@pytest.mark.browser
def test_browser_hostile_finding_runs_nothing(page: object, served: str) -> None:
    pg = page
    for path in (f"findings/{EVIL_ID}.html", "findings/index.html", "hypotheses/h-functional-introspection.html", "explorer.html"):
        pg.goto(f"{served}/{path}")  # type: ignore[attr-defined]
        pg.wait_for_load_state("load")  # type: ignore[attr-defined]
        assert pg.locator("#kb-injected, #kb-injected-b").count() == 0, path  # type: ignore[attr-defined]
    pg.goto(f"{served}/explorer.html")  # type: ignore[attr-defined]
    pg.wait_for_selector("#kb-explorer[data-ready=true]")  # type: ignore[attr-defined]
    pg.locator("input[name=q]").fill("zyxwvut")  # type: ignore[attr-defined]
    assert pg.locator("#kb-count").inner_text() == "1"  # type: ignore[attr-defined]
    assert pg.locator("#kb-table tbody tr a").inner_text() == EVIL_TITLE  # type: ignore[attr-defined]
    _search(pg, "zyxwvut").wait_for()
    assert pg.locator("#kb-injected, #kb-injected-b").count() == 0  # type: ignore[attr-defined]
    assert pg.dialogs == []  # type: ignore[attr-defined]
    pg.goto(f"{served}/findings/{EVIL_ID}.html")  # type: ignore[attr-defined]
    assert pg.locator("h1").first.inner_text() == EVIL_TITLE  # type: ignore[attr-defined]
    assert pg.dialogs == []  # type: ignore[attr-defined]


def test_kb_build_runs_every_stage_with_progress_on_stderr(kb_root: Path) -> None:
    shutil.copytree(REPO / "site", kb_root / "site")
    result = CliRunner().invoke(app, ["build", "--root", str(kb_root), "--draws", "50"])
    assert result.exit_code == 0, result.output
    assert "check: ok (1 claims)" in result.stderr and "site: build/site/index.html" in result.stderr
    assert result.stdout == ""
    assert (kb_root / "build" / "kb.sqlite").is_file() and (kb_root / "build" / "site" / "findings" / f"{EXAMPLE}.html").is_file()
    assert not (kb_root / "site" / "site").exists() and sorted(p.name for p in (kb_root / "site").iterdir()) == sorted(
        p.name for p in (REPO / "site").iterdir()
    )


PHONE = {"width": 390, "height": 844}
EVERY_KIND = (
    "index.html",
    "hypotheses/h-functional-introspection.html",
    f"findings/{EXAMPLE}.html",
    "explorer.html",
    "texts/cognitive-revolution-berg-2026.html",
)
LONG = ("discrepancies.html", "hypotheses/index.html", "works/index.html", "findings/index.html", "reviewers.html", "glossary.html")


@pytest.mark.browser
@pytest.mark.parametrize("path", EVERY_KIND + LONG)
def test_browser_no_page_scrolls_sideways_on_a_phone(browser: Any, served: str, path: str) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    pg = context.new_page()
    pg.goto(f"{served}/{path}")
    pg.wait_for_load_state("load")
    wide = pg.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    smallest = pg.evaluate(
        "() => Math.min(...[...document.querySelectorAll('svg.kb-chart text')].filter(t => t.getBoundingClientRect().height > 0 && t.getScreenCTM())"
        ".map(t => parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)), 99)"
    )
    context.close()
    assert wide <= 0, f"{path} is {wide}px wider than the phone"
    assert smallest >= 9, f"{path}: chart text shrinks to {smallest:.1f}px"


@pytest.mark.browser
@pytest.mark.parametrize("path", EVERY_KIND)
def test_browser_axe_finds_no_serious_accessibility_violation(page: Any, served: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{served}/{path}")
    page.wait_for_load_state("load")
    if path == "explorer.html":
        page.wait_for_selector("#kb-explorer[data-ready=true]")
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


# --- words a reader can trust ---------------------------------------------------------------------

_TERM_CALL = re.compile(r"\bterm\('([^']+)'")


def test_every_term_the_templates_use_is_defined_in_the_glossary(built: Path) -> None:
    from kb.render.notes import TERMS, slug
    from kb.render.pages import TEMPLATES

    used = {name for path in TEMPLATES.glob("*.j2") for name in _TERM_CALL.findall(path.read_text(encoding="utf-8"))}
    assert used and used <= set(TERMS), used - set(TERMS)
    glossary = html.unescape(_page(built, "glossary.html"))
    for name, meaning in TERMS.items():
        assert f'id="{slug(name)}"' in glossary and meaning in glossary, name
    assert {"dB", "cluster", "grade", "top driver", "fragile", "flip set", "profile", "credence", "interval"} <= set(TERMS)


def test_home_says_what_a_credence_is_before_any_number(built: Path) -> None:
    body = _page(built, "index.html").split('<div class="kb-page', 1)[1]
    first_number = re.search(r"\d+(\.\d+)?%", body)
    assert first_number is not None
    assert 0 <= body.index('id="what-a-credence-is"') < first_number.start()
    assert "not</em> a measured probability, a verdict" in body


def test_each_hypothesis_on_home_has_a_robustness_note_and_every_credence_an_interval(built: Path) -> None:
    kb = load_valid(built)
    home = _page(built, "index.html")
    assert home.count('class="kb-note"') == len(kb.hypotheses)
    assert "all of it from unreviewed drafts" in html.unescape(home)  # the shipped claims are all drafts
    index = _page(built, "hypotheses/index.html")
    assert len(re.findall(r"\d+%\s*\(\d+(\.\d+)?%–\d+(\.\d+)?%\)", index)) == len(kb.hypotheses)


def test_robustness_note_of_one_podcast_claim_says_so(kb_root: Path) -> None:
    from kb.render.notes import robustness

    kb = load_valid(kb_root)
    data = site_data(kb, load_weights(kb_root), draws=50, drift=False)
    note = robustness(kb, data.results["h-functional-introspection"], data.explanations["h-functional-introspection"])
    assert (
        note
        == "1 finding: all of the weight comes through one podcast; all of it second-hand, unpublished or anecdotal; all of it from unreviewed drafts."
    )
    assert robustness(kb, data.results["h-steering-artefact"], data.explanations["h-steering-artefact"]).startswith(
        ("No counted finding", "1 finding")
    )


@pytest.mark.parametrize("path", ["discrepancies.html", "hypotheses/h-functional-introspection.html", "works/index.html"])
def test_long_pages_open_with_a_summary_and_a_table_of_contents(built: Path, path: str) -> None:
    text = _page(built, path)
    body = text.split('<div class="kb-page', 1)[1]
    sections = re.findall(r'<h2 id="([^"]+)">', body)
    toc = re.search(r'<nav class="kb-toc"[^>]*>(.*?)</nav>', body, re.S)
    assert toc is not None and len(sections) >= 4
    assert re.findall(r'href="#([^"]+)"', toc.group(1)) == sections  # every section, in order
    summary = body.index('class="kb-summary"')
    assert summary < toc.start() < body.index("<h2")


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), st.text(max_size=20)), max_size=8))
def test_a_table_of_contents_lists_every_section_once_and_only_from_four(sections: list[tuple[str, str]]) -> None:
    from kb.render.pages import TOC_FROM, with_toc

    body = '<h1 id="t">T</h1>\n' + "".join(f'<h2 id="{sid}">{html.escape(label)}</h2><p>x</p>' for sid, label in sections)
    out = with_toc(body)
    if len(sections) < TOC_FROM:
        assert out == body
    else:
        nav = re.search(r"<nav[^>]*>(.*?)</nav>", out, re.S)
        assert nav is not None and re.findall(r'href="#([^"]+)"', nav.group(1)) == [sid for sid, _ in sections]
        assert out.replace(nav.group(0) + "\n", "") == body


@pytest.mark.browser
def test_browser_opened_from_disk_says_what_needs_a_server_and_search_still_works(browser: Any, built: Path) -> None:
    """From file://, search runs through the vendored iframe-worker shim; no request leaves the disk."""
    context = browser.new_context()
    asked: list[str] = []
    context.on("request", lambda r: asked.append(r.url))
    pg = context.new_page()
    pg.goto((built / "build" / "site" / "index.html").as_uri())
    note = pg.locator("#kb-disk-note")
    note.wait_for()
    assert "explorer" in note.inner_text() and "kb site serve" in note.inner_text()
    _search(pg, "laundry").wait_for()
    context.close()
    assert [u for u in asked if not u.startswith(("file://", "data:", "blob:", "about:"))] == []


def test_a_commit_that_changed_many_claims_lists_page_rows_of_them_and_says_where_the_rest_are(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.render import pages
    from kb.render.changes import Change

    monkeypatch.setattr(pages, "PAGE_ROWS", 3)
    kb, _ = load(REPO)
    data = site_data(kb, load_weights(REPO), draws=50, drift=False)
    ids = sorted(kb.claims)[:5]
    data.changes = [
        Change("a" * 40, "2026-12-01T00:00:00+00:00", claims=[("added", cid) for cid in ids]),
        Change("b" * 40, "2026-11-30T00:00:00+00:00", claims=[("edited", ids[0])]),
    ]
    page = next(p for p in (task() for task in Renderer(data).tasks()) if p.path == "changes.md").markdown()
    first, second = page.split('<h2 id="commit-')[1:3]
    assert [cid for cid in ids if f"{cid}.html" in first or f"#{cid}" in first] == ids[:3]
    assert "2 more claim files changed in this commit are not listed here" in first and "git show --stat aaaaaaaaaa -- claims/" in first
    assert "more claim files" not in second and "edited" in second
