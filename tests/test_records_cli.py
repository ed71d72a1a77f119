"""Records other tools can read and the small things users expect: list options, the row count,
one JSON style, JSON Schemas, BibTeX, credence in `hypothesis show`, the answer scale in `confound
show`, and "did you mean" for an unknown id."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from kb.schemas import RECORDS
from tests.conftest import run

NOUNS = {"claim": "findings", "hypothesis": "hypotheses", "confound": "confounds", "model": "models", "source": "sources", "text": "texts"}


def listed(runner: CliRunner, root: Path, *args: str) -> list[dict[str, object]]:
    result = run(runner, root, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    noun=st.sampled_from(["claim", "hypothesis", "confound", "model", "source", "text"]),
    field=st.sampled_from(["id", "title", "name", "status", "type", "lines"]),
    descending=st.booleans(),
    limit=st.integers(min_value=0, max_value=40),
)
def test_sort_limit_and_columns_give_the_sorted_prefix_of_the_full_list(
    runner: CliRunner, full_root: Path, noun: str, field: str, descending: bool, limit: int
) -> None:
    everything = listed(runner, full_root, noun, "list")
    if field not in everything[0]:
        result = run(runner, full_root, noun, "list", "--sort", field)
        assert result.exit_code == 2 and f"--sort: no field '{field}'" in result.stderr
        return
    expected = sorted(everything, key=lambda r: (r[field] is None, r[field]), reverse=descending)[:limit]
    key = f"-{field}" if descending else field
    args = (noun, "list", "--sort", key, "--limit", str(limit), "--columns", f"id,{field}" if field != "id" else "id")
    got = listed(runner, full_root, *args)
    assert got == [{k: r[k] for k in ("id", field)} for r in expected]
    result = run(runner, full_root, *args)
    many = {"claim": "claims", "hypothesis": "hypotheses", "confound": "confounds", "model": "models", "source": "sources", "text": "texts"}
    assert result.stderr == f"{limit if limit <= len(everything) else len(everything)} {noun if len(got) == 1 else many[noun]}\n"


def test_every_json_has_one_style_one_record_per_line(runner: CliRunner, full_root: Path) -> None:
    for args in (("claim", "list"), ("hypothesis", "list"), ("source", "list"), ("search", "steering"), ("portfolio", "--draws", "200")):
        out = run(runner, full_root, *args, "-f", "json").stdout
        lines = out.splitlines()
        assert lines[0] == "[" and lines[-1] == "]", args
        rows = json.loads(out)
        assert [json.loads(x.rstrip(",")) for x in lines[1:-1]] == rows
        assert all(": " not in x.split('"')[0] for x in lines[1:-1])  # compact separators


def test_columns_applies_to_csv_and_rejects_an_unknown_field(runner: CliRunner, full_root: Path) -> None:
    out = run(runner, full_root, "claim", "list", "--columns", "id,status", "--limit", "3", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "status"] and len(rows) == 4
    result = run(runner, full_root, "claim", "list", "--columns", "id,nope")
    assert result.exit_code == 2 and "--columns: no field 'nope'" in result.stderr


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_every_record_validates_against_the_schema_kb_schema_prints(runner: CliRunner, full_root: Path, record: str) -> None:
    result = runner.invoke(app, ["schema", record])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    if record in NOUNS:
        records = listed(runner, full_root, record, "list")
        assert records
        for r in records:
            jsonschema.validate(r, schema)
        broken = {**records[0], "id": 42}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


def test_source_list_bibtex_has_one_entry_per_work_keyed_by_id(runner: CliRunner, full_root: Path) -> None:
    sources = listed(runner, full_root, "source", "list")
    out = run(runner, full_root, "source", "list", "-f", "bibtex").stdout
    keys = re.findall(r"^@(\w+)\{([^,]+),$", out, re.M)
    assert [k for _, k in keys] == [s["id"] for s in sources]
    assert out.count("{") == out.count("}")
    with_doi = [s for s in sources if (s.get("identifiers") or {}).get("doi")]  # type: ignore[union-attr]
    for s in with_doi:
        assert f"doi = {{{s['identifiers']['doi']}}}" in out  # type: ignore[index]
    one = run(runner, full_root, "source", "show", str(sources[0]["id"]), "-f", "bibtex").stdout
    assert one.startswith("@") and f"{{{sources[0]['id']}," in one
    wrong = run(runner, full_root, "claim", "list", "-f", "bibtex")
    assert (wrong.exit_code, wrong.stderr.splitlines()[-1]) == (
        2,
        "Error: -f bibtex: only sources are works ('kb source list|show -f bibtex')",
    )


def test_hypothesis_show_has_the_credence_interval_and_grade_of_kb_portfolio(runner: CliRunner, full_root: Path) -> None:
    row = next(r for r in listed(runner, full_root, "portfolio") if r["id"] == "h-functional-introspection")
    shown = runner.invoke(app, ["hypothesis", "show", "h-functional-introspection", "--root", str(full_root)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    lo, hi = row["interval"]  # type: ignore[misc]
    assert f"{row['posterior']:.3f} (90% interval {lo:.3f}–{hi:.3f}" in shown.stdout
    assert f"│ grade     │ {row['grade']}" in shown.stdout


def test_confound_show_numbers_the_questions_and_explains_the_answers(runner: CliRunner, full_root: Path) -> None:
    record = listed(runner, full_root, "confound", "list")[0]
    shown = runner.invoke(app, ["confound", "show", str(record["id"]), "--root", str(full_root)], env={"COLUMNS": "300"}).stdout
    for n, q in enumerate(record["signalling_questions"], 1):  # type: ignore[arg-type]
        assert f"{n}. {q}" in shown
    assert "Y yes · PY probably yes · PN probably no · N no · NI no information" in shown


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("claim", "show", "steering-resistance-self-corection"),
            "no claim with id 'steering-resistance-self-corection'; did you mean 'steering-resistance-self-correction'",
        ),
        (
            ("hypothesis", "show", "h-functional-introspectoin"),
            "no hypothesis with id 'h-functional-introspectoin'; did you mean 'h-functional-introspection'?",
        ),
        (
            ("claim", "list", "--hypothesis", "h-steering-artifact"),
            "no hypothesis with id 'h-steering-artifact'; did you mean 'h-steering-artefact'?",
        ),
        (("explain", "h-steering-artifact"), "no hypothesis with id 'h-steering-artifact'; did you mean 'h-steering-artefact'?"),
        (("claim", "show", "zzz"), "no claim with id 'zzz'"),
    ],
)
def test_an_unknown_id_suggests_the_closest_ones(runner: CliRunner, full_root: Path, args: tuple[str, ...], line: str) -> None:
    result = run(runner, full_root, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {line}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
