"""The build pipeline behind `kb build` and `kb site build`: check, database, aggregate, render,
site, all under build/. Each part is skipped when the content hash of its inputs equals the one
recorded in build/stamps.json when it last succeeded:

- check and database: every file under claims/ (paths and bytes);
- aggregate, render and site: those, the hand-written site project, the kb package's code and
  templates and the versions of the libraries that shape them (kb.libraries), the build settings
  (draws, seed, engine, grouping) and the commits to claims/ that the drift chart shows.

A stamp is written only after its part succeeded, so a failed build is redone in full next time.
A file of claims/ is hashed again only when its size or modification time changed (or that time
was within a clock tick of the last hashing): build/cache/digests.pickle keeps the rest. Hidden
files are left out, as the loader leaves them, and the stats taken on the way are the database's
own freshness check (kb.db.freshness.scan), handed to the rendering child.
Credence history is cached per commit under build/cache/history/ (kb.history.by_commit_all), and
each unit of hypotheses' analyses under build/cache/analysis/ by the files it reads (kb.memo):
after one claim changes, only the units its links reach are analysed again.

When the site is due, the pages of findings, of hypotheses and of the records that list findings
are kept from the last render unless what they show changed (kb.render.kept), and so are each
finding's rows in the data files (kb.render.rows); every other page is rendered again.
A page whose Markdown did not change keeps its file (kb.render.staging); if the engine's last
build was of the same project (the "shape" stamp: configuration but the version line,
hand-written project, code, engine, set of files), MkDocs then builds only the changed pages into
it (kb.render.project.rebuild). Anything else is a full engine build, and so is a build at a
commit other than the last build's. While claims/ has uncommitted changes, a page not built again
keeps the footer of the build that last changed it: the commit and build time of a portfolio that
gave that very page (the data files and downloads always carry the current version)."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kb import parsed, pickled
from kb.bulk import Forked, Primed, alongside, gc_paused, in_child
from kb.db.freshness import build_dir, db_path, scan
from kb.files import SAME_TICK
from kb.git import GitUnavailable, Started
from kb.libraries import versions
from kb.paths import CLAIMS_DIR
from kb.render import project
from kb.render.sizes import GROUP_ABOVE, HISTORY_COMMITS
from kb.render.staging import TRASH, discard, empty, files_under, move_aside

if TYPE_CHECKING:
    from kb.db.freshness import FileStats
    from kb.db.publish import Published
    from kb.errors import Problem
    from kb.memo import Others
    from kb.portfolio import Explanation
    from kb.render.builder import Rendered
    from kb.render.views import Extras
    from kb.store import KnowledgeBase
    from kb.weights import Weights

STEPS = ("check", "database", "aggregate", "render", "site")
STAMPS = "stamps.json"
FINDINGS = "findings"  # the folder of claims/ that holds the findings
HISTORY_CACHE = "cache/history"
DIGESTS_CACHE = "cache/digests.pickle"  # each claims/ file's size, modification time and sha256
ANALYSIS_CACHE = "cache/analysis"
CLAIMS_NEXT = "claims.next"  # the claims' data files, written beside the analyses (kb.render.exports)
PUBLISHED_NEXT = "published.sqlite"  # the database's published copy, until the render moves it in
PACKAGE = Path(__file__).resolve().parent
Step = Callable[[str], None]
Checked = tuple["FileStats", str, "KnowledgeBase", "list[Problem]"]  # _checked: stats, fingerprint, records, problems
Scanned = tuple["FileStats", str]  # every claims/ file's stats and the database's fingerprint (kb.db.freshness.scan)


@dataclass(frozen=True)
class Settings:
    """What a site build is asked for besides the files: part of its inputs' hash."""

    draws: int | None = None
    seed: int | None = None
    engine: str = "mkdocs"
    group: int = GROUP_ABOVE


@dataclass
class Outcome:
    site: Path
    claims: int | None = None  # claims checked (None: the check was skipped)
    skipped: list[str] = field(default_factory=list)
    pages: int | None = None  # pages the engine built again in place of its last build (None: a full build)


class _Hashed:
    """sha256 of files, each read again only when its size or modification time changed since it
    was last hashed under `kept` (a file under build/; None: every file is read), or when that
    time was within SAME_TICK of the hashing (an edit in the same tick of a coarse clock keeps
    both: such a file is hashed again, as git does with its index). `save` keeps what was hashed."""

    def __init__(self, kept: Path | None) -> None:
        self.kept = kept
        held_before = pickled.kept(kept) if kept is not None else None
        self.trusted_before, self.before = held_before if isinstance(held_before, tuple) else (0, {})
        self.now = time.time_ns()
        self.stats: dict[str, tuple[int, int, bytes]] = {}

    def digest(self, rel: str, full: str, st: os.stat_result) -> bytes | None:
        """The sha256 of the file `full` (`rel` names it in `kept`) whose stat is `st`; None
        for anything but a regular file."""
        if not stat.S_ISREG(st.st_mode):
            return None
        held = self.before.get(rel)
        if held is not None and held[:2] == (st.st_size, st.st_mtime_ns) and st.st_mtime_ns < self.trusted_before:
            digest: bytes = held[2]
        else:
            with open(full, "rb") as file:  # noqa: PTH123 - a str path: no Path per file
                digest = hashlib.sha256(file.read()).digest()
        self.stats[rel] = (st.st_size, st.st_mtime_ns, digest)
        return digest

    def save(self) -> None:
        if self.kept is not None and self.stats != self.before:
            pickled.keep(self.kept, (self.now - SAME_TICK, self.stats))


def _file_digests(folder: Path, suffixes: tuple[str, ...] = (), *, kept: Path | None = None) -> dict[str, bytes]:
    """sha256 of every regular file under `folder` (with `suffixes`, only the files ending in one
    of them), by path relative to it; with `kept`, read again only when changed (_Hashed)."""
    hashed = _Hashed(kept)
    out: dict[str, bytes] = {}
    for rel_path in files_under(folder):
        full = os.path.join(folder, rel_path)
        if suffixes and os.path.splitext(rel_path)[1] not in suffixes:
            continue
        try:
            st = os.stat(full)
        except OSError:
            continue
        digest = hashed.digest(rel_path, full, st)
        if digest is not None:
            out[rel_path] = digest
    hashed.save()
    return out


def _claim_digests(root: Path, kept: Path | None) -> tuple[dict[str, bytes], Scanned]:
    """sha256 of every regular file under claims/ the database reads (hidden ones left out), by
    path relative to claims/, as `_file_digests`; and on the way, every file's stats and the
    database's fingerprint (kb.db.freshness.scan), which the rendering child's update of the
    database then need not work out again (a second walk: 0.4 s at 50k files)."""
    hashed = _Hashed(kept)
    out: dict[str, bytes] = {}
    skip = len(CLAIMS_DIR) + 1

    def each(rel: str, full: str, st: os.stat_result) -> None:
        in_claims = rel[skip:]
        digest = hashed.digest(in_claims, full, st)
        if digest is not None:
            out[in_claims] = digest

    scanned = scan(root, each)
    hashed.save()
    return out, scanned


def _tree_digest(*trees: dict[str, bytes]) -> str:
    """One sha256 over the paths and digests of `trees` (_file_digests), in a fixed order."""
    digest = hashlib.sha256()
    for n, tree in enumerate(trees):
        digest.update(f"tree {n}\0".encode())
        for rel_path in sorted(tree):
            digest.update(rel_path.encode() + b"\0" + tree[rel_path])
    return digest.hexdigest()


class GitFacts:
    """What a build asks git: the commits to claims/ the drift chart shows, the last one and its
    date, and whether claims/ has uncommitted changes. The three commands start at once, when this
    is made (beside the hashing of claims/: `git status` stats every file, 0.12 s at 50k), and are
    waited for when asked; outside git, or without git, each answer is empty."""

    def __init__(self, root: Path) -> None:
        self.started = {
            "commits": Started(root, "log", f"-n{HISTORY_COMMITS}", "--format=%H", "--", CLAIMS_DIR),
            "head": Started(root, "log", "-n1", "--format=%H %cs", "--", CLAIMS_DIR),
            "dirty": Started(root, "status", "--porcelain", "--", CLAIMS_DIR),
        }

    def _answer(self, name: str) -> bytes | None:
        try:
            return self.started[name].output()
        except GitUnavailable:
            return None

    def commits(self) -> str:
        """The commits to claims/ the drift chart shows (empty outside git)."""
        return (self._answer("commits") or b"").decode()

    def version(self) -> project.Version:
        """The last commit to claims/ (and its date), unless claims/ has uncommitted changes; and now."""
        built = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
        head, dirty = self._answer("head"), self._answer("dirty")
        parts = (head or b"").decode().split()
        if head is None or dirty is None or len(parts) != 2 or dirty.strip():
            return project.Version(None, None, built)
        return project.Version(parts[0], parts[1], built)

    def close(self) -> None:
        """Wait for every command (those not asked about included)."""
        for name in self.started:
            self._answer(name)


class Stamps:
    """build/stamps.json: the inputs' hash of each part as it last succeeded."""

    def __init__(self, out: Path) -> None:
        self.path = out / STAMPS
        try:
            self.known: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    def fresh(self, part: str, digest: str) -> bool:
        return self.known.get(part) == digest

    def record(self, part: str, digest: str) -> None:
        self.known[part] = digest
        self._save()

    def drop(self, part: str) -> None:
        if self.known.pop(part, None) is not None:
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.known, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def forget(self) -> None:
        self.known = {}
        self.path.unlink(missing_ok=True)


def _checked(base: Path, scanned: Scanned | None = None) -> Checked:
    """Every file's stats and the database's fingerprint (kb.db.freshness.scan, unless `scanned`
    holds them), then the records and their problems (the same check as `kb check`, weights file
    included)."""
    from kb.check import check

    files, fp = scanned or scan(base)
    return (files, fp, *check(base))


def _check_and_index(
    base: Path, first: bool, early: Checked | None = None, scanned: Scanned | None = None
) -> tuple[int, KnowledgeBase | None]:
    """The check and the database: from scratch the first time (`_checked`, unless `early` holds
    what it gave), else in place for edited or added claim files (kb.db.build.refresh).
    Returns the number of claims and, from scratch, the checked records (the render needs them
    too: read back from the database they would cost a second load); raises
    InvalidKnowledgeBase with every problem. The caller holds the build lock."""
    from kb.db import build as database
    from kb.db.queries import rows
    from kb.errors import InvalidKnowledgeBase
    from kb.weights import load_weights

    if first:
        files, fp, kb, problems = early or _checked(base, scanned)
        if problems:
            raise InvalidKnowledgeBase(problems)
        database.build(kb, files, fp, [])
        return len(kb.claims), kb
    database.refresh(base, strict=True, scanned=scanned)
    load_weights(base)  # raises InvalidWeights, a KbError naming the file and field
    return int(rows(base, "SELECT count(*) FROM claim")[0][0]), None


def start_renderer(root: Path | None = None, *, force: bool = False) -> Primed[Plan, RenderResult]:
    """The child that will check, aggregate and render, forked now: it loads the modules it needs
    while the caller goes on (say, loading its own progress display). Pass it to `build` (with the
    same `root` and `force`), and `cancel` it if `build` is never called. Given `root`, when the
    check is certain to be from scratch (with `force`, or without a database yet) the child starts
    it at once, beside the parent's hashing of the inputs (at 50k findings, seconds; a cold page
    cache makes that hashing the longer)."""
    early = root if root is not None and (force or not db_path(root).is_file()) else None
    return Primed(_render, lambda: _prime(early))


_EARLY: dict[Path, Checked] = {}  # in the rendering child: the check `_prime` did, by root


def _prime(root: Path | None) -> None:
    """The rendering child's start: its modules, and with `root`, the whole check of it (its
    records left out of the collector from then on, as `_render` leaves them), its record files
    parsed meanwhile by a helper (kb.parsed)."""
    if root is None:
        _renderer_modules()
        return
    parsed.start(root)
    _renderer_modules()
    with gc_paused():
        try:
            _EARLY[root] = _checked(root)
        except Exception:  # noqa: BLE001 - ahead of being asked: `_render` checks again and reports it
            return
        gc.freeze()


def build(
    root: Path,
    settings: Settings = Settings(),
    *,
    step: Step | None = None,
    force: bool = False,
    renderer: Primed[Plan, RenderResult] | None = None,
) -> Outcome:
    """Everything under build/, skipping each part whose inputs did not change (with `force`,
    none, and nothing kept from earlier builds is read but the credence history by commit).
    Returns the built site's folder, the claims checked and the parts skipped. Builds of one tree
    take turns (kb.db.lock.build_lock). `renderer`: from `start_renderer` (by default started
    here); it is ended when the build is."""
    from kb.db.lock import build_lock

    # the rendering child loads its modules while this process hashes the inputs and decides what
    # is due; it is killed if nothing is
    renderer = renderer or start_renderer(root, force=force)
    try:
        with build_lock(root):
            git = GitFacts(root)  # its commands run beside the hashing of claims/
            try:
                return _due(root, settings, step or (lambda _: None), force, git, renderer)
            finally:
                git.close()
    finally:
        renderer.cancel()


def _due(root: Path, settings: Settings, tell: Step, force: bool, git: GitFacts, renderer: Primed[Plan, RenderResult]) -> Outcome:
    out = build_dir(root)
    stamps = Stamps(out)
    if force:
        stamps.forget()
    src = project.site_project(root)
    outcome = Outcome(out / "site")
    tell("check")
    database = db_path(root)
    first = "database" not in stamps.known or not database.is_file()
    claim_files, scanned = _claim_digests(root, None if force else out / DIGESTS_CACHE)
    claims = _tree_digest(claim_files)
    index = not (stamps.fresh("database", claims) and database.is_file())  # the check and database are due
    if not index:
        outcome.skipped += ["check", "database"]
    site_src = _tree_digest(_file_digests(src))
    # the kb package and the versions of the libraries that shape what is kept (kb.libraries)
    code = _tree_digest(_file_digests(PACKAGE, suffixes=(".py", ".j2", ".sql")), {"libraries": versions().encode()})
    records = _tree_digest({rel: d for rel, d in claim_files.items() if rel.split(os.sep, 1)[0] != FINDINGS})
    # what every finding page shows besides its own findings: the other records, and the code
    beyond_findings = _tree_digest({"records": records.encode(), "code": code.encode()})
    findings = {f"{CLAIMS_DIR}/{rel.replace(os.sep, '/')}": d for rel, d in claim_files.items() if rel.split(os.sep, 1)[0] == FINDINGS}
    inputs = "\n".join([claims, site_src, code, repr(settings), git.commits()])
    site_digest = hashlib.sha256(inputs.encode()).hexdigest()
    if stamps.fresh("site", site_digest) and (outcome.site / "index.html").is_file():
        if index:  # in a child process too: the records the check loads go back to the system
            outcome.claims = in_child(lambda _: _check_and_index(root, first=first, scanned=scanned)[0], tell)
            stamps.record("database", claims)
        outcome.skipped += ["aggregate", "render", "site"]
        return outcome

    version = git.version()
    plan = Plan(
        root, out, src, settings, force, index, first, records, code, beyond_findings, findings, scanned if index else None, version
    )
    outcome.claims, config, changed = renderer.run(plan, tell)
    if index:
        stamps.record("database", claims)
    tell("site")
    # the engine's last build can be updated in place when it built the same project: the same
    # configuration but the footer's version line, the same hand-written project, code and files
    shape = hashlib.sha256(
        "\n".join([project.shape(config), site_src, code, settings.engine, *files_under(out / "docs")]).encode()
    ).hexdigest()
    # and not at a commit other than the last build's: a published build's footers all name it
    last_commit = stamps.known.get("commit")
    again = stamps.fresh("shape", shape) and (outcome.site / "index.html").is_file() and version.commit in (None, last_commit)
    stamps.drop("shape")  # a failed engine run leaves a site that only a full build can trust
    if again:  # the engine copies each changed data file over the last: it then writes a new file
        for rel in changed:
            if not rel.endswith(".md"):
                move_aside(str(outcome.site / rel), out / TRASH)
    elif outcome.site.is_dir():  # a whole build empties the site first: it starts from none instead
        discard(str(outcome.site), out / TRASH)
    # what the render and this set aside is deleted beside the engine's run (its blocks freed)
    emptying = threading.Thread(target=empty, args=(out / TRASH,), daemon=True)
    emptying.start()
    try:
        if project.run(config, settings.engine, changed=changed if again else None):
            outcome.pages = len([p for p in changed if p.endswith(".md")])
    finally:
        emptying.join()
    stamps.record("shape", shape)
    stamps.record("commit", version.commit or last_commit or "")
    stamps.record("site", site_digest)
    return outcome


RenderResult = tuple[int | None, Path, list[str]]  # the claims checked, the engine's config, the docs files that changed


@dataclass(frozen=True)
class Plan:
    """What the rendering child is asked to do (sent to it once the inputs are hashed)."""

    root: Path
    out: Path  # build/
    src: Path  # the hand-written site project
    settings: Settings
    force: bool
    index: bool  # the check and database are due
    first: bool  # from scratch (no database yet)
    records: str  # the digest of every record file but the findings
    code: str  # the digest of the kb package
    beyond_findings: str  # what every finding page shows besides its findings: records and code
    findings: dict[str, bytes]  # each finding file's sha256, by path from the root
    scanned: Scanned | None  # the stats of claims/ those were read with, and the database's fingerprint (if `index`)
    version: project.Version


def _renderer_modules() -> None:
    """What the rendering child imports while the parent hashes the inputs (about 0.3 s)."""
    import kb.db.aggregates
    import kb.db.build
    import kb.db.publish
    import kb.memo
    import kb.render.builder
    import kb.render.exports
    import kb.render.views  # noqa: F401


def _render(plan: Plan, step: Step) -> RenderResult:
    """The check and database if due, then aggregate and render, in a child process: the records
    it loads are gone before the engine starts. Returns the claims checked, the engine's
    configuration and the files that changed (plain values: the parent need not import the
    renderer to read them)."""
    from kb.db.publish import Published, clear_derived

    prechecked = _EARLY.pop(plan.root, None)
    with gc_paused():
        checked, kb = _check_and_index(plan.root, first=plan.first, early=prechecked, scanned=plan.scanned) if plan.index else (None, None)
    # the database's published copy, started now on a thread (SQLite works without Python's lock):
    # its records beside the load and the analyses, on the core they leave idle; its portfolio
    # tables, which they fill, last (kb.db.publish.Published: early)
    database = db_path(plan.root)
    clear_derived(database)
    published = Published(database, plan.out / PUBLISHED_NEXT, early=True)
    try:
        return _loaded_and_rendered(plan, kb, checked, published, step)
    finally:
        published.close()
        (plan.out / PUBLISHED_NEXT).unlink(missing_ok=True)


def _loaded_and_rendered(plan: Plan, kb: KnowledgeBase | None, checked: int | None, published: Published, step: Step) -> RenderResult:
    """The records (`kb`, from the check, or read back from the database), then the analyses and
    the render, with the database's published copy under way."""
    from kb.db.build import read
    from kb.render.exports import write_claims_aside
    from kb.render.pages import FindingLayout
    from kb.render.rows import KeptRows
    from kb.render.sizes import PER_GROUP
    from kb.weights import load_weights

    with gc_paused():
        if kb is None:
            kb = read(plan.root)
        # each finding's part of the kept rows' and pages' keys, made once here, before the
        # processes that read them fork (made by each after, they cost 0.1 s at 10k in the render)
        loaded = kb.loaded_all(plan.findings)
        for cid in kb.claims:
            loaded[cid]  # noqa: B018 - made on first lookup
        gc.freeze()  # the records live as long as this process: no collection need walk them
    weights = load_weights(plan.root)
    # the claims' data files need the records alone, and are moved into the render's docs. With
    # the last build's rows kept (few to make), they are written at once in a process of their
    # own while this one warms up and analyses; with every row to make (heavy, and a third process
    # copying the records' pages as it reads them raised the peak memory at 50k to 1.9 GiB), by
    # the process of the approved and drift views once those are done (it has time to spare)
    claims_files = plan.out / CLAIMS_NEXT
    shutil.rmtree(claims_files, ignore_errors=True)
    layout = FindingLayout.of(kb.claims, plan.settings.group, PER_GROUP)
    rows = KeptRows(plan.out, plan.code, plan.findings, fresh=plan.force)

    def write() -> None:
        write_claims_aside(kb, claims_files, layout.url, rows)

    early = Forked(write) if rows.kept() else None
    try:
        return _analyse_and_render(plan, kb, weights, early, None if early else write, checked, published, step)
    finally:
        if early is not None:
            early.wait()
        shutil.rmtree(claims_files, ignore_errors=True)


def _analyse_and_render(
    plan: Plan,
    kb: KnowledgeBase,
    weights: Weights,
    early: Forked[None] | None,
    late: Callable[[], None] | None,
    checked: int | None,
    published: Published,
    step: Step,
) -> RenderResult:
    """The claims' data files: `early`, being written already, or `late`, to write beside the
    approved and drift views."""
    from kb.aggregate import warm
    from kb.db.aggregates import portfolio_rows, write_portfolio
    from kb.db.publish import write_metadata
    from kb.memo import Memo
    from kb.memo import explained as memo_explained
    from kb.render.notes import robustness
    from kb.render.views import extras

    settings, out, database = plan.settings, plan.out, db_path(plan.root)
    step("aggregate")
    memo = Memo(out / ANALYSIS_CACHE, weights, settings.draws, settings.seed, records=plan.records, files=plan.findings, fresh=plan.force)
    if memo.due(kb):  # some unit is to analyse, in each of the processes forked below (the keys made once, here)
        warm(weights)

    def analysed(ready: Callable[[], object]) -> tuple[dict[str, Explanation], Others]:
        # the default profile explained (for the database and the pages), the other profiles'
        # portfolio rows (for the database only) beside it, once the views' process (and the
        # claims' files') has ended (at 50k three processes copying the records' pages had taken
        # the peak to 2 GiB); each unit of hypotheses whose evidence did not change is read back
        # from the memo
        return memo_explained(kb, weights, settings.draws, settings.seed, memo=memo, ready=ready)

    def extra() -> Extras:
        # the approved-only view and the drift over dates need none of that: on the second core
        # while the default view is explained (a memo prunes what its own process used)
        computed = extras(kb, weights, settings.draws, settings.seed, memo=memo)
        memo.prune(("approved", "dates"))
        if late is not None:
            late()
        return computed

    views = Forked(extra)

    def ready() -> None:  # the other processes holding copies of the records have ended
        views.wait()
        if early is not None:
            early.wait()

    (explained, others), computed = alongside(views, lambda: analysed(ready))
    memo.prune(("explained",))

    def last_writes() -> None:
        write_portfolio(database, portfolio_rows(kb, weights, settings.draws, settings.seed, explained, others=others))
        write_metadata(database)

    # the database's last writes (its portfolio tables, every profile: the pages need only the
    # default one's explanations) in a process of their own (a thread would wait for Python's lock
    # at every row), then the published copy's, on its thread, beside the site's data and the render
    published.copied()  # the process uses SQLite: not forked while the copy's thread does
    written = Forked(last_writes)
    published.then(written.result)
    if early is not None:
        early.result()
    # each note reads what its hypothesis' analyses read: kept by their key
    analyses = memo.analyses(kb)
    notes = memo.by_analyses("notes", analyses, lambda h: robustness(kb, explained[h].summary, explained[h]), plan.code)
    rendered = _rendered(plan, kb, weights, explained, computed, analyses, notes, published, step)
    return checked, rendered.config, rendered.changed


def _rendered(
    plan: Plan,
    kb: KnowledgeBase,
    weights: Weights,
    explained: dict[str, Explanation],
    computed: Extras,
    analyses: dict[str, str],
    notes: dict[str, str],
    published: Published,
    step: Step,
) -> Rendered:
    from kb.render.builder import render_site
    from kb.render.kept import KeptPages

    settings, out = plan.settings, plan.out
    return render_site(
        kb,
        weights,
        out,
        version=plan.version,
        src=plan.src,
        database=db_path(plan.root),
        draws=settings.draws,
        seed=settings.seed,
        step=step,
        group=settings.group,
        history_cache=out / HISTORY_CACHE,
        explanations=explained,
        computed=computed,
        kept=KeptPages(out, plan.beyond_findings, plan.findings, fresh=plan.force),
        written=out / CLAIMS_NEXT,
        published=published,
        analyses=analyses,
        notes=notes,
    )
