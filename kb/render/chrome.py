"""The theme's chrome, rendered once per folder: a generated page outside the nav differs from its
neighbours only in its title and its body, yet the theme's template (header, navigation, search,
footer) took most of the MkDocs build. ChromeMemo renders the template for a stand-in page whose
title and body are sentinels, keeps the result split at them, and fills in each page's own.

It is checked, not assumed: the first page of each kind is also rendered in full, and if the two
differ by a byte (a theme that filters the title, say) that kind is always rendered in full.
Pages in the nav, with a table of contents, or with an edit or canonical URL are always rendered
in full. Runs inside MkDocs (kb.render.mkdocs_hooks), so it imports nothing from kb.

BYTECODE holds the theme's templates compiled ahead of the build (kb.render.mkdocs_runner)."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from typing import Any

import jinja2

TITLE = "kbchrometitle0a7f3e"  # stands for the page's title in a memoized chrome
BODY = "kbchromebody0a7f3e"  # stands for the page's body marker


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed as Jinja keys them (template name and file, checked
    against the source's hash): kb.render.mkdocs_runner compiles the theme's templates into it while
    the site is still being rendered, and the build's environment then loads them from it."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


BYTECODE = MemoryBytecodeCache()
Key = tuple[str, str, str, str]
SHARED = frozenset({"nav", "pages", "config", "mkdocs_version", "build_date_utc", "page"})  # the same for every page, or `page`
Parts = list[list[str]]  # the chrome split at TITLE, each piece split at BODY


class _StandIn:
    """The page as the template sees it, with sentinels for title and body; everything else is the
    page's own (its URL, so relative links come out the same for the whole folder)."""

    def __init__(self, page: Any, content: str) -> None:
        self._page = page
        self.title = TITLE
        self.meta = {**page.meta, "title": TITLE}
        self.content = content

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


class ChromeMemo:
    """`render` is a Jinja global (context-passing) that renders `template` for the current page,
    from the memo where it can. `marker(page)` is the body marker a page's content starts with;
    with `full`, every page is rendered in full (for comparison)."""

    def __init__(self, env: Any, template: str, *, marker: Callable[[Any], str], full: bool = False) -> None:
        self._env = env
        self._template = template
        self._marker = marker
        self._full = full
        self._parts: dict[Key, Parts | None] = {}  # None: that kind is always rendered in full
        self._nav_pages: set[int] | None = None
        self.render = jinja2.pass_context(lambda context: self._render(context))
        self.stats = {"memo": 0, "full": 0}

    def _key(self, page: Any, context: Any) -> Key | None:
        """What the chrome depends on besides title and body; None if it depends on more (a page
        in the nav, with a table of contents, ...). Context entries other than the ones MkDocs
        gives every page alike are part of the key: a plugin's page-specific entry then makes
        every page its own kind rather than a wrong one."""
        nav = context.get("nav")
        if self._nav_pages is None:
            self._nav_pages = {id(p) for p in getattr(nav, "pages", [])}
        marker = self._marker(page)
        content = page.content or ""
        if (
            self._full
            or id(page) in self._nav_pages
            or page.toc
            or page.is_homepage
            or page.previous_page is not None
            or page.next_page is not None
            or getattr(page, "canonical_url", None)
            or getattr(page, "edit_url", None)
            or not content.startswith(marker)
            or "title" not in page.meta
            or str(page.meta["title"]) != page.title
        ):
            return None
        meta = {k: v for k, v in page.meta.items() if k != "title"}
        extra = sorted((k, repr(v)) for k, v in context.get_all().items() if k not in SHARED)  # base_url, extra_css, ...
        return posixpath.dirname(page.url), json.dumps(meta, sort_keys=True, default=str), content[len(marker) :], repr(extra)

    def _render(self, context: Any) -> str:
        page = context["page"]
        template = self._env.get_template(self._template)
        key = self._key(page, context)
        parts = self._parts.get(key) if key is not None else None
        if key is None or (key in self._parts and parts is None):
            self.stats["full"] += 1
            return str(template.render(context.get_all()))
        if parts is None:  # the first page of its kind: memoize, and check against the full render
            chrome = str(template.render({**context.get_all(), "page": _StandIn(page, BODY + key[2])}))
            parts = [piece.split(BODY) for piece in chrome.split(TITLE)]
            full = str(template.render(context.get_all()))
            self._parts[key] = parts if self._fill(parts, page) == full else None
            self.stats["full"] += 1
            return full
        self.stats["memo"] += 1
        return self._fill(parts, page)

    def _fill(self, parts: Parts, page: Any) -> str:
        marker = self._marker(page)
        title = str(page.meta["title"])
        return title.join(marker.join(pieces) for pieces in parts)
