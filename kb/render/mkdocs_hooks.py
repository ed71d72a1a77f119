"""MkDocs hooks for the generated site (listed by absolute path in build/mkdocs.yml's `hooks`).

A generated page is a Markdown file holding only front matter; its `kb_html` key names the HTML
body, written by the renderer to the sidecar folder next to docs_dir (build/html/). Markdown
never sees that body: `on_page_markdown` hands Python-Markdown an empty page and
`on_page_content` puts the rendered HTML in its place. Hand-written pages (no `kb_html`) go
through Markdown as usual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

META_KEY = "kb_html"
SIDECAR = "html"  # the sidecar folder's name, next to docs_dir


def sidecar_dir(docs_dir: str | Path) -> Path:
    return Path(docs_dir).parent / SIDECAR


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return "" if META_KEY in page.meta else markdown


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    rel = page.meta.get(META_KEY)
    if rel is None:
        return html
    root = sidecar_dir(config["docs_dir"]).resolve()
    path = (root / str(rel)).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{page.file.src_path}: {META_KEY} points outside {root}")
    return path.read_text(encoding="utf-8")
