"""The site build, top to bottom: aggregate (kb.render.views), render every page into build/docs/
as an ordinary Markdown file (front matter and one raw HTML block, kb.render.pages) next to the
hand-written pages copied from site/docs/ and the data files, write the plain build/mkdocs.yml
(kb.render.project) and run the engine on it. Nothing is ever written into site/ or claims/.

Search: the theme indexes every page but the archived texts (long, and quoted where it matters on
the finding pages). Above SEARCHED_UP_TO findings the finding pages leave the theme's index too:
its index is one JSON file every reader downloads (at 50k findings it would run to hundreds of
megabytes), and parsing every finding page for it was a third of the engine's time at 1k; the
explorer searches every finding's title and statement from data/findings.json at any size."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.bulk import Dispenser, beside, gc_paused, heap_frozen
from kb.db.publish import Published
from kb.portfolio import Explanation
from kb.render import project
from kb.render.exports import write_data
from kb.render.kept import KeptPages
from kb.render.pages import FindingLayout, Page, Renderer, Task
from kb.render.rows import KeptRows
from kb.render.sizes import GROUP_ABOVE, PER_GROUP
from kb.render.staging import TRASH, replace_tree
from kb.render.views import Extras, SiteData, site_data
from kb.store import KnowledgeBase
from kb.weights import Weights

METHODOLOGY_STUB = "# Methodology\n\nThe methodology page has not been written yet.\n"
PARALLEL_ABOVE = 400  # pages: below this, one process renders them all
TEMPLATES_CACHE = "cache/templates"  # under build/: the compiled templates
Step = Callable[[str], None]


@dataclass(frozen=True)
class Rendered:
    config: Path  # build/mkdocs.yml
    changed: list[str]  # the files of build/docs/ new or changed since the last render (kb.render.staging)


def render_docs(
    data: SiteData,
    src: Path,
    docs: Path,
    database: Path | None,
    *,
    group: int = GROUP_ABOVE,
    keeper: KeptPages | None = None,
    compiled: Path | None = None,
    rows: KeptRows | None = None,
    written: Path | None = None,
    published: Published | None = None,
) -> list[str]:
    """Fill `docs` (emptied first) with the hand-written pages of `src/docs`, one Markdown file per
    generated page and the data files. Returns the generated pages' paths (relative to docs/).
    Findings are grouped PER_GROUP to a page above `group` of them. With `keeper`, a page of
    findings or of a record listing them whose content key did not change since the last render
    is taken from that render (kb.render.kept). `compiled`: where compiled templates are kept;
    `rows`: each finding's rows in the data files, kept by the last render (kb.render.rows);
    `written`: a folder where the caller had the claims' data files written, `published`: the
    database's published copy the caller started (write_data)."""
    if docs.exists():
        shutil.rmtree(docs)
    if (src / "docs").is_dir():
        shutil.copytree(src / "docs", docs)
    docs.mkdir(parents=True, exist_ok=True)
    if not (docs / "methodology.md").is_file():
        (docs / "methodology.md").write_text(METHODOLOGY_STUB, encoding="utf-8")
    layout = FindingLayout.of(data.kb.claims, group, PER_GROUP)
    renderer = Renderer(data, layout, keeper.files if keeper is not None else None, compiled)
    for name in renderer.env.list_templates():  # compiled once, before the second process forks
        renderer.env.get_template(name)
    tasks = renderer.tasks()
    if keeper is not None:
        keeper.place(layout, len(data.kb.claims))

    def write(i: int) -> str:
        page = tasks[i]()
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown(), encoding="utf-8")
        return page.path

    def one(i: int) -> str:  # the page from the last render if the keeper has it, else rendered
        return _reused(tasks[i], keeper, docs) or write(i)

    if len(tasks) < PARALLEL_ABOVE:
        paths = [one(i) for i in range(len(tasks))]
        write_data(data, docs, database, layout.url, rows, written=written, published=published)
        return paths

    def data_files(meanwhile: Callable[[], object]) -> None:
        write_data(data, docs, database, layout.url, rows, written=written, published=published, meanwhile=meanwhile)

    return _in_two(tasks, keeper, one, data_files)


def _in_two(
    tasks: list[Callable[[], Page]],
    keeper: KeptPages | None,
    one: Callable[[int], str],
    data_files: Callable[[Callable[[], object]], None],
) -> list[str]:
    """Every page dealt to this process and a forked one, one at a time, the pages never kept
    first (the costliest, the reviewer dashboard, first of all): each side works out a page's key
    itself and links it from the last render, or renders it (`one`). The other process writes
    the data files first (`data_files`), and takes its share before it waits for the database's
    published copy, which is still being made; it sends back the keys it worked out. Returns each
    page's path."""
    dispenser = Dispenser()

    def pages() -> list[tuple[int, str]]:
        try:
            never = [i for i, task in enumerate(tasks) if keeper is None or not isinstance(task, Task)]
            dispenser.put(never + sorted(set(range(len(tasks))) - set(never)))
        finally:
            dispenser.close()
        return dispenser.each(one)

    def data_and_pages() -> tuple[list[tuple[int, str]], dict[str, str]]:
        dispenser.forked()
        done: list[tuple[int, str]] = []
        data_files(lambda: done.extend(dispenser.each(one)))
        return done, keeper.keys if keeper is not None else {}

    mine, (theirs, keys) = beside(pages, data_and_pages)
    if keeper is not None:
        keeper.keys.update(keys)
    paths = [""] * len(tasks)
    for i, path in mine + theirs:
        paths[i] = path
    return paths


def _reused(task: Callable[[], Page], keeper: KeptPages | None, docs: Path) -> str | None:
    """The path of `task`'s page if the keeper put it in `docs` from the last render (kb.render.kept)."""
    if keeper is not None and isinstance(task, Task) and keeper.reuse(task.path, task.key(), docs):
        return task.path
    return None


def render_site(
    kb: KnowledgeBase,
    weights: Weights,
    out: Path,
    *,
    version: project.Version,
    src: Path | None = None,
    database: Path | None = None,
    draws: int | None = None,
    seed: int | None = None,
    step: Step | None = None,
    group: int = GROUP_ABOVE,
    history_cache: Path | None = None,
    explanations: dict[str, Explanation] | None = None,
    computed: Extras | None = None,
    kept: KeptPages | None = None,
    rows: KeptRows | None = None,
    written: Path | None = None,
    published: Published | None = None,
    analyses: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> Rendered:
    """Aggregate and render every page into out/docs (by way of out/docs.next: a file whose bytes
    did not change keeps its modification time, kb.render.staging) and write out/mkdocs.yml;
    returns that config, for `project.run`, and the files that changed. `src` is the hand-written
    project (default: site/ in the repository); `step` is told as each stage starts (for a
    progress display); `history_cache` is where credence history is cached per commit;
    `explanations` and `computed`: explain_all and kb.render.views.extras with the same draws and
    seed, if the caller already has them; `kept`: the pages of the last render that may be kept
    (kb.render.kept); `rows`: the findings' rows in the data files, likewise (kb.render.rows);
    `written`: a folder where the caller had the claims' data files written (kb.render.exports
    write_claims, with the layout's links: FindingLayout.of(kb.claims, group, PER_GROUP).url);
    `published`: the database's published copy, if the caller started it (kb.db.publish.Published);
    `analyses`: the content keys of `explanations` and `computed` by hypothesis, if the caller
    keeps them (kb.memo.Memo.analyses: the kept pages' keys then name them instead of reading them);
    `notes`: each hypothesis' robustness note (kb.render.notes), if the caller has them."""
    tell = step or (lambda _: None)
    src = src or project.site_project(kb.root)
    docs, site = out / "docs", out / "site"
    tell("aggregate")
    with gc_paused():
        data = site_data(
            kb, weights, draws=draws, seed=seed, history_cache=history_cache, explanations=explanations, computed=computed, notes=notes
        )
    data.version = version
    data.analyses = dict(analyses or {})
    tell("render")
    staged = out / "docs.next"
    with heap_frozen():
        generated = render_docs(
            data,
            src,
            staged,
            database,
            group=group,
            keeper=kept,
            compiled=out / TEMPLATES_CACHE,
            rows=rows,
            written=written,
            published=published,
        )
    if kept is not None:
        kept.forget()  # until the new render is in place of the last
    changed = replace_tree(staged, docs, out / TRASH)  # emptied beside the engine's run (kb.pipeline)
    if kept is not None:
        kept.commit()
    return Rendered(project.write_config(src / "mkdocs.yml", docs, site, out / "mkdocs.yml", version, generated), changed)
