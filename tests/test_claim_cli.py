"""The curator's path through the CLI: add a claim, list and show it, filter, and every refusal."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb.db import freshness
from kb.db.queries import dump_rows
from kb.store import load
from tests.conftest import EXAMPLE, run, snapshot

ADD = [
    "claim", "add",
    "--id", "self-correction-is-rare",
    "--title", "Self-correction under distractor steering is uncommon",
    "--statement", "Most of the time the steered models did not notice the distraction at all.",
    "--kind", "empirical-finding",
    "--stream", "introspection",
    "--design", "activation-steering",
    "--method", "Distractor features amplified during an unrelated task.",
    "--result", "Drift usually went unnoticed.",
    "--link", "h-functional-introspection:undermines:weak:Failures outnumber successes.",
    "--confound", "small-sample-generalisation:not-reported:Few models, rate not given.",
    "--tier", "second-hand-report",
    "--channel", "cognitive-revolution-berg-2026",
    "--origin", "endogenous-steering-resistance",
    "--text", "cognitive-revolution-berg-2026",
    "--lines", "355",
    "--quote", "Most of the time the model misses it.",
    "--speaker", "Cameron Berg",
    "--speaker-inferred",
]  # fmt: skip


def test_add_then_list_shows_the_claim_and_check_still_passes(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, *ADD)
    assert result.exit_code == 0, result.output
    assert result.stderr == "added claims/findings/self-correction-is-rare.yaml\n"
    listed = json.loads(run(runner, kb_root, "claim", "list", "-f", "json").stdout)
    claim = next(c for c in listed if c["id"] == "self-correction-is-rare")
    assert claim["links"][0] == {
        "hypothesis": "h-functional-introspection",
        "bearing": "undermines",
        "strength": "weak",
        "rationale": "Failures outnumber successes.",
    }
    assert claim["confounds"][0]["controlled"] == "not-reported"
    assert claim["locators"][0]["lines"] == [355, 355]
    assert claim["status"] == "draft"
    assert run(runner, kb_root, "check").exit_code == 0


def test_list_json_has_the_interface_fields(runner: CliRunner, kb_root: Path) -> None:
    claim = json.loads(run(runner, kb_root, "claim", "list", "-f", "json").stdout)[0]
    assert {"id", "kind", "stream", "status", "links", "confounds", "locators"} <= claim.keys()
    assert {"hypothesis", "bearing", "strength"} <= claim["links"][0].keys()
    assert {"type", "controlled"} <= claim["confounds"][0].keys()
    assert {"text", "lines", "quote"} <= claim["locators"][0].keys()


def test_list_csv_and_jsonl_parse(runner: CliRunner, kb_root: Path) -> None:
    run(runner, kb_root, *ADD)
    rows = list(csv.DictReader(io.StringIO(run(runner, kb_root, "claim", "list", "-f", "csv").stdout)))
    assert [r["id"] for r in rows] == ["self-correction-is-rare", EXAMPLE]
    assert json.loads(rows[0]["locators"])[0]["quote"] == "Most of the time the model misses it."
    lines = run(runner, kb_root, "claim", "list", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["self-correction-is-rare", EXAMPLE]


def test_filters_narrow_the_list(runner: CliRunner, kb_root: Path) -> None:
    run(runner, kb_root, *ADD)

    def ids(*args: str) -> list[str]:
        result = run(runner, kb_root, "claim", "list", "-f", "json", *args)
        assert result.exit_code == 0, result.output
        return [c["id"] for c in json.loads(result.stdout)]

    assert ids("--bearing", "undermines") == ["self-correction-is-rare"]
    assert ids("--hypothesis", "h-introspection-scales") == [EXAMPLE]
    assert ids("--confound", "output-inference", "--controlled", "no") == [EXAMPLE]
    assert ids("--confound", "small-sample-generalisation", "--controlled", "not-reported") == [
        "self-correction-is-rare",
        EXAMPLE,
    ]
    assert ids("--kind", "definition") == []
    assert ids("--source", "endogenous-steering-resistance", "--status", "draft") == ["self-correction-is-rare", EXAMPLE]
    assert ids("--text", "claim-summaries") == []


def test_list_with_unknown_hypothesis_is_a_domain_error(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "claim", "list", "--hypothesis", "h-nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: no hypothesis with id 'h-nope'\n"


def test_list_with_bad_enum_is_a_usage_error(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "claim", "list", "--bearing", "sideways")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_add_refuses_an_existing_id_and_changes_nothing(runner: CliRunner, kb_root: Path) -> None:
    args = list(ADD)
    args[args.index("self-correction-is-rare")] = EXAMPLE
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: claims/findings/{EXAMPLE}.yaml: id: a record with id '{EXAMPLE}' already exists; choose another id\n")
    assert snapshot(kb_root) == before


def test_add_rejects_a_quote_not_at_its_lines_and_writes_nothing(runner: CliRunner, kb_root: Path) -> None:
    args = list(ADD)
    args[args.index("355")] = "10"
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: claims/findings/self-correction-is-rare.yaml:29: locators[0].quote: quote does not occur at lines 10-10 of "
        "'cognitive-revolution-berg-2026'; it occurs at lines 355-355 (id self-correction-is-rare)",
    ]
    assert snapshot(kb_root) == before


def test_add_rejects_an_unknown_reference_and_bad_enum(runner: CliRunner, kb_root: Path) -> None:
    args = list(ADD)
    args[args.index("h-functional-introspection:undermines:weak:Failures outnumber successes.")] = "h-x:undermines:weak:r"
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1
    assert "links[0].hypothesis: unknown hypothesis 'h-x' (id self-correction-is-rare)" in result.stderr
    args[args.index("h-x:undermines:weak:r")] = "h-functional-introspection:down:weak:r"
    result = run(runner, kb_root, *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: command line: links[0].bearing: Input should be 'supports', 'undermines', 'mixed' or 'neutral' "
        "(got 'down') (id self-correction-is-rare)",
    ]
    assert snapshot(kb_root) == before


def test_add_without_a_required_flag_and_no_terminal_is_a_usage_error(runner: CliRunner, kb_root: Path) -> None:
    args = list(ADD)
    i = args.index("--title")
    del args[i : i + 2]
    before = snapshot(kb_root)
    result = run(runner, kb_root, *args)
    assert result.exit_code == 2
    assert "missing option --title (or give --from FILE)" in result.stderr
    assert snapshot(kb_root) == before


def test_add_from_file(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    source = (kb_root / f"claims/findings/{EXAMPLE}.yaml").read_text()
    new = tmp_path / "new.yaml"
    new.write_text(source.replace(f"id: {EXAMPLE}", "id: from-file-copy"))
    result = run(runner, kb_root, "claim", "add", "--from", str(new))
    assert result.exit_code == 0, result.output
    assert (kb_root / "claims/findings/from-file-copy.yaml").is_file()
    assert run(runner, kb_root, "check").exit_code == 0


def test_add_from_a_malformed_file_is_one_line(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    result = run(runner, kb_root, "claim", "add", "--from", str(bad))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {bad}: malformed YAML or JSON")


def test_show_and_show_unknown(runner: CliRunner, kb_root: Path) -> None:
    shown = json.loads(run(runner, kb_root, "claim", "show", EXAMPLE, "-f", "json").stdout)
    assert shown["id"] == EXAMPLE
    result = run(runner, kb_root, "claim", "show", "nope")
    assert (result.exit_code, result.stderr) == (1, "Error: no claim with id 'nope'\n")


def test_reads_rebuild_a_stale_database(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "db", "build").exit_code == 0
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(path.read_text().replace("title: Large models", "title: Big models"))
    shown = json.loads(run(runner, kb_root, "claim", "show", EXAMPLE, "-f", "json").stdout)
    assert shown["title"].startswith("Big models")


def test_same_input_gives_the_same_database(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    kb, problems = load(kb_root)
    assert problems == []
    from kb.db.build import build

    files, fp = freshness.scan(kb_root)
    a = build(kb, files, fp, [], tmp_path / "a.sqlite")
    b = build(kb, files, fp, [], tmp_path / "b.sqlite")
    assert list(dump_rows(a)) == list(dump_rows(b))


def test_text_list_json_shape(runner: CliRunner, kb_root: Path) -> None:
    texts = json.loads(run(runner, kb_root, "text", "list", "-f", "json").stdout)
    podcast = next(t for t in texts if t["id"] == "cognitive-revolution-berg-2026")
    assert podcast["path"] == "claims/texts/cognitive-revolution-berg-2026.txt"
    assert podcast["lines"] == 1855
    assert len(podcast["sha256"]) == 64


def test_two_concurrent_adds_with_the_same_id_leave_one_valid_file(kb_root: Path, tmp_path: Path) -> None:
    source = (kb_root / f"claims/findings/{EXAMPLE}.yaml").read_text()
    files = []
    for n in range(2):
        f = tmp_path / f"race{n}.yaml"
        f.write_text(source.replace(f"id: {EXAMPLE}", "id: raced").replace("title: Large", f"title: Racer {n} large"))
        files.append(f)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cli", "claim", "add", "--from", str(f), "--root", str(kb_root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outcomes = sorted((p.wait(), p.stderr.read() if p.stderr else "") for p in procs)
    assert [code for code, _ in outcomes] == [0, 1]
    assert "already exists" in outcomes[1][1]
    written = list((kb_root / "claims/findings").glob("raced*"))
    assert [p.name for p in written] == ["raced.yaml"]
    assert not list((kb_root / "claims/findings").glob(".*"))
    kb, problems = load(kb_root)
    assert problems == []
    assert kb.claims["raced"].title.startswith("Racer ")


def test_incremental_rebuild_gives_the_same_database_as_a_full_one(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    from kb.db.build import build, update

    assert run(runner, kb_root, "db", "build").exit_code == 0
    assert run(runner, kb_root, *ADD).exit_code == 0  # a new file
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(path.read_text().replace("strength: weak", "strength: moderate", 1))  # an edited file
    assert update(kb_root) == []  # in place (what a read command does; `kb db build` then refills the portfolio tables)
    kb, problems = load(kb_root)
    files, fp = freshness.scan(kb_root)
    full = build(kb, files, fp, problems, tmp_path / "full.sqlite")
    assert list(dump_rows(freshness.db_path(kb_root))) == list(dump_rows(full))


def test_incremental_rebuild_refuses_a_bad_edit_and_keeps_the_database(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "db", "build").exit_code == 0
    before = freshness.db_path(kb_root).read_bytes()
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(
        path.read_text()
        .replace("hypothesis: h-introspection-scales", "hypothesis: h-gone")
        .replace("  - h-introspection-scales", "  - h-gone")
    )
    result = run(runner, kb_root, "db", "build")
    assert result.exit_code == 1
    assert "links[1].hypothesis: unknown hypothesis 'h-gone'" in result.stderr
    assert freshness.db_path(kb_root).read_bytes() == before


def test_records_read_back_from_the_database_equal_the_yaml_ones(full_root: Path) -> None:
    """Commands that need every record (portfolio, explain, site) read them from the database's
    stored JSON: it must give exactly what parsing the YAML gives, in the same order."""
    from kb.db.build import TABLES, load_checked

    from_db = load_checked(full_root)
    from_yaml, problems = load(full_root)
    assert problems == []
    for folder in TABLES:
        assert list(from_db.folder(folder).items()) == list(from_yaml.folder(folder).items()), folder
    assert from_db.paths == from_yaml.paths


def test_load_checked_refuses_a_knowledge_base_with_problems(kb_root: Path) -> None:
    from kb.db.build import load_checked
    from kb.errors import InvalidKnowledgeBase

    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(
        path.read_text()
        .replace("hypothesis: h-introspection-scales", "hypothesis: h-gone")
        .replace("  - h-introspection-scales", "  - h-gone")
    )
    with pytest.raises(InvalidKnowledgeBase) as raised:
        load_checked(kb_root)
    assert [p.field for p in raised.value.problems] == ["links[1].hypothesis"]


def test_the_kb_command_sees_an_in_place_edit_made_after_the_database_was_built(kb_root: Path) -> None:
    """Through the real entry point, where the freshness check runs in a forked child while the
    CLI imports (cli.prefetch): an edit that keeps the file's size still reaches the listing."""

    def listed(*more: str) -> list[dict[str, str]]:
        cmd = [sys.executable, "-m", "cli", "claim", "list", "--root", str(kb_root), "-f", "json", *more]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    assert [r["title"][:5] for r in listed()] == ["Large"]
    text = path.read_text()
    path.write_text(text.replace("title: Large", "title: LARGE", 1))
    assert len(path.read_text()) == len(text)
    assert [r["title"][:5] for r in listed("--no-refresh")] == ["Large"]  # trusting the database as it is
    assert [r["title"][:5] for r in listed()] == ["LARGE"]


def test_prefetched_fingerprint_equals_the_one_computed_in_process(kb_root: Path, tmp_path: Path) -> None:
    from cli import prefetch

    prefetch.start(["claim", "list", "--root", str(kb_root)])
    assert prefetch.fingerprint(kb_root) == freshness.fingerprint(kb_root)
    prefetch.start(["claim", "show", "x", f"--root={kb_root}"])
    assert prefetch.fingerprint(tmp_path) == freshness.fingerprint(tmp_path)  # another root: computed here
    prefetch.start(["claim", "add", "--root", str(kb_root)])  # not a read command: no child
    assert prefetch._pending is None
    parts = [freshness.fingerprint_sum(kb_root, k, 3) for k in range(3)]
    assert freshness.join_sums(parts) == freshness.fingerprint(kb_root) and all(count > 0 for count, _ in parts)


def test_frozen_schema_matches_the_sqlmodel_tables() -> None:
    from kb.db.schema import METADATA_JSON, SCHEMA_SQL, ddl, frozen_metadata

    assert SCHEMA_SQL.read_text() == ddl(), "kb/db/schema.py changed: run python -m kb.db.schema"
    assert METADATA_JSON.read_text() == frozen_metadata(), "kb/db/schema.py changed: run python -m kb.db.schema"


def test_discrepancy_list_and_show(runner: CliRunner, full_root: Path) -> None:
    listed = json.loads(run(runner, full_root, "discrepancy", "list", "-f", "json").stdout)
    assert len(listed) >= 8
    first = listed[0]
    assert {"id", "subject", "sides", "adopted", "why", "claims"} <= first.keys()
    assert all(len(d["sides"]) >= 2 for d in listed)
    shown = json.loads(run(runner, full_root, "discrepancy", "show", first["id"], "-f", "json").stdout)
    assert shown == first


def test_no_refresh_trusts_the_database_and_refresh_sees_the_edit(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "db", "build").exit_code == 0
    path = kb_root / f"claims/findings/{EXAMPLE}.yaml"
    path.write_text(path.read_text().replace("title: Large models", "title: Big models"))
    stale = json.loads(run(runner, kb_root, "claim", "show", EXAMPLE, "-f", "json", "--no-refresh").stdout)
    assert stale["title"].startswith("Large models")
    fresh = json.loads(run(runner, kb_root, "claim", "show", EXAMPLE, "-f", "json").stdout)
    assert fresh["title"].startswith("Big models")
