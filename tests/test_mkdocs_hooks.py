"""The MkDocs side of the site build, piece by piece: search sections computed without the theme's
HTML parser, and the build process started before its project exists (kb.render.mkdocs_process)."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import SearchIndex

from kb.render.mkdocs_hooks import _DROP, _HEADING, _ID, TEXT_CAP, _text, search_sections
from kb.render.mkdocs_process import MkDocsRun, SiteBuildFailed
from tests.conftest import REPO


def _lean_copy(body: str) -> str:
    """What the hook used to feed the theme's search parser: headings and the text under them."""
    out, at = [], 0
    body = _DROP.sub(" ", body)
    for m in _HEADING.finditer(body):
        out.append(f"<p>{_text(body[at : m.start()], TEXT_CAP)}</p>")
        hid = _ID.search(m.group(2))
        id_attr = f' id="{hid.group(1)}"' if hid else ""
        out.append(f"<{m.group(1)}{id_attr}>{_text(m.group(3))}</{m.group(1)}>")
        at = m.end()
    out.append(f"<p>{_text(body[at:], TEXT_CAP)}</p>")
    return "\n".join(out)


def _page(content: str = "") -> Any:
    return SimpleNamespace(content=content, toc=[], url="findings/f.html", meta={"title": "Page & title"}, title="Page & title")


def _heading(tag: str, hid: str | None, text: str) -> str:
    id_attr = f' id="{hid}"' if hid else ""
    return f"<{tag}{id_attr}>{text}</{tag}>"


words = st.lists(
    st.sampled_from(["claim", "model", "Ünïcode", "a&b", "x<y", "it's", '"quoted"', "&amp;", "—", "laundry"]), min_size=0, max_size=120
)
escaped = words.map(lambda ws: html.escape(" ".join(ws)))  # as the renderer escapes text
block = st.one_of(
    escaped.map(lambda t: f"<p>{t}</p>"),
    escaped.map(lambda t: f"<ul><li>{t}</li></ul>"),
    st.tuples(st.sampled_from(["h1", "h2", "h3"]), st.none() | st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), escaped).map(
        lambda h: _heading(*h)
    ),
    escaped.map(lambda t: f'<svg role="img"><title>{t}</title></svg>'),
    st.just("<script>var x = '<h2 id=\"no\">not a heading</h2>';</script>"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(block, max_size=12).map("\n".join))
def test_search_sections_give_the_entries_the_themes_parser_gives(body: str) -> None:
    """Every section, title, text and location equals what Material's own search parser makes of
    the lean copy of the page (its entity decoding, escaping, whitespace and paragraph rules)."""
    theirs = SearchIndex()
    theirs.add_entry_from_context(_page(_lean_copy(body)))
    ours = SearchIndex()
    page = _page()
    for sid, title, text in search_sections(body):
        ours.create_entry_for_section(SimpleNamespace(id=sid, title=[title] if title else [], text=[text]), page.toc, page.url, page)
    assert ours.entries == theirs.entries


def test_a_build_process_left_without_a_build_stops() -> None:
    run = MkDocsRun(REPO / "site" / "mkdocs.yml")
    proc = run._proc
    run.close()
    assert proc.poll() is not None


def _project(folder: Path, home: str) -> Path:
    """A one-page MkDocs Material project; returns its config."""
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text(home, encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        f"site_name: t\ndocs_dir: {folder / 'docs'}\nsite_dir: {folder / 'site'}\ntheme:\n  name: material\n", encoding="utf-8"
    )
    return config


def test_a_build_mkdocs_refuses_is_reported_with_its_warning(tmp_path: Path) -> None:
    config = _project(tmp_path, "# Home\n\n[gone](missing.md)\n")
    with MkDocsRun(REPO / "site" / "mkdocs.yml") as run:
        time.sleep(0.2)  # let it start warming up first, as it does while the site is rendered
        with pytest.raises(SiteBuildFailed, match=re.escape("missing.md")):
            run.build(config)


def test_a_build_process_builds_what_it_is_handed(tmp_path: Path) -> None:
    config = _project(tmp_path, "# Home\n\nHello.\n")
    with MkDocsRun(REPO / "site" / "mkdocs.yml") as run:
        run.build(config)
    assert "Hello." in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
