"""MkDocs hooks for the generated site (listed by absolute path in build/mkdocs.yml's `hooks`).

A generated page is a Markdown file holding only front matter; its `kb_html` key names the HTML
body, written by the renderer to the sidecar folder next to docs_dir (build/html/). Markdown
never sees that body: `on_page_markdown` hands Python-Markdown an empty page, `on_page_content`
puts a one-line marker in its place and `on_post_page` swaps the marker for the body as the page
is written. (MkDocs renders every page's content before it writes any; holding 50k findings'
HTML at once took 2 GB.) Hand-written pages (no `kb_html`) go through Markdown as usual.

Search: the theme's search plugin would run html.parser over every tag of every generated page
(most of the build's time at scale). A generated page is instead indexed here from a lean copy
of its HTML: each h1/h2 heading (with its id, so results still land on the section) followed by
the start of the plain text under it (deeper headings are part of that text). At 50k findings
the full text made a 170 MB index no browser would load. Pages whose front matter says
`search: {exclude: true}` stay out.

Theme chrome: the theme's template (header, navigation, footer: 15 kB a page) comes out the same
for every generated page outside the nav in one folder, apart from the page's title and body. A
generated page is rendered through GENERATED_TEMPLATE, which renders the theme's main.html once
per folder (and front matter) with stand-ins for title and body, then fills in each page's own
(kb.render.chrome). Set KB_SITE_CHROME=full to render every page in full instead."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

META_KEY = "kb_html"
SIDECAR = "html"  # the sidecar folder's name, next to docs_dir
_INDEX = "kb_search"  # set on generated pages the hook indexes itself
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


def search_html(html: str) -> str:
    """The lean copy of a page the search index is built from: headings and the text under them."""
    out, at = [], 0
    body = _DROP.sub(" ", html)
    for m in _HEADING.finditer(body):
        out.append(f"<p>{_text(body[at : m.start()], TEXT_CAP)}</p>")
        hid = _ID.search(m.group(2))
        id_attr = f' id="{hid.group(1)}"' if hid else ""
        out.append(f"<{m.group(1)}{id_attr}>{_text(m.group(3))}</{m.group(1)}>")
        at = m.end()
    out.append(f"<p>{_text(body[at:], TEXT_CAP)}</p>")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if META_KEY not in page.meta:
        return markdown
    search = page.meta.get("search") or {}
    page.meta[_INDEX] = not search.get("exclude")
    page.meta["search"] = {**search, "exclude": True}  # the theme's search plugin skips it; on_page_content indexes it
    page.meta.setdefault("template", GENERATED_TEMPLATE)
    return ""


def _body(page: Any, config: Any) -> str:
    root = sidecar_dir(config["docs_dir"]).resolve()
    path = (root / str(page.meta[META_KEY])).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{page.file.src_path}: {META_KEY} points outside {root}")
    return path.read_text(encoding="utf-8")


def _marker(page: Any) -> str:
    return f"<!-- kb-body {page.file.src_path} -->"


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if META_KEY not in page.meta:
        return html
    body = _body(page, config)  # fails here, early, if the body is missing or points outside the sidecar
    if page.meta.get(_INDEX) and (index := _search_index(config)) is not None:
        title = page.meta.get("title", page.title)
        index.add_entry_from_context(
            SimpleNamespace(content=search_html(body), toc=page.toc, url=page.url, meta={"title": title}, title=title)
        )
    # the theme adds a title of its own unless the content has an <h1>: tell it whether the body has one
    return _marker(page) + ("<!-- <h1> -->" if "<h1" in body else "")


def on_post_page(output: str, page: Any, config: Any) -> str:
    if META_KEY not in page.meta:
        return output
    head, found, tail = output.partition(_marker(page))
    if not found:
        raise ValueError(f"{page.file.src_path}: the theme dropped the page body")
    return head + _body(page, config) + tail


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Make GENERATED_TEMPLATE: the theme's main.html, its chrome memoized per folder."""
    import jinja2

    from kb.render.chrome import ChromeMemo

    memo = ChromeMemo(env, "main.html", marker=_marker, private=frozenset({META_KEY}), full=os.environ.get("KB_SITE_CHROME", "") == "full")
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({GENERATED_TEMPLATE: "{{ kb_generated_page() }}"}), env.loader])
    env.globals["kb_generated_page"] = memo.render
    _memo[:] = [memo]
    return env


def on_post_build(config: Any) -> None:
    for memo in _memo:
        log.info(f"kb: theme chrome from the memo for {memo.stats['memo']} generated pages, rendered in full for {memo.stats['full']}")


def _search_index(config: Any) -> Any:
    for plugin in config["plugins"].values():
        index = getattr(plugin, "search_index", None)
        if index is not None and hasattr(index, "add_entry_from_context") and plugin.config.get("enabled", True):
            return index
    return None
