"""The aggregator's constants: `claims/weights.yaml`, loaded into a strict model. A bad file fails
with one line, `path:line: field: message`, like every other record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kb import files, yamlio
from kb.errors import InvalidInput, Problem
from kb.store import validation_problems
from kb.vocab import DIRECTIONLESS_KINDS, Controlled, Kind, Severity, Strength, Tier, Vocab

WEIGHTS_FILE = "weights.yaml"
CLAIMS_DIR = "claims"  # as in kb.store
REQUIRED_PROFILES = ("sceptical", "default", "credulous")
Share = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _complete(table: Mapping[Any, float], vocab: type[Vocab]) -> None:
    missing = [v.value for v in vocab if v not in table]
    if missing:
        raise ValueError(f"missing value(s) for {', '.join(missing)}")


class Profile(_Strict):
    """One weighting profile: multipliers on each link's log-likelihood ratio."""

    description: str = ""
    kind: dict[Kind, Share]
    tier: dict[Tier, Share]
    severity: dict[Severity, Share]
    control: dict[Controlled, Share]
    weight_spread: Annotated[float, Field(ge=0, le=2)]

    @model_validator(mode="after")
    def _tables_complete(self) -> Profile:
        _complete(self.kind, Kind)
        _complete(self.tier, Tier)
        _complete(self.severity, Severity)
        _complete(self.control, Controlled)
        directed = [k.value for k in DIRECTIONLESS_KINDS if self.kind[k] != 0]
        if directed:
            raise ValueError(f"kinds {', '.join(sorted(directed))} carry no direction: their weight must be 0")
        return self


Correlation = Annotated[float, Field(gt=0, lt=1)]


class Uncertain(_Strict):
    """An uncertain constant: its best value and the range the Monte Carlo draws it from
    (triangular, mode at `value`), with the reason for it."""

    value: Correlation
    low: Correlation
    high: Correlation
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Uncertain:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"need low <= value <= high (got {self.low}, {self.value}, {self.high})")
        return self


class Dependence(_Strict):
    """Pairwise correlation between the errors of two links that share a level (see
    kb/pooling.py): the same result restated, one study, one work, one research group, one
    channel or narrator; and a floor shared by every link of one kind."""

    result: Uncertain
    study: Uncertain
    work: Uncertain
    group: Uncertain
    channel: Uncertain
    kind: dict[Kind, Uncertain]

    @model_validator(mode="after")
    def _kinds(self) -> Dependence:
        missing = [k.value for k in Kind if k not in DIRECTIONLESS_KINDS and k not in self.kind]
        if missing:
            raise ValueError(f"missing kind floor(s) for {', '.join(missing)}")
        if self.result.low * self.study.low < 0.5:
            raise ValueError(
                "result.low x study.low must be at least 0.5, so restatements of one study never count more than twice the strongest"
            )
        return self


class ReadingError(_Strict):
    """Chance that a link's strength was misjudged by one level (down to neutral below weak),
    by how far the claim has been checked."""

    reviewed: Share
    unreviewed: Share
    unreviewed_machine: Share


class GradeRules(_Strict):
    """Thresholds of the GRADE-style downgrades (shares of the absolute directional weight)."""

    risk_of_bias_share: Share = 0.5
    inconsistency_ratio: Share = 0.33
    mixed_share: Share = 0.3
    imprecision_nats: Annotated[float, Field(gt=0)] = 1.0
    min_units: Annotated[int, Field(ge=1)] = 3
    reporting_bias_share: Share = 0.5
    concentration_share: Share = 0.5
    machine_share: Share = 0.5


class Weights(_Strict):
    """The whole weights file."""

    strength_lr: dict[Strength, Annotated[float, Field(gt=1)]]
    draws: Annotated[int, Field(ge=10, le=1_000_000)] = 10_000
    # each sensitivity scenario's posterior (a chart of intervals) needs fewer draws than the headline one
    scenario_draws: Annotated[int, Field(ge=10, le=1_000_000)] = 2_500
    seed: Annotated[int, Field(ge=0)] = 20260427
    profiles: dict[str, Profile]
    dependence: Dependence
    prior_spread: Annotated[float, Field(ge=0, le=3)] = 0.4
    reading_error: ReadingError
    grade: GradeRules = Field(default_factory=GradeRules)

    @model_validator(mode="after")
    def _check(self) -> Weights:
        _complete(self.strength_lr, Strength)
        ratios = [self.strength_lr[s] for s in Strength]
        if ratios != sorted(ratios) or len(set(ratios)) != len(ratios):
            raise ValueError("likelihood ratios must increase from weak to overwhelming")
        missing = [p for p in REQUIRED_PROFILES if p not in self.profiles]
        if missing:
            raise ValueError(f"missing profile(s): {', '.join(missing)}")
        return self

    def profile(self, name: str) -> Profile:
        """The named profile; an unknown name is a user error listing the known ones."""
        try:
            return self.profiles[name]
        except KeyError:
            raise InvalidInput(f"no weighting profile '{name}' (known: {', '.join(self.profiles)})") from None


class InvalidWeights(InvalidInput):
    """The weights file does not validate; the message is its first problem, one line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


def weights_path(root: Path) -> Path:
    return root / CLAIMS_DIR / WEIGHTS_FILE


def parse_weights(text: str, rel: str) -> Weights:
    """Validate the text of a weights file; `rel` names it in error messages."""
    try:
        data = yamlio.parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidWeights([Problem(rel, mark.line + 1 if mark else 1, "(yaml)", "malformed YAML")]) from None
    if not isinstance(data, dict):
        raise InvalidWeights([Problem(rel, 1, "(record)", "expected a mapping of fields")])
    try:
        return Weights.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, data, rel, text, "weights")
        raise InvalidWeights([Problem(p.path, p.line, p.field, p.message.removesuffix(" (id weights)")) for p in problems]) from None


def load_weights(root: Path) -> Weights:
    """Load `root/claims/weights.yaml`."""
    path = weights_path(root)
    rel = f"{CLAIMS_DIR}/{WEIGHTS_FILE}"
    if not path.is_file():
        raise InvalidInput(f"{rel}: (file): the weights file is missing")
    return parse_weights(files.read_text(path, rel, root / CLAIMS_DIR), rel)  # bounded: a regular file, size cap
