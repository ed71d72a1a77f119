"""`kb site build`: render the knowledge base into build/docs/ (the hand-written pages and the
data files) and build/html/ (the generated pages: their HTML bodies and a manifest, from which
kb.render.mkdocs_hooks makes MkDocs pages that Markdown never re-parses), write build/mkdocs.yml
from the hand-written site/mkdocs.yml, and run a strict MkDocs Material build into build/site/ (in
a process started early, kb.render.mkdocs_process). Nothing is ever written into site/ or claims/.

KB_SITE_GROUP_ABOVE (environment) overrides how many findings a knowledge base may have before
finding pages are grouped (kb.render.pages.GROUP_ABOVE)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from kb.bulk import gc_paused, heap_frozen, in_two
from kb.render import mkdocs_hooks
from kb.render.exports import write_data
from kb.render.mkdocs_process import MkDocsRun, SiteBuildFailed, site_project
from kb.render.pages import GROUP_ABOVE, PER_GROUP, FindingLayout, Page, Renderer
from kb.render.views import SiteData, site_data
from kb.store import KnowledgeBase
from kb.weights import Weights

METHODOLOGY_STUB = "# Methodology\n\nThe methodology page has not been written yet.\n"
Step = Callable[[str], None]


def _nav_exists(entry: Any, docs: Path, generated: Collection[str]) -> bool:
    if isinstance(entry, dict):
        return all(_nav_exists(v, docs, generated) for v in entry.values())
    if isinstance(entry, list):
        return any(_nav_exists(v, docs, generated) for v in entry)
    return "://" in str(entry) or str(entry) in generated or (docs / str(entry)).is_file()


def write_config(src: Path, docs: Path, site: Path, target: Path, generated: Collection[str] = ()) -> Path:
    """build/mkdocs.yml: the hand-written config with absolute docs and site folders, strict mode,
    and nav entries whose page does not exist (in docs/, or among the `generated` pages) left out."""
    config = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    config["docs_dir"] = str(docs.resolve())
    config["site_dir"] = str(site.resolve())
    config["strict"] = True
    config["hooks"] = [*config.get("hooks", []), str(Path(mkdocs_hooks.__file__).resolve())]
    if "nav" in config:
        pages = set(generated)
        config["nav"] = [e for e in config["nav"] if _nav_exists(e, docs, pages)]
    target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


PARALLEL_ABOVE = 400  # pages: below this, one process renders them all


def group_above() -> int:
    """How many findings the site shows one page each before grouping them (KB_SITE_GROUP_ABOVE)."""
    raw = os.environ.get("KB_SITE_GROUP_ABOVE", "").strip()
    try:
        return int(raw) if raw else GROUP_ABOVE
    except ValueError:
        raise SiteBuildFailed(f"KB_SITE_GROUP_ABOVE={raw!r}: not a whole number") from None


def render_docs(data: SiteData, src: Path, docs: Path, database: Path | None, *, group: int | None = None) -> list[str]:
    """Fill `docs` with the hand-written pages of `src/docs` and the data files, and the sidecar
    folder next to it with the generated pages: their bodies packed into one file per process and
    the manifest (kb.render.mkdocs_hooks.MANIFEST) from which the MkDocs hooks make each of them a
    page. Returns the generated pages' paths (relative to docs/). Findings are grouped above
    `group` of them (default: group_above())."""
    sidecar = mkdocs_hooks.sidecar_dir(docs)
    for folder in (docs, sidecar):
        if folder.exists():
            shutil.rmtree(folder)
    if (src / "docs").is_dir():
        shutil.copytree(src / "docs", docs)
    docs.mkdir(parents=True, exist_ok=True)
    sidecar.mkdir(parents=True)
    if not (docs / "methodology.md").is_file():
        (docs / "methodology.md").write_text(METHODOLOGY_STUB, encoding="utf-8")
    layout = FindingLayout.of(data.kb.claims, group_above() if group is None else group, PER_GROUP)
    renderer = Renderer(data, layout)
    for name in renderer.env.list_templates():  # compiled once, before the second process forks
        renderer.env.get_template(name)
    tasks = renderer.tasks()
    packs: dict[int, tuple[str, BinaryIO]] = {}  # by process: a file each, so the two never share one

    def write(task: Callable[[], Page]) -> tuple[str, dict[str, Any]]:
        page = task()
        if (pid := os.getpid()) not in packs:
            name = f"bodies-{pid}.html"
            packs[pid] = name, open(sidecar / name, "wb", buffering=0)  # noqa: SIM115 - closed below (or by the child's exit: unbuffered)
        name, pack = packs[pid]
        body = (page.body.strip() + "\n").encode("utf-8")
        at = pack.tell()
        pack.write(body)
        return page.path, mkdocs_hooks.manifest_entry(page.front_meta(), page.body, name, at, len(body))

    try:
        pages = in_two(tasks, write, parallel=len(tasks) >= PARALLEL_ABOVE)  # every other page in a second process
    finally:
        for _, pack in packs.values():
            pack.close()
    manifest = json.dumps(dict(pages), ensure_ascii=False, separators=(",", ":"))
    (sidecar / mkdocs_hooks.MANIFEST).write_text(manifest, encoding="utf-8")
    write_data(data, docs, database, layout.url)
    return [path for path, _ in pages]


def build_site(
    kb: KnowledgeBase,
    weights: Weights,
    out: Path,
    *,
    src: Path | None = None,
    database: Path | None = None,
    draws: int | None = None,
    seed: int | None = None,
    step: Step | None = None,
    group: int | None = None,
    mkdocs: MkDocsRun | None = None,
) -> Path:
    """Render and build the whole site: returns the built site's folder (out/site). `src` is the
    hand-written MkDocs project (default: site/ in the repository); `step` is told as each stage
    starts (for a progress display); `group` overrides group_above(); `mkdocs` is a build process
    started earlier (default: one started here, before aggregating)."""
    tell = step or (lambda _: None)
    src = src or site_project(kb.root)
    docs, site = out / "docs", out / "site"
    with mkdocs or MkDocsRun(src / "mkdocs.yml") as run:
        tell("aggregate")
        with gc_paused():
            data = site_data(kb, weights, draws=draws, seed=seed)
        tell("render")
        with heap_frozen():
            generated = render_docs(data, src, docs, database, group=group)
        config = write_config(src / "mkdocs.yml", docs, site, out / "mkdocs.yml", generated)
        tell("mkdocs")
        run.build(config)
    return site
