"""The database's schema, declared once: the tables with SQLModel (each column with the
description Datasette shows), the full-text indexes and views in SQL below. `python -m
kb.db.schema` freezes both into kb/db/schema.sql, and the descriptions into kb/db/metadata.json
(a test keeps them in step), so a build need not import SQLAlchemy, which costs more than parsing
a thousand claims.

Every reference is a foreign key (declared, not enforced: the database holds the valid records of
a knowledge base that may have problems, and `kb check` reports those). Each record keeps its full
public JSON in `data`; the other columns are what queries filter, join and search on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Field, SQLModel

HERE = Path(__file__).parent
SCHEMA_SQL = HERE / "schema.sql"
METADATA_JSON = HERE / "metadata.json"


def _d(text: str, **kw: Any) -> Any:
    return Field(description=text, **kw)


CLAIM_ID = "The claim's id."
POSITION = "0-based position in the claim's list."
PATH = "The record's YAML file, relative to the repository root."
DATA = "The whole record as public JSON (what `kb … show -f json` prints)."


class ClaimRow(SQLModel, table=True):
    """One row per claim (a finding, argument, testimony, definition…); lists are in the tables that refer to it."""

    __tablename__ = "claim"
    id: str = _d("The claim's id (a slug; also its file name).", primary_key=True)
    title: str = _d("Short title.")
    statement: str = _d("The finding in our own words (never copied from the source).")
    kind: str = _d("Kind of claim: empirical-finding, theoretical-argument, testimony…", index=True)
    stream: str = _d("Research stream: introspection, functional-emotions, rl-valence…", index=True)
    status: str = _d("Lifecycle: draft, in-review, approved, superseded, retracted.", index=True)
    tier: str = _d("Provenance tier: primary, preprint, second-hand-report, unpublished, anecdote.")
    origin: str | None = _d("The underlying work (a source id), when known.", default=None, index=True, foreign_key="source.id")
    channel: str = _d("The document it was read in (a source id).", index=True, foreign_key="source.id")
    study: str | None = _d("Slug shared by claims restating one study.", default=None)
    date: str | None = _d("Date of the finding (ISO), when reported.", default=None)
    superseded_by: str | None = _d("The claim that replaces it (status superseded).", default=None, foreign_key="claim.id")
    path: str = _d(PATH)
    data: str = _d(DATA)


class LinkRow(SQLModel, table=True):
    """How each claim bears on each hypothesis."""

    __tablename__ = "link"
    claim_id: str = _d(CLAIM_ID, primary_key=True, foreign_key="claim.id")
    position: int = _d(POSITION, primary_key=True)
    hypothesis: str = _d("The hypothesis the claim bears on.", index=True, foreign_key="hypothesis.id")
    bearing: str = _d("supports, undermines, mixed or neutral.")
    strength: str = _d("Ordinal strength: weak, moderate, strong, overwhelming.")
    rationale: str = _d("Why the claim bears on the hypothesis this way.")


class ClaimConfoundRow(SQLModel, table=True):
    """The confounds each claim is exposed to, and whether the study controlled them."""

    __tablename__ = "claim_confound"
    claim_id: str = _d(CLAIM_ID, primary_key=True, foreign_key="claim.id")
    position: int = _d(POSITION, primary_key=True)
    type: str = _d("The confound type.", index=True, foreign_key="confound_type.id")
    controlled: str = _d("yes, partial, no, not-reported or n-a (cannot arise here).")
    detail: str = _d("How the confound could arise in this study.")
    how: str | None = _d("How the study controlled it, when reported.", default=None)
    threatens: str = _d("Comma-separated hypothesis ids whose links it threatens; empty: every link of the claim.")
    reason: str = _d("Why a confound marked n-a cannot arise here.")


class ClaimModelRow(SQLModel, table=True):
    """The AI systems each claim studies."""

    __tablename__ = "claim_model"
    claim_id: str = _d(CLAIM_ID, primary_key=True, foreign_key="claim.id")
    position: int = _d(POSITION, primary_key=True)
    model: str = _d("The model studied.", index=True, foreign_key="model.id")
    as_written: str = _d("The model's name as the document writes it.")
    variant: str | None = _d("Variant or checkpoint, when reported.", default=None)


class LocatorRow(SQLModel, table=True):
    """The passages each claim is pinned to: an archived text, a line range and a verbatim quote."""

    __tablename__ = "locator"
    claim_id: str = _d(CLAIM_ID, primary_key=True, foreign_key="claim.id")
    position: int = _d(POSITION, primary_key=True)
    text: str = _d("The archived text.", index=True, foreign_key="text.id")
    start: int = _d("First line (1-based, as `sed -n` counts).")
    end: int = _d("Last line (inclusive).")
    quote: str = _d("Verbatim quote from those lines (at most 300 characters).")
    speaker: str = _d("Who says it, or not-reported.")


class ReviewRow(SQLModel, table=True):
    """One row per review of a claim (a reviewer's audit, RoB 2 style)."""

    __tablename__ = "review"
    claim_id: str = _d("The claim reviewed.", primary_key=True, foreign_key="claim.id")
    position: int = _d("0-based position in the claim's reviews.", primary_key=True)
    reviewer: str = _d("Who reviewed.", index=True)
    started: str = _d("When the review started (ISO time).")
    submitted: str | None = _d("When it was submitted; empty while open.", default=None)
    verdict: str | None = _d("approve, revise or reject; empty while open.", default=None)
    comment: str = _d("The reviewer's comment.")


class ReviewConfoundRow(SQLModel, table=True):
    """A reviewer's judgment of one confound of a claim: the answers to its signalling questions and the control status."""

    __tablename__ = "review_confound"
    claim_id: str = _d("The claim reviewed.", primary_key=True, foreign_key="claim.id")
    review: int = _d("Position of the review in the claim's reviews.", primary_key=True)
    position: int = _d("0-based position in the review's confound judgments.", primary_key=True)
    confound: str = _d("The confound type judged.", index=True, foreign_key="confound_type.id")
    answers: str = _d("Answers to the signalling questions, in order: Y, PY, PN, N or NI (Cochrane RoB 2).")
    proposed: str = _d("The control status the answers propose.")
    override: str | None = _d("The reviewer's override of the proposal, if any.", default=None)
    judged: str = _d("The control status the reviewer settled on (override, else proposed).")
    why: str = _d("The justification (required for an override).")


class ReviewLinkRow(SQLModel, table=True):
    """A reviewer's judgment of one link of a claim."""

    __tablename__ = "review_link"
    claim_id: str = _d("The claim reviewed.", primary_key=True, foreign_key="claim.id")
    review: int = _d("Position of the review in the claim's reviews.", primary_key=True)
    position: int = _d("0-based position in the review's link judgments.", primary_key=True)
    hypothesis: str = _d("The hypothesis of the link judged.", index=True, foreign_key="hypothesis.id")
    bearing: str = _d("The bearing the reviewer judged.")
    strength: str = _d("The strength the reviewer judged.")
    why: str = _d("The reviewer's reason.")


class ClaimEventRow(SQLModel, table=True):
    """Each claim's append-only history: review steps and status changes."""

    __tablename__ = "claim_event"
    claim_id: str = _d(CLAIM_ID, primary_key=True, foreign_key="claim.id")
    position: int = _d("0-based position in the claim's history.", primary_key=True)
    at: str = _d("When (ISO time).")
    actor: str = _d("Who.")
    event: str = _d("What happened.")
    detail: str = _d("Details.")


class HypothesisRow(SQLModel, table=True):
    """What the evidence bears on."""

    __tablename__ = "hypothesis"
    id: str = _d("The hypothesis' id.", primary_key=True)
    title: str = _d("Short title.")
    statement: str = _d("The hypothesis stated in full.")
    stream: str = _d("Research stream.")
    prior: float = _d("Default prior credence.")
    question: str | None = _d("The question this hypothesis answers, if any.", default=None, foreign_key="question.id")
    path: str = _d(PATH)
    data: str = _d(DATA)


class HypothesisRivalRow(SQLModel, table=True):
    """The rival hypotheses each hypothesis names."""

    __tablename__ = "hypothesis_rival"
    hypothesis: str = _d("The hypothesis.", primary_key=True, foreign_key="hypothesis.id")
    position: int = _d("0-based position among its rivals.", primary_key=True)
    rival: str = _d("A rival hypothesis.", foreign_key="hypothesis.id")


class ConfoundTypeRow(SQLModel, table=True):
    """Kinds of confound (steering artefacts, role-play, training-data repetition…)."""

    __tablename__ = "confound_type"
    id: str = _d("The confound type's id.", primary_key=True)
    name: str = _d("Name.")
    grp: str = _d("The class it belongs to (a sensitivity scenario drops one class at a time).")
    definition: str = _d("What the confound is.")
    control: str = _d("How a study controls it.")
    severity: str = _d("Default severity: low, moderate, high.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class SignallingQuestionRow(SQLModel, table=True):
    """The signalling questions of each confound type, in order; Yes means the study guards against it."""

    __tablename__ = "signalling_question"
    confound_type: str = _d("The confound type.", primary_key=True, foreign_key="confound_type.id")
    position: int = _d("1-based number of the question.", primary_key=True)
    question: str = _d("The question.")


class ModelRow(SQLModel, table=True):
    """AI systems studied."""

    __tablename__ = "model"
    id: str = _d("The model's id.", primary_key=True)
    name: str = _d("Name.")
    developer: str = _d("Developer, or not-reported.")
    family: str = _d("Model family, or not-reported.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class SourceRow(SQLModel, table=True):
    """Works and documents: papers, preprints, model cards, podcasts, threads, posts."""

    __tablename__ = "source"
    id: str = _d("The source's id.", primary_key=True)
    title: str = _d("Title.")
    type: str = _d("paper, preprint, model-card, podcast, thread, blog, unpublished…")
    date: str | None = _d("Publication date, when known.", default=None)
    authors: str = _d("Authors, separated by '; '.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class TextRow(SQLModel, table=True):
    """Archived source texts that locators point into."""

    __tablename__ = "text"
    id: str = _d("The text's id.", primary_key=True)
    source: str = _d("The work it archives.", foreign_key="source.id")
    file: str = _d("The archived UTF-8 text, relative to the repository root.")
    sha256: str = _d("SHA-256 of the archived file.")
    lines: int = _d("Number of lines.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class TextLineRow(SQLModel, table=True):
    """Every line of every archived text, for full-text search (line numbers as `sed -n` counts)."""

    __tablename__ = "text_line"
    text: str = _d("The archived text.", primary_key=True, foreign_key="text.id")
    line: int = _d("1-based line number.", primary_key=True)
    content: str = _d("The line.")


class DiscrepancyRow(SQLModel, table=True):
    """Passages that disagree (a number, a name, a date, an attribution) and the reading adopted."""

    __tablename__ = "discrepancy"
    id: str = _d("The discrepancy's id.", primary_key=True)
    title: str = _d("Title.")
    subject: str = _d("What disagrees: number, name, date, attribution, scale, model, other.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class DiscrepancyClaimRow(SQLModel, table=True):
    """The claims each discrepancy concerns."""

    __tablename__ = "discrepancy_claim"
    discrepancy: str = _d("The discrepancy.", primary_key=True, foreign_key="discrepancy.id")
    position: int = _d("0-based position among its claims.", primary_key=True)
    claim: str = _d("A claim resting on the passages that disagree.", foreign_key="claim.id")


class QuestionRow(SQLModel, table=True):
    """Questions whose answers (hypotheses) are mutually exclusive and jointly exhaustive."""

    __tablename__ = "question"
    id: str = _d("The question's id.", primary_key=True)
    title: str = _d("Title.")
    path: str = _d(PATH)
    data: str = _d(DATA)


class QuestionAnswerRow(SQLModel, table=True):
    """The answers (hypotheses) of each question, in order."""

    __tablename__ = "question_answer"
    question: str = _d("The question.", primary_key=True, foreign_key="question.id")
    position: int = _d("0-based position among the answers.", primary_key=True)
    hypothesis: str = _d("The answer.", foreign_key="hypothesis.id")


class PortfolioRow(SQLModel, table=True):
    """The latest portfolio (as of `kb build` or `kb db build --portfolio`): one row per hypothesis and weighting profile."""

    __tablename__ = "portfolio"
    profile: str = _d("Weighting profile: sceptical, default, credulous…", primary_key=True)
    hypothesis: str = _d("The hypothesis.", primary_key=True, foreign_key="hypothesis.id")
    prior: float = _d("Prior credence.")
    posterior: float = _d("Posterior credence (Monte Carlo median).")
    low: float = _d("Lower end of the 90% interval.")
    high: float = _d("Upper end of the 90% interval.")
    decibans: float = _d("Net evidence in decibans (10 log10 of the likelihood ratio).")
    grade: str = _d("GRADE-style certainty: high, moderate, low, very-low.")
    n_supports: int = _d("Links that support it.")
    n_undermines: int = _d("Links that undermine it.")
    n_mixed: int = _d("Mixed links.")
    fragile: bool = _d("Whether the direction of the evidence changes under another profile or with a confound class dropped.")
    top_driver: str | None = _d("The claim that moves it most.", default=None, foreign_key="claim.id")
    unreviewed_share: float = _d("Share of the evidence weight resting on claims not approved.")
    data: str = _d("The whole row as `kb portfolio -f json` prints it.")


class ContributionRow(SQLModel, table=True):
    """Each claim's contribution to each hypothesis in the latest portfolio (default profile)."""

    __tablename__ = "contribution"
    profile: str = _d("Weighting profile.", primary_key=True)
    hypothesis: str = _d("The hypothesis.", primary_key=True, foreign_key="hypothesis.id")
    claim: str = _d("The claim.", primary_key=True, foreign_key="claim.id")
    cluster: str = _d("The dependence cluster it is pooled in.")
    bearing: str = _d("supports, undermines, mixed or neutral.")
    approved: bool = _d("Whether the claim is approved.")
    decibans: float = _d("Its share of the net evidence, in decibans (they add up to the net).")
    credence_points: float = _d("Its share of the move from prior to posterior, in credence points.")
    leave_one_out_decibans: float = _d("Net evidence without it minus net evidence with it.")


class MetaRow(SQLModel, table=True):
    """Facts about the build: schema version and the fingerprint of claims/ it was built from."""

    __tablename__ = "meta"
    key: str = _d("Name.", primary_key=True)
    value: str = _d("Value.")


class FileRow(SQLModel, table=True):
    """Every file under claims/ as of the build, for incremental rebuilds (empty in the published copy)."""

    __tablename__ = "file"
    path: str = _d("The file, relative to the repository root.", primary_key=True)
    size: str = _d("Size in bytes, as 20 digits (every row the same width: the published copy's layout cannot depend on it).")
    mtime_ns: str = _d("Modification time (ns), as 20 digits (see size).")
    claim_id: str | None = _d("The claim it holds, if a claim file.", default=None)


class ProblemRow(SQLModel, table=True):
    """The knowledge base's problems as of the build (the database then holds the valid records)."""

    __tablename__ = "problem"
    path: str = _d("The file.", primary_key=True)
    line: int = _d("The line (0: not from a file).", primary_key=True)
    field: str = _d("The field.", primary_key=True)
    message: str = _d("What is wrong.", primary_key=True)


# Full-text indexes (SQLite FTS5, Porter stemming): each row's rowid is its record's rowid, so
# `rowid IN (SELECT rowid FROM claim_fts WHERE claim_fts MATCH ?)` finds the records.
# Where every indexed column is a column of the record's table, the index keeps no copy of the
# text (an external-content table); claims' quotes and rationale live in other tables, so
# claim_fts holds its own.
FTS = {
    "claim_fts": ("claim", ("title", "statement", "quotes", "rationale")),
    "hypothesis_fts": ("hypothesis", ("title", "statement")),
    "confound_type_fts": ("confound_type", ("name", "definition", "control")),
    "text_line_fts": ("text_line", ("content",)),
}
EXTERNAL_CONTENT = ("hypothesis_fts", "confound_type_fts", "text_line_fts")

VIEWS = {
    "findings": (
        "Claims with their provenance, one row each.",
        "SELECT id, title, kind, stream, status, tier, origin, channel, date, statement FROM claim",
    ),
    "claim_links": (
        "Each claim's links with both titles.",
        "SELECT l.claim_id, c.title AS claim_title, l.hypothesis, h.title AS hypothesis_title, l.bearing, l.strength, l.rationale "
        "FROM link l JOIN claim c ON c.id = l.claim_id LEFT JOIN hypothesis h ON h.id = l.hypothesis",
    ),
    "uncontrolled_confounds": (
        "Confounds a study did not control (no) or did not report on.",
        "SELECT k.claim_id, c.title AS claim_title, k.type, t.name AS confound, k.controlled, k.detail "
        "FROM claim_confound k JOIN claim c ON c.id = k.claim_id LEFT JOIN confound_type t ON t.id = k.type "
        "WHERE k.controlled IN ('no', 'not-reported')",
    ),
    "latest_portfolio": (
        "Where each hypothesis stands under each weighting profile.",
        "SELECT p.hypothesis, h.title, p.profile, p.prior, p.posterior, p.low, p.high, p.decibans, p.grade, p.fragile, p.top_driver "
        "FROM portfolio p LEFT JOIN hypothesis h ON h.id = p.hypothesis",
    ),
    "reviewer_judgments": (
        "Every reviewer's confound judgments with the claim and confound names.",
        "SELECT r.claim_id, v.reviewer, v.verdict, t.name AS confound, r.answers, r.proposed, r.override, r.judged, r.why "
        "FROM review_confound r JOIN review v ON v.claim_id = r.claim_id AND v.position = r.review "
        "LEFT JOIN confound_type t ON t.id = r.confound",
    ),
}


def extra_ddl() -> str:
    """The full-text tables and the views, which SQLModel does not declare."""
    fts = [
        f"CREATE VIRTUAL TABLE {name} USING fts5({', '.join(cols)}, "
        + (f"content='{table}', content_rowid='rowid', " if name in EXTERNAL_CONTENT else "")
        + "tokenize='porter unicode61')"
        for name, (table, cols) in FTS.items()
    ]
    views = [f"CREATE VIEW {name} AS {sql}" for name, (_, sql) in VIEWS.items()]
    return "".join(f"{s};\n" for s in fts + views)


def ddl() -> str:
    """The CREATE statements SQLModel generates for these tables, then the full-text tables and
    views, as kb/db/schema.sql freezes them."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    statements: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [
            str(CreateIndex(index).compile(dialect=dialect)).strip() for index in sorted(table.indexes, key=lambda i: str(i.name))
        ]
    return "".join(f"{s};\n" for s in statements) + extra_ddl()


# the facets Datasette offers on a table's page
FACETS = {
    "claim": ["kind", "stream", "status", "tier"],
    "link": ["hypothesis", "bearing", "strength"],
    "claim_confound": ["type", "controlled"],
    "review_confound": ["confound", "judged"],
    "portfolio": ["profile", "grade"],
}
LABELS = {
    "claim": "title",
    "hypothesis": "title",
    "confound_type": "name",
    "model": "name",
    "source": "title",
    "text": "id",
    "question": "title",
}


def table_metadata() -> dict[str, Any]:
    """Datasette's per-table metadata: descriptions of every table, view and column, label
    columns, and which full-text table searches which table."""
    tables: dict[str, Any] = {}
    for model in sorted(SQLModel.__subclasses__(), key=lambda m: str(m.__tablename__)):
        name = str(model.__tablename__)
        entry: dict[str, Any] = {
            "description": " ".join((model.__doc__ or "").split()),
            "columns": {c: f.description or "" for c, f in model.model_fields.items()},
        }
        if name in LABELS:
            entry["label_column"] = LABELS[name]
        if name in FACETS:
            entry["facets"] = FACETS[name]
        tables[name] = entry
    for fts, (table, cols) in FTS.items():
        tables[table]["fts_table"] = fts
        tables[table]["fts_pk"] = "rowid"
        tables[fts] = {"description": f"Full-text index of {table} ({', '.join(cols)}).", "hidden": True}
    for view, (description, _) in VIEWS.items():
        tables[view] = {"description": description}
    return tables


def frozen_metadata() -> str:
    return json.dumps(table_metadata(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m kb.db.schema: refreeze kb/db/schema.sql and kb/db/metadata.json
    SCHEMA_SQL.write_text(ddl(), encoding="utf-8")
    METADATA_JSON.write_text(frozen_metadata(), encoding="utf-8")
