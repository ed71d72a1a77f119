"""Generated pages: Jinja2 templates (kb/templates/, autoescape on) rendered into HTML, so
Markdown never interprets user text and Jinja never evaluates it (it only ever arrives as a
variable). Each page is written as one Markdown file (`Page.markdown()`): JSON front matter and
the body as one raw HTML block (a <div>), which Markdown passes through untouched.

Above GROUP_ABOVE findings, findings are rendered PER_GROUP to a page, one section each,
anchored by the finding's id; every link to a finding goes through `FindingLayout.url`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from kb import audit
from kb.history import HISTORY_DRAWS, Point
from kb.models import Claim, Hypothesis
from kb.render import passages, svg
from kb.render.notes import TERMS, slug
from kb.render.sizes import GROUP_ABOVE, PER_GROUP, SEARCHED_UP_TO
from kb.render.views import NOT_COUNTED, SiteData
from kb.schemas import RECORDS
from kb.vocab import ALL_VOCABULARIES, Bearing, Controlled, Kind, Missing, Stream

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LIGHTS = {
    Controlled.YES: ("kb-tl-yes", "●", "yes"),
    Controlled.PARTIAL: ("kb-tl-partial", "◐", "partial"),
    Controlled.NO: ("kb-tl-no", "○", "no"),
    Controlled.NOT_REPORTED: ("kb-tl-nr", "?", "not reported"),
    Controlled.UNKNOWN: ("kb-tl-nr", "?", "unknown"),
    Controlled.NOT_APPLICABLE: ("kb-tl-na", "–", "n/a"),
}
DRIFT_AXES = {
    "date": "date the findings arrived (oldest left)",
    "commit": "commit that changed claims/ (oldest left)",
}
FOREST_MAX = 150  # findings drawn in a hypothesis' contribution chart (the largest); the table lists all
MATRIX_BEARINGS = ("supports", "undermines", "mixed", "neutral")  # the model page's columns
# a generated list longer than this shows its first (or strongest) rows and says where the rest are (the
# explorer, the database download, the CLI): a page stays readable, and the site build's memory stays bounded
PAGE_ROWS = 100
# characters that could open a tag or an entity in MkDocs' unescaped <title>: swapped for look-alikes
_TITLE_SAFE = str.maketrans({"<": "‹", ">": "›", "&": "＋", '"': "”", "`": "‘", "\n": " "})


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes (relative to docs/), its browser title and its body."""

    path: str
    title: str
    body: str
    meta: dict[str, Any] = field(default_factory=dict)  # more front matter, e.g. {"search": {"exclude": True}}

    def front_meta(self) -> dict[str, Any]:
        """The page's front matter: its safe title and `meta`."""
        return {"title": safe_title(self.title)} | self.meta

    def front_matter(self) -> str:
        # one `key: <JSON>` line each: JSON is YAML, and json.dumps is ~50x faster than yaml.safe_dump
        front = "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in self.front_meta().items())
        return f"---\n{front}\n---\n"

    def markdown(self) -> str:
        """The page as one Markdown file: front matter and the HTML body as a raw block."""
        return f"{self.front_matter()}\n{self.body.strip()}\n"


@dataclass(frozen=True)
class FindingLayout:
    """Which page each finding is on: its own (`group_of` empty) or one of the grouped pages."""

    group_of: dict[str, int] = field(default_factory=dict)
    groups: list[list[str]] = field(default_factory=list)

    @classmethod
    def of(cls, ids: Iterable[str], group_above: int = GROUP_ABOVE, per_group: int = PER_GROUP) -> FindingLayout:
        ordered = sorted(ids)
        if len(ordered) <= group_above:
            return cls()
        groups = [ordered[i : i + per_group] for i in range(0, len(ordered), max(per_group, 1))]
        return cls({cid: g for g, members in enumerate(groups) for cid in members}, groups)

    @property
    def grouped(self) -> bool:
        return bool(self.groups)

    @staticmethod
    def group_page(g: int) -> str:
        return f"findings/group-{g + 1:04d}"

    def url(self, cid: str, anchor: str = "") -> str:
        """The link to finding `cid` (or to `anchor` inside it), relative to the site's root."""
        if cid in self.group_of:
            return f"{self.group_page(self.group_of[cid])}.html#{cid}" + (f"-{anchor}" if anchor else "")
        return f"findings/{cid}.html" + (f"#{anchor}" if anchor else "")


def db_text(value: float | None) -> str:
    """Decibans as the pages show them (the `db` filter)."""
    return f"{value:+.2f}" if value is not None else "–"


@dataclass(frozen=True)
class Task:
    """A page that can be kept from the last render (`task()` renders it): where it goes, and the
    content key of everything it shows (kb.render.kept)."""

    run: Callable[[], Page]
    path: str
    key: Callable[[], str]

    def __call__(self) -> Page:
        return self.run()


def safe_title(text: str) -> str:
    """A title for the page's <title> and navigation, which MkDocs Material inserts unescaped."""
    return " ".join(text.translate(_TITLE_SAFE).split())[:160]


def environment(compiled: Path | None = None) -> jinja2.Environment:
    """The templates' environment; with `compiled`, a folder where each template's compiled code is
    kept between builds (jinja2's FileSystemBytecodeCache, keyed by the template's source):
    compiling every template took 0.4 s of each build."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = svg.pct
    env.filters["db"] = db_text
    env.filters["cp"] = lambda x: f"{100 * x:+.1f}"
    env.filters["val"] = show
    env.globals["light"] = light
    env.globals["page_rows"] = PAGE_ROWS
    env.globals.update(bearing_badge=bearing_badge, status_badge=status_badge, light_cell=light_cell)
    return env


TOC_FROM = 4  # sections: a page with this many h2 headings gets a table of contents on top
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_SUMMARY = re.compile(r'<p class="kb-summary"[^>]*>.*?</p>\n?', re.S)
_H1_END = re.compile(r"</h1>\n?")


def with_toc(body: str) -> str:
    """The body with a table of contents of its h2 sections after its summary (or its h1) when it
    has TOC_FROM sections or more: the theme's own table of contents sees only Markdown headings."""
    sections = _H2.findall(body)
    at = _SUMMARY.search(body) or _H1_END.search(body)
    if len(sections) < TOC_FROM or at is None:
        return body
    items = "".join(f'<li><a href="#{sid}">{_TAGS.sub("", label).strip()}</a></li>' for sid, label in sections)
    toc = f'<nav class="kb-toc" aria-label="On this page"><strong>On this page</strong><ol>{items}</ol></nav>\n'
    return body[: at.end()] + toc + body[at.end() :]


def show(value: Any) -> str:
    """A field for display: typed missing values spelled out, enums by value, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, Missing):
        return {"not-reported": "not reported", "n-a": "not applicable", "unknown": "unknown"}[value.value]
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


def light(controlled: Controlled) -> dict[str, str]:
    cls, symbol, label = LIGHTS[controlled]
    return {"cls": cls, "symbol": symbol, "label": label, "value": controlled.value}


# Small pieces of markup used in every row of the long lists (tens of thousands of calls at 10k
# findings): Python functions, since a Jinja macro call costs ~20x more. Every value is escaped.


def bearing_badge(value: Any) -> Markup:
    v = escape(show(value))
    return Markup(f'<span class="kb-badge kb-b-{v}">{v}</span>')  # noqa: S704 - escaped above


def status_badge(value: Any) -> Markup:
    v = escape(show(value))
    return Markup(f'<span class="kb-status kb-s-{v}">{v}</span>')  # noqa: S704 - escaped above


def light_cell(controlled: Controlled) -> Markup:
    cls, symbol, label = (escape(x) for x in LIGHTS[controlled])
    return Markup(  # noqa: S704 - escaped above
        f'<td class="kb-tl {cls}" title="controlled: {label}"><span class="kb-dot" aria-hidden="true">{symbol}</span> {label}</td>'
    )


class Renderer:
    """Renders every page of one SiteData."""

    def __init__(
        self, data: SiteData, layout: FindingLayout | None = None, files: Mapping[str, bytes] | None = None, compiled: Path | None = None
    ) -> None:
        self.data = data
        self.kb = data.kb
        self.layout = layout if layout is not None else FindingLayout.of(data.kb.claims)
        self.env = environment(compiled)
        self.files = files  # the sha256 of each finding's file, by path (for the keys of kept pages)

    def render(self, template: str, path: str, title: str, source: str, meta: dict[str, Any] | None = None, **context: Any) -> Page:
        svg.reset_ids()
        depth = path.count("/")
        base = "../" * depth

        def href(kind: str, id: str = "index", anchor: str = "") -> str:
            if kind == "findings" and id != "index":
                return base + self.layout.url(id, anchor)
            return f"{base}{kind}/{id}.html" + (f"#{anchor}" if anchor else "")

        def term(name: str, shown: str | None = None) -> Markup:
            """A term the glossary defines (kb.render.notes.TERMS), linked to its definition."""
            if name not in TERMS:
                raise KeyError(f"{name!r} is not in the glossary (kb.render.notes.TERMS)")
            return Markup(f'<a class="kb-term" href="{base}glossary.html#{slug(name)}">{escape(shown or name)}</a>')  # noqa: S704 - escaped

        def range_href(loc: Any) -> str:
            """A locator's lines in its archived text: the first line's anchor, and `to` (the last
            line) for site/docs/javascripts/lines.js to highlight the whole range."""
            first, last = loc.lines
            return f"{base}texts/{loc.text}.html" + (f"?to={last}" if last != first else "") + f"#L{first}"

        def claim_link(c: Claim) -> Markup:
            return Markup(f'<a href="{escape(href("findings", c.id))}">{escape(c.title)}</a>')  # noqa: S704 - escaped

        body = self.env.get_template(template).render(
            kb=self.kb,
            data=self.data,
            base=base,
            href=href,
            range_href=range_href,
            term=term,
            claim_link=claim_link,
            source=source,
            title=title,
            page_path=path,
            **context,
        )
        return Page(path, title, with_toc(body), meta or {})

    # --- portfolio ------------------------------------------------------------------------------

    def home(self, approved_only: bool = False) -> Page:
        results = self.data.approved if approved_only else self.data.results
        groups = [(s, [results[r.id] for r in rows]) for s, rows in self.data.by_stream()]
        meters = {r.id: Markup(svg.meter(r.prior, r.posterior, *r.interval)) for r in results.values()}
        name = "approved.md" if approved_only else "index.md"
        title = "Portfolio: approved claims only" if approved_only else "The evidence portfolio"
        return self.render("home.html.j2", name, title, "claims/", groups=groups, meters=meters, approved_only=approved_only)

    def hypothesis(self, h: Hypothesis) -> Page:
        d = self.data
        ex = d.explanations[h.id]
        r = d.results[h.id]
        charted = sorted(ex.contributions, key=lambda c: -abs(c.decibans))[:FOREST_MAX]
        bars = [svg.Bar(c.claim, "../" + self.layout.url(c.claim), c.bearing, c.cluster, c.decibans) for c in charted]
        bars.sort(key=lambda b: (b.cluster, -b.value, b.label))
        forest = svg.forest(bars, ex.decibans, f"Contributions to: {h.title}") if bars else ""
        sens = ex.sensitivity
        sweep = svg.prior_sweep(
            [svg.SweepPoint(p.prior, p.posterior, *p.interval) for p in sens.prior_sweep], r.prior, f"Prior sweep for: {h.title}"
        )
        scen = [svg.Scenario(s.name, s.decibans, "weighting profile") for s in sens.profiles]
        scen += [svg.Scenario(f"without {s.name}", s.decibans, "confound class dropped") for s in sens.confound_groups]
        by_bearing: dict[str, list[tuple[Claim, Any]]] = {b.value: [] for b in Bearing}
        for c, link in d.links_of.get(h.id, []):
            by_bearing[link.bearing.value].append((c, link))
        bearing_total = {b: len(items) for b, items in by_bearing.items()}
        weight = {c.claim: abs(c.decibans) for c in ex.contributions}
        for b, items in by_bearing.items():  # a long list keeps its strongest links, in id order
            if len(items) > PAGE_ROWS:
                kept = set(sorted((c.id for c, _ in items), key=lambda cid: (-weight.get(cid, 0.0), cid))[:PAGE_ROWS])
                by_bearing[b] = [(c, link) for c, link in items if c.id in kept]
        cluster_of = {c.claim: c.cluster for c in ex.contributions}
        return self.render(
            "hypothesis.html.j2",
            f"hypotheses/{h.id}.md",
            h.title,
            self.kb.path_of("hypotheses", h.id),
            h=h,
            r=r,
            ra=d.approved[h.id],
            ex=ex,
            meter=Markup(svg.meter(r.prior, r.posterior, *r.interval, width=420)),
            forest=Markup(forest),
            forest_shown=len(bars),
            sweep=Markup(sweep),
            scenarios=Markup(svg.scenarios(scen, ex.decibans, f"Sensitivity of: {h.title}")),
            by_bearing=by_bearing,
            bearing_total=bearing_total,
            cluster_of=cluster_of,
            not_counted=NOT_COUNTED,
            drift_draws=f"{HISTORY_DRAWS:,}",
            drift_dates=d.drift_dates.get(h.id, []),
            drift_commits=d.drift_commits.get(h.id, []),
            drift_date_chart=self._drift(h, d.drift_dates.get(h.id, []), "date"),
            drift_commit_chart=self._drift(h, d.drift_commits.get(h.id, []), "commit"),
        )

    def _drift(self, h: Hypothesis, points: list[Point], axis: str) -> Markup:
        """The drift chart of one hypothesis along one axis ('date' or 'commit'); empty if no point."""
        if not points:
            return Markup("")

        def label(p: Point) -> str:
            return (p.commit or "")[:7] if axis == "commit" else p.at

        def tip(p: Point) -> str:
            where = f"commit {p.commit} ({p.at[:10]})" if axis == "commit" else p.at
            return f"{where}: {svg.pct(p.posterior)} (90% {svg.pct(p.interval[0])} to {svg.pct(p.interval[1])}), {p.n_claims} findings"

        drift = [svg.DriftPoint(label(p), tip(p), p.posterior, *p.interval) for p in points]
        title = f"Credence in {h.title}, by {axis}"
        return Markup(svg.drift(drift, self.data.results[h.id].prior, title, DRIFT_AXES[axis]))

    # --- reviewer dashboard -------------------------------------------------------------------------

    def reviewers(self) -> Page:
        """The reviewer dashboard: what needs review, where reviewers disagree, which confounds are
        most often uncontrolled, thinly sourced hypotheses, broken quotes and recent events."""
        kb = self.kb
        reports = self.data.dashboard
        confounds = reports.uncontrolled
        bars = [
            svg.Count(kb.confounds[r["confound"]].name, f"confounds/{r['confound']}.html", r["n_uncontrolled"], r["n_claims"])
            for r in confounds
            if r["n_uncontrolled"]
        ]
        chart = (
            svg.counts(bars, "Confound types by how many counted findings leave them uncontrolled", "findings leaving it uncontrolled")
            if bars
            else ""
        )
        unreviewed = reports.unreviewed
        return self.render(
            "reviewers.html.j2",
            "reviewers.md",
            "Reviewer dashboard",
            "claims/findings/ (reviews and history)",
            unreviewed=unreviewed,
            queue=self._review_queue({r["claim"]: r for r in unreviewed}),
            unlinked=[r for r in unreviewed if not kb.claims[r["claim"]].links],
            disagreements=reports.disagreements,
            confounds=confounds,
            confound_chart=Markup(chart),
            single_work=reports.single_work,
            quotes=audit.quotes(self.data.problems),
            events=reports.events,
        )

    def _review_queue(self, rows: dict[str, audit.Row]) -> list[tuple[Stream, list[tuple[Hypothesis, list[audit.Row]]]]]:
        """Unreviewed claims under each hypothesis they link to, hypotheses grouped by stream;
        hypotheses with nothing to review left out."""
        out = []
        for stream, results in self.data.by_stream():
            group = []
            for r in results:
                waiting = [rows[c.id] for c, _ in self.data.links_of.get(r.id, []) if c.id in rows]
                if waiting:
                    group.append((self.kb.hypotheses[r.id], waiting))
            if group:
                out.append((stream, group))
        return out

    def _finding_context(self, c: Claim) -> dict[str, Any]:
        contexts = []
        for loc in c.locators:
            text = self.kb.archived(loc.text)
            contexts.append((loc, passages.context(text, loc.lines[0], loc.lines[1], loc.quote)))
        return {
            "c": c,
            "contexts": contexts,
            "result": None if isinstance(c.result, Missing) else c.result,
            "directionless": c.kind in {Kind.METHOD, Kind.DEFINITION, Kind.POSITION},
            "source": self.kb.path_of("findings", c.id),
        }

    def finding(self, c: Claim) -> Page:
        context = self._finding_context(c)
        meta = {"search": {"exclude": True}} if len(self.kb.claims) > SEARCHED_UP_TO else None  # see kb.render.builder
        return self.render("finding.html.j2", f"findings/{c.id}.md", c.title, meta=meta, **context)

    def finding_group(self, g: int) -> Page:
        """One grouped page: the findings of group `g`, one section each."""
        ids = self.layout.groups[g]
        first = sum(len(members) for members in self.layout.groups[:g]) + 1
        title = f"Findings {first:,}–{first + len(ids) - 1:,}: {ids[0]} to {ids[-1]}"
        items = [self._finding_context(self.kb.claims[cid]) for cid in ids]
        meta = {"search": {"exclude": True}}  # the explorer searches findings at this scale (kb.render.builder)
        return self.render("finding_group.html.j2", f"{self.layout.group_page(g)}.md", title, "claims/findings/", meta=meta, items=items)

    def _groups(self) -> list[tuple[str, str]]:
        """The grouped finding pages (none when each finding has its own): title and path."""
        out, first = [], 1
        for g, ids in enumerate(self.layout.groups):
            out.append((f"Findings {first:,}–{first + len(ids) - 1:,}: {ids[0]} to {ids[-1]}", f"{self.layout.group_page(g)}.html"))
            first += len(ids)
        return out

    def hypothesis_key(self, h: Hypothesis) -> str:
        """What a hypothesis' page shows besides the other records and the layout: its results in
        both views, its explanation (or, when the caller keeps the analyses, their content key:
        the same key, the same analyses), robustness note and drift, every finding linked to it
        (as loaded) and the credences of its rivals and of the other answers of its question."""
        d = self.data
        r = d.results[h.id]
        digest = hashlib.sha256()
        if h.id in d.analyses:
            digest.update(d.analyses[h.id].encode() + b"\0")
        else:
            for shown in (r, d.approved[h.id], d.explanations[h.id]):
                digest.update(shown.model_dump_json().encode() + b"\0")
        others = [*r.rivals, *(self.kb.questions[r.question].answers if r.question else [])]
        digest.update(repr((d.notes[h.id], d.drift_dates.get(h.id), d.drift_commits.get(h.id))).encode())
        digest.update(repr([(o, d.results[o].posterior) for o in others if o in d.results]).encode())
        loaded = self.kb.loaded_all(self.files)
        digest.update(b"".join(loaded[c.id] for c, _ in d.links_of.get(h.id, [])))
        return digest.hexdigest()

    def findings_key(self, ids: Sequence[str]) -> str:
        """What a finding's page (or a group's) shows besides the other records and the layout:
        each finding, its contributions as shown (or the content key of the analyses they come
        from, when the caller keeps them) and its discrepancies."""
        digest = hashlib.sha256()
        loaded = self.kb.loaded_all(self.files)
        analyses = self.data.analyses
        for cid in ids:
            shown = [
                analyses.get(link.hypothesis) or db_text(self.data.contribution(link.hypothesis, cid)) for link in self.kb.claims[cid].links
            ]
            digest.update(loaded[cid] + repr((shown, self.data.discrepancies_of.get(cid))).encode())
        return digest.hexdigest()

    def listing_key(self, page: str, listed: Sequence[Claim]) -> str:
        """What a confound's, model's, work's or text's page shows besides the records other than
        findings and the layout: the findings it lists."""
        loaded = self.kb.loaded_all(self.files)
        return hashlib.sha256(page.encode() + b"".join(loaded[c.id] for c in listed)).hexdigest()

    def glossary(self) -> Page:
        """The glossary: the terms, every vocabulary and the documents' definitions (the findings of
        kind definition, picked out here: in the template, a sort of every finding, 0.2 s at 50k)."""
        definitions = sorted((c for c in self.data.kb.claims.values() if c.kind is Kind.DEFINITION), key=lambda c: c.id)
        return self.render(
            "glossary.html.j2",
            "glossary.md",
            "Glossary",
            "kb/render/notes.py, kb/vocab.py and claims/findings/",
            vocabularies=ALL_VOCABULARIES,
            terms=TERMS,
            term_slug=slug,
            definitions=definitions,
        )

    def tasks(self) -> list[Callable[[], Page]]:
        """Every generated page, as a function that renders it (so pages can be shared out
        between processes); the pages of findings and of the records that list them as Tasks
        that can be kept."""
        out: list[Callable[[], Page]] = [self.reviewers]  # the costliest of the pages never kept: dealt out first
        kb = self.kb
        out.append(self.home)
        out.append(partial(self.home, approved_only=True))
        simple: list[tuple[str, str, str, str, dict[str, Any]]] = [
            ("hypotheses.html.j2", "hypotheses/index.md", "Hypotheses", "claims/hypotheses/", {}),
            ("findings.html.j2", "findings/index.md", "Findings", "claims/findings/", {"groups": self._groups()}),
            ("confounds.html.j2", "confounds/index.md", "Confound types", "claims/confounds/", {}),
            ("models.html.j2", "models/index.md", "Models", "claims/models/", {}),
            ("works.html.j2", "works/index.md", "Works", "claims/sources/", {}),
            ("texts.html.j2", "texts/index.md", "Archived texts", "claims/texts/", {}),
            ("discrepancies.html.j2", "discrepancies.md", "Discrepancies", "claims/discrepancies/", {"ctx": self._discrepancy_contexts()}),
            ("explorer.html.j2", "explorer.md", "Explorer", "claims/findings/", {}),
            ("downloads.html.j2", "downloads.md", "Downloads", "claims/", {"schemas": list(RECORDS)}),
            ("changes.html.j2", "changes.md", "Changes", "git history of claims/", {"items": self.data.changes}),
        ]
        for template, path, title, source, more in simple:
            out.append(partial(self.render, template, path, title, source, **more))
        out.append(self.glossary)
        for h in kb.hypotheses.values():
            out.append(Task(partial(self.hypothesis, h), f"hypotheses/{h.id}.md", partial(self.hypothesis_key, h)))
        if self.layout.grouped:
            for g, ids in enumerate(self.layout.groups):
                out.append(Task(partial(self.finding_group, g), f"{self.layout.group_page(g)}.md", partial(self.findings_key, ids)))
        else:
            for c in kb.claims.values():
                out.append(Task(partial(self.finding, c), f"findings/{c.id}.md", partial(self.findings_key, [c.id])))
        d = self.data
        # each record page: its template, folder, records, title and the findings it lists
        each: list[tuple[str, str, dict[str, Any], Callable[[Any], str], Callable[[str], list[Claim]]]] = [
            ("confound", "confounds", kb.confounds, lambda x: x.name, lambda rid: d.threatened.get(rid, [])),
            ("model", "models", kb.models, lambda x: x.name, lambda rid: d.studied.get(rid, [])),
            ("work", "works", kb.sources, lambda x: x.title, lambda rid: [*d.origin_of.get(rid, []), *d.channel_of.get(rid, [])]),
            ("text", "texts", kb.texts, lambda x: f"Archived text: {x.id}", lambda rid: d.cites.get(rid, [])),
        ]
        for template, folder, records, title_of, listed in each:
            src_folder = {"works": "sources"}.get(folder, folder)
            for rid, rec in records.items():
                render = partial(self._record, template, folder, src_folder, rid, rec, title_of(rec))
                path = f"{folder}/{rid}.md"
                out.append(Task(render, path, partial(self.listing_key, path, listed(rid))))
        return out

    def _record(self, template: str, folder: str, src_folder: str, rid: str, rec: Any, title: str) -> Page:
        extra: dict[str, Any] = {}
        if template == "text":  # long, and quoted where it matters: kept out of the search index
            extra["block"] = Markup(passages.numbered_block(self.kb.archived(rid)))
            extra["meta"] = {"search": {"exclude": True}}
        if template == "model":
            extra["matrix"] = self._model_matrix(rid)
        return self.render(f"{template}.html.j2", f"{folder}/{rid}.md", title, self.kb.path_of(src_folder, rid), rec=rec, **extra)

    def _model_matrix(self, model: str) -> list[tuple[str, Hypothesis, list[tuple[str, list[Claim]]]]]:
        """Per hypothesis that a finding on this model bears on (by id): the findings under each
        bearing, in the order the model page lists them."""
        cells: dict[str, dict[str, list[Claim]]] = {}
        for c in self.data.studied.get(model, []):
            for link in c.links:
                cells.setdefault(link.hypothesis, {b: [] for b in MATRIX_BEARINGS}).setdefault(link.bearing.value, []).append(c)
        return [
            (hid, self.kb.hypotheses[hid], [(b, cells[hid][b]) for b in MATRIX_BEARINGS])
            for hid in sorted(cells)
            if hid in self.kb.hypotheses
        ]

    def _discrepancy_contexts(self) -> dict[tuple[str, int], list[passages.Line]]:
        out = {}
        for did, d in self.kb.discrepancies.items():
            for i, side in enumerate(d.sides):
                loc = side.locator
                if loc.text in self.kb.texts:
                    out[(did, i)] = passages.context(self.kb.archived(loc.text), loc.lines[0], loc.lines[1], loc.quote, around=1)
        return out
