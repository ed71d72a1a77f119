"""MkDocs hooks for the generated site (listed by absolute path in build/mkdocs.yml's `hooks`).

Generated pages are not files in docs_dir. The renderer writes, to the sidecar folder next to
docs_dir (build/html/), their bodies packed into one file per renderer process and MANIFEST:
for each page's path, its front matter, where its body lies in which pack, whether it has an
<h1>, and its search sections. `on_files` adds each as a virtual file, `on_page_markdown` gives it
its front matter and an empty Markdown source (Markdown never sees the body, and the page skips
the Markdown converter), `on_page_content` puts a one-line marker where the content goes and
`on_post_page` swaps the marker for the body, read from its pack, as the page is written.
(MkDocs renders every page's content before it writes any; holding 50k findings' HTML at once
took 2 GB. Creating two small files a page took a fifth of the build at 1k.) Hand-written pages
go through Markdown as usual.

Search: the theme's search plugin would run html.parser over every tag of every generated page
(most of the build's time at scale). A generated page is instead indexed here, one entry per
section: the text before the first heading, then each h1/h2 heading (with its id, so results
still land on the section) and the start of the plain text under it (deeper headings are part of
that text), split and escaped as the theme's parser would (search_sections). The renderer
computes them while it still holds the bodies (manifest_entry), so MkDocs reads each body only
once, to write it. At 50k findings the full text made a 170 MB index no browser would load.
Pages whose front matter says `search: {exclude: true}` stay out.

Theme chrome: the theme's template (header, navigation, footer: 15 kB a page) comes out the same
for every generated page outside the nav in one folder, apart from the page's title and body. A
generated page is rendered through GENERATED_TEMPLATE, which renders the theme's main.html once
per folder (and front matter) with stand-ins for title and body, then fills in each page's own
(kb.render.chrome). Set KB_SITE_CHROME=full to render every page in full instead."""

from __future__ import annotations

import json
import logging
import os
import re
from html import escape, unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

SIDECAR = "html"  # the sidecar folder's name, next to docs_dir
MANIFEST = "pages.json"  # in the sidecar folder: {page path: {meta, pack, at, size, h1, sections}}
_DROP = re.compile(r"<(svg|script|style|template)\b.*?</\1\s*>", re.S | re.I)
_HEADING = re.compile(r"<(h[12])\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
TEXT_CAP = 400  # characters of text indexed under each heading
_ID = re.compile(r'\bid="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
GENERATED_TEMPLATE = "kb-generated.html"
log = logging.getLogger("mkdocs.plugins.kb")
_memo: list[Any] = []  # this build's ChromeMemo, for its counts


def sidecar_dir(docs_dir: str | Path) -> Path:
    return Path(docs_dir).parent / SIDECAR


def _text(fragment: str, cap: int | None = None) -> str:
    """Plain text of an HTML fragment, still escaped (entities kept as they are); with `cap`, cut
    at the last whole word within that many characters (and before any cut entity)."""
    text = " ".join(_TAG.sub(" ", fragment).split())
    if cap is None or len(text) <= cap:
        return text
    cut = text[:cap].rsplit(" ", 1)[0]
    amp = cut.rfind("&")
    return (cut[:amp] if amp > cut.rfind(";") else cut) + " …"


Section = tuple[str | None, str, str]  # heading id (None: the text before the first heading), title, text


def _plain(text: str) -> str:
    """As the theme's search parser gives text: entities decoded, then only <, > and & escaped."""
    return escape(unescape(text), quote=False)


def search_sections(html: str) -> list[Section]:
    """A page's search entries before the theme adds its URL and title: the text before the first
    h1/h2, then each h1/h2 with an id and the text under it, each text cut at TEXT_CAP characters,
    split and escaped exactly as the theme's parser splits the lean copy (<p> per paragraph, an
    empty one dropped only as its section's first). A heading without an id starts no section: the
    parser adds its words to the title of the section before if that heading has the same tag (it
    compares elements by tag), else to its text."""
    body = _DROP.sub(" ", html)
    sections: list[tuple[str | None, str, list[str], list[str]]] = [(None, "", [], [])]  # id, tag, title, text

    def paragraph(fragment: str) -> None:
        text, parts = _plain(_text(fragment, TEXT_CAP)), sections[-1][3]
        if text or any(part.startswith("<p>") for part in parts):
            parts.append(f"<p>{text}</p>")

    at = 0
    for m in _HEADING.finditer(body):
        paragraph(body[at : m.start()])
        tag, title = m.group(1).lower(), _plain(_text(m.group(3)))
        if hid := _ID.search(m.group(2)):
            sections.append((hid.group(1), tag, [title] if title else [], []))
        elif title:
            _, current, titled, parts = sections[-1]
            (titled if tag == current else parts).append(title)
        at = m.end()
    paragraph(body[at:])
    return [(sid, "".join(title), " ".join(parts)) for sid, _, title, parts in sections]


def manifest_entry(meta: dict[str, Any], body: str, pack: str, at: int, size: int) -> dict[str, Any]:
    """A generated page's MANIFEST entry, made by the renderer while it holds the body: its front
    matter, where the body lies (`size` bytes at `at` in the pack file `pack`), whether it has an
    <h1>, and its search sections (none if its front matter says `search: {exclude: true}`)."""
    searched = not (meta.get("search") or {}).get("exclude")
    sections = search_sections(body) if searched else []
    return {"meta": meta, "pack": pack, "at": at, "size": size, "h1": "<h1" in body, "sections": sections}


_pages: dict[str, dict[str, Any]] = {}  # this build's MANIFEST
_packs: dict[str, Any] = {}  # open pack files, by name


def on_pre_build(config: Any) -> None:
    path = sidecar_dir(config["docs_dir"]) / MANIFEST
    _pages.clear()
    if path.is_file():
        _pages.update(json.loads(path.read_text(encoding="utf-8")))


def _walk_order(path: str) -> list[tuple[int, Any]]:
    """Where MkDocs' walk of docs_dir puts a file: top down, sorted, index pages first in a folder."""
    *folders, name = path.split("/")
    return [(1, f) for f in folders] + [(0, (os.path.splitext(name)[0] not in ("index", "README"), name))]


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File, Files

    if not _pages:
        return files
    generated = [File.generated(config, path, content="") for path in _pages]
    kept = [f for f in files if f.src_uri not in _pages]  # a generated page replaces a hand-written one of its path
    return Files(sorted([*kept, *generated], key=lambda f: _walk_order(f.src_uri)))


def _entry(page: Any) -> dict[str, Any] | None:
    return _pages.get(page.file.src_uri)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if (entry := _entry(page)) is None:
        return markdown
    page.meta = dict(entry["meta"])
    page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}  # the theme's plugin skips it; on_page_content indexes it
    page.meta.setdefault("template", GENERATED_TEMPLATE)
    page.render = lambda config, files: _render_empty(page)  # this page only: its Markdown is empty
    return ""


def _render_empty(page: Any) -> None:
    """What Page.render gives for an empty Markdown source, without building a Markdown converter
    with every extension for it (a third of the per-page cost once the chrome is memoized)."""
    from mkdocs.structure.toc import get_toc

    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def _body(entry: dict[str, Any], config: Any) -> str:
    name = str(entry["pack"])
    if (pack := _packs.get(name)) is None:
        if os.path.basename(name) != name:
            raise ValueError(f"{MANIFEST}: pack {name!r} is not a file in the sidecar folder")
        pack = _packs[name] = open(sidecar_dir(config["docs_dir"]) / name, "rb")  # noqa: SIM115 - closed in on_post_build
    pack.seek(int(entry["at"]))
    body = pack.read(int(entry["size"]))
    if len(body) != int(entry["size"]):
        raise ValueError(f"{MANIFEST}: {name} is shorter than its manifest says")
    return str(body.decode("utf-8"))


def _marker(page: Any) -> str:
    return f"<!-- kb-body {page.file.src_path} -->"


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if (entry := _entry(page)) is None:
        return html
    sections = entry.pop("sections", [])  # not needed again: let them go with the index entries
    if sections and (index := _search_index(config)) is not None:
        for sid, title, text in sections:
            section = SimpleNamespace(id=sid, title=[title] if title else [], text=[text])
            index.create_entry_for_section(section, page.toc, page.url, page)  # adds the URL, page title, tags, boost
    # the theme adds a title of its own unless the content has an <h1>: tell it whether the body has one
    return _marker(page) + ("<!-- <h1> -->" if entry["h1"] else "")


def on_post_page(output: str, page: Any, config: Any) -> str:
    if (entry := _entry(page)) is None:
        return output
    head, found, tail = output.partition(_marker(page))
    if not found:
        raise ValueError(f"{page.file.src_path}: the theme dropped the page body")
    return head + _body(entry, config) + tail


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Make GENERATED_TEMPLATE: the theme's main.html, its chrome memoized per folder."""
    import jinja2

    from kb.render.chrome import BYTECODE, ChromeMemo

    env.bytecode_cache = BYTECODE  # filled ahead of the build by kb.render.mkdocs_runner, if it ran
    memo = ChromeMemo(env, "main.html", marker=_marker, full=os.environ.get("KB_SITE_CHROME", "") == "full")
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({GENERATED_TEMPLATE: "{{ kb_generated_page() }}"}), env.loader])
    env.globals["kb_generated_page"] = memo.render
    _memo[:] = [memo]
    return env


def on_post_build(config: Any) -> None:
    for pack in _packs.values():
        pack.close()
    _packs.clear()
    for memo in _memo:
        log.info(f"kb: theme chrome from the memo for {memo.stats['memo']} generated pages, rendered in full for {memo.stats['full']}")


def _search_index(config: Any) -> Any:
    """The theme's search index (Material's: its create_entry_for_section takes the page)."""
    for plugin in config["plugins"].values():
        index = getattr(plugin, "search_index", None)
        if index is not None and hasattr(index, "create_entry_for_section") and plugin.config.get("enabled", True):
            return index
    return None
