"""YAML -> model -> YAML is lossless for generated claims (property test)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.models import Claim, ConfoundEntry, Link, Locator, Method, ModelRef, Number, Provenance, Result
from kb.store import dump_record, load_file
from kb.vocab import Bearing, Controlled, Design, Extraction, Kind, Missing, Status, Stream, Strength, Tier

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
# any printable text, including YAML-hostile characters, quotes, colons and leading spaces
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(lambda s: s.strip() != "")
missing = st.sampled_from(list(Missing))


def finite(lo: float = -1e6, hi: float = 1e6) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


numbers = st.builds(
    Number,
    measure=texts,
    value=finite() | missing,
    unit=texts | missing,
    interval=st.tuples(finite(), finite()) | missing,
    n=st.integers(0, 10**6) | missing,
    baseline=finite() | texts | missing,
    model=slugs | missing,
    note=st.just("") | texts,
)

locators = st.builds(
    Locator,
    text=slugs,
    lines=st.tuples(st.integers(1, 500), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1])),
    quote=st.text(min_size=1, max_size=300).filter(lambda s: s.strip() != ""),
    speaker=texts | missing,
    speaker_inferred=st.booleans(),
    garbled=st.booleans(),
    note=st.just("") | texts,
)

claims = st.builds(
    Claim,
    id=slugs,
    title=texts,
    statement=texts,
    kind=st.sampled_from(list(Kind)),
    stream=st.sampled_from(list(Stream)),
    models=st.lists(st.builds(ModelRef, model=slugs, as_written=texts, variant=texts | missing), max_size=3),
    method=st.builds(Method, design=st.sampled_from(list(Design)), text=texts),
    result=st.builds(Result, text=texts, numbers=st.lists(numbers, max_size=2)) | missing,
    links=st.lists(
        st.builds(
            Link,
            hypothesis=slugs,
            bearing=st.sampled_from(list(Bearing)),
            strength=st.sampled_from(list(Strength)),
            rationale=texts,
        ),
        max_size=3,
    ),
    confounds=st.lists(
        st.builds(ConfoundEntry, type=slugs, detail=texts, controlled=st.sampled_from(list(Controlled)), how=texts | missing, reason=texts),
        max_size=3,
    ),
    provenance=st.builds(
        Provenance,
        tier=st.sampled_from(list(Tier)),
        origin=slugs | missing,
        channel=slugs,
        study=st.none() | slugs,
        extraction=st.sampled_from(list(Extraction)),
    ),
    locators=st.lists(locators, min_size=1, max_size=3),
    status=st.sampled_from([Status.DRAFT, Status.IN_REVIEW, Status.APPROVED]),
    date=st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)) | missing,
    tags=st.lists(texts, max_size=3),
    notes=st.just("") | texts,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(claim=claims)
def test_yaml_model_yaml_is_lossless(claim: Claim, tmp_path: Path) -> None:
    path = tmp_path / f"{claim.id}.yaml"
    text = dump_record(claim)
    path.write_text(text, encoding="utf-8")
    loaded, problems = load_file(path, Claim, path.name)
    assert problems == []
    assert loaded == claim
    assert dump_record(loaded) == text
