"""The on-disk record shapes. Each is strict (`extra="forbid"`) so a typo in a reviewed file fails
loudly; the same models are the public JSON shape (`model_dump(mode="json")`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema

from kb.paths import RECORD_FOLDER_NAMES
from kb.vocab import (
    Answer,
    Bearing,
    Controlled,
    Design,
    Extraction,
    Kind,
    Missing,
    Severity,
    SourceType,
    Status,
    Stream,
    Strength,
    Tier,
    Verdict,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=120)]
Text = Annotated[str, StringConstraints(min_length=1)]
QUOTE_MAX = 300
# A typed missing value ("not-reported", "n-a", "unknown") is tried first, so it is the same
# Missing member whether the record comes from YAML or from the database's JSON. Its string is
# made the member before the union is tried (MISSING_VALUE) and the member is then matched by type
# (StrictMissing, an isinstance check on Python input; its JSON schema is the enum's): a value
# that is not missing costs no failed enum lookup, which is a Python call and an exception per
# field (half of a claim's validation time). On JSON input pydantic would use the enum's own
# validator, which does make that call: records stored as JSON are parsed first, then validated
# as Python values (kb.db.build.read). kb.store words the type mismatch as the enum's own error.
MISSING_FIRST = Field(union_mode="left_to_right")
MISSING_BY_VALUE = {m.value: m for m in Missing}


def _missing_member(value: object) -> object:
    return MISSING_BY_VALUE.get(value, value) if isinstance(value, str) else value


MISSING_VALUE = BeforeValidator(_missing_member)


class _ByType:
    """Pydantic's schema for StrictMissing: a Missing member, matched by type on Python input and
    by the enum's values on JSON input, and written out as its string by pydantic-core itself (a
    Missing is a `str`). pydantic's own InstanceOf[Missing] wraps the enum's serializer in a Python
    function: a call per field, 13 per claim, a third of a claim's `model_dump_json`."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.json_or_python_schema(
            python_schema=core_schema.is_instance_schema(Missing),
            json_schema=handler(source),
            serialization=core_schema.simple_ser_schema("str"),
        )


StrictMissing = Annotated[Missing, _ByType()]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False, defer_build=True)


class Identified(Record):
    id: Slug


# --- claim parts -------------------------------------------------------------------------------


class ModelRef(Record):
    """An AI system a claim studies: our Model id, the name as the document writes it, and the
    variant or checkpoint."""

    model: Slug
    as_written: Text
    variant: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    note: str = ""


class Method(Record):
    design: Design
    text: Text


class Number(Record):
    measure: Text
    value: Annotated[StrictMissing | float, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    unit: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    interval: Annotated[StrictMissing | tuple[float, float], MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    n: Annotated[StrictMissing | int, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    baseline: Annotated[StrictMissing | float | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    model: Annotated[StrictMissing | Slug, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    note: str = ""


class Result(Record):
    text: Text
    numbers: list[Number] = Field(default_factory=list)


class Link(Record):
    hypothesis: Slug
    bearing: Bearing
    strength: Strength
    rationale: Text


class ConfoundEntry(Record):
    """A confound on a claim. `threatens` names the links (hypothesis ids) it threatens; empty means
    every link of the claim. `reason` says why a confound marked `n-a` cannot arise here."""

    type: Slug
    detail: Text
    controlled: Controlled
    how: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    threatens: list[Slug] = Field(default_factory=list)
    reason: str = ""

    @model_validator(mode="after")
    def _not_applicable_needs_reason(self) -> ConfoundEntry:
        if self.controlled is Controlled.NOT_APPLICABLE and not self.reason.strip():
            raise ValueError("controlled: n-a (the confound cannot arise here) needs a one-line reason")
        if "\n" in self.reason.strip():
            raise ValueError("reason must be one line")
        return self


class Provenance(Record):
    tier: Tier
    origin: Annotated[StrictMissing | Slug, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    channel: Slug
    study: Slug | None = None
    restates: Slug | None = None  # the claim whose result this one retells (same result, any channel)
    extraction: Extraction = Extraction.MANUAL


class Locator(Record):
    text: Slug
    lines: tuple[int, int]
    quote: Annotated[str, StringConstraints(min_length=1, max_length=QUOTE_MAX)]
    speaker: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    speaker_inferred: bool = False
    garbled: bool = False
    note: str = ""

    @field_validator("lines")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 1 or v[1] < v[0]:
            raise ValueError(f"line range {v[0]}-{v[1]} must be 1-based and ascending")
        return v


class ConfoundJudgment(Record):
    confound: Slug
    answers: list[Answer]
    proposed: Controlled
    override: Controlled | None = None
    why: str = ""

    @model_validator(mode="after")
    def _override_needs_reason(self) -> ConfoundJudgment:
        if self.override is not None and not self.why.strip():
            raise ValueError("an override needs a written justification (why)")
        return self

    @property
    def judged(self) -> Controlled:
        return self.override if self.override is not None else self.proposed


class LinkJudgment(Record):
    hypothesis: Slug
    bearing: Bearing
    strength: Strength
    why: str = ""


class Review(Record):
    reviewer: Text
    started: dt.datetime
    submitted: dt.datetime | None = None
    verdict: Verdict | None = None
    confounds: list[ConfoundJudgment] = Field(default_factory=list)
    links: list[LinkJudgment] = Field(default_factory=list)
    comment: str = ""


class Event(Record):
    """One append-only history entry: a review step or a status change."""

    at: dt.datetime
    actor: Text
    event: Text
    detail: str = ""


class Claim(Identified):
    title: Text
    statement: Text
    kind: Kind
    stream: Stream
    models: list[ModelRef] = Field(default_factory=list)
    method: Method
    result: Annotated[StrictMissing | Result, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_APPLICABLE
    links: list[Link] = Field(default_factory=list)
    confounds: list[ConfoundEntry] = Field(default_factory=list)
    provenance: Provenance
    locators: list[Locator] = Field(min_length=1)
    status: Status = Status.DRAFT
    superseded_by: Slug | None = None
    retraction_reason: str | None = None
    reviews: list[Review] = Field(default_factory=list)
    history: list[Event] = Field(default_factory=list)
    date: Annotated[StrictMissing | dt.date, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    tags: list[str] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _lifecycle(self) -> Claim:
        if self.superseded_by is not None and self.superseded_by == self.id:
            raise ValueError("a claim cannot supersede itself (superseded_by is its own id)")
        if self.status is Status.SUPERSEDED and not self.superseded_by:
            raise ValueError("status superseded needs superseded_by (the successor's id)")
        if self.status is Status.RETRACTED and not (self.retraction_reason or "").strip():
            raise ValueError("status retracted needs a retraction_reason")
        return self


# --- other records ------------------------------------------------------------------------------


class Hypothesis(Identified):
    title: Text
    statement: Text
    stream: Stream
    prior: Annotated[float, Field(gt=0, lt=1)]
    rivals: list[Slug] = Field(default_factory=list)
    concerns: Literal["function", "experience"] = "function"  # what it is about: a functional claim, or experience itself
    notes: str = ""


class ConfoundType(Identified):
    """A kind of confound. Signalling questions are phrased so that Yes means the study guards
    against it: the review algorithm relies on that polarity."""

    name: Text
    definition: Text
    group: Text
    signalling_questions: list[Text] = Field(min_length=1)
    control: Text
    severity: Severity
    embodies: Slug | None = None  # the hypothesis that is this confound as an alternative explanation


class Identifiers(Record):
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None


class Source(Identified):
    title: Text
    authors: list[str] = Field(default_factory=list)
    date: Annotated[StrictMissing | dt.date | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    type: SourceType
    identifiers: Identifiers = Field(default_factory=Identifiers)
    group: Slug | None = None  # the research group or lab behind the work (dependence)
    notes: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        """A full ISO date is a date whether YAML quoted it or not (free text such as '1970s'
        stays text), so a record reads the same from YAML and from the database's JSON."""
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value


class SourceText(Identified):
    """An archived text. `retrieved_from` / `retrieved_on`: where and when it was read (a URL or a
    description); `original_sha256` and `conversion`: the file it was made from and how (e.g.
    "pdf->text (pypdf 5.1)", "html->text (trafilatura 2.0)", "as is")."""

    source: Slug
    path: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    lines: Annotated[int, Field(ge=0)]
    description: str = ""
    retrieved_from: str | None = None
    retrieved_on: dt.date | None = None
    original_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    conversion: str | None = None
    licence: str | None = None


class Question(Identified):
    """A question whose answers (hypothesis ids) are mutually exclusive and jointly exhaustive (one
    may be an explicit catch-all such as "none of these"): their credences are updated jointly and
    sum to 1. A hypothesis belongs to at most one question."""

    title: Text
    statement: Text
    answers: list[Slug] = Field(min_length=2)
    notes: str = ""


class Model(Identified):
    name: Text
    developer: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    family: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    size: Annotated[StrictMissing | str, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    open_weights: Annotated[StrictMissing | bool, MISSING_FIRST, MISSING_VALUE] = Missing.NOT_REPORTED
    aliases: list[str] = Field(default_factory=list)
    notes: str = ""


class DiscrepancySide(Record):
    locator: Locator
    reading: Text


class Discrepancy(Identified):
    title: Text
    subject: Literal["number", "name", "date", "attribution", "scale", "model", "other"]
    sides: list[DiscrepancySide] = Field(min_length=2)
    adopted: Text
    why: Text
    claims: list[Slug] = Field(default_factory=list)


# each record folder's model, in the order of kb.paths.RECORD_FOLDER_NAMES (the folders are named there)
RECORD_FOLDERS: dict[str, type[Identified]] = dict(
    zip(RECORD_FOLDER_NAMES, (Claim, Hypothesis, ConfoundType, Model, Source, SourceText, Discrepancy, Question), strict=True)
)
