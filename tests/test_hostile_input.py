"""Hostile files and data (issue 17): special files and symlinks, oversize and alias-bomb YAML,
duplicate keys, text paths leaving the knowledge base, markup and control characters in titles,
formula cells, invisible characters in copied statements, lifecycle holes, and a property test
feeding random bytes and random YAML to the loader and to `kb claim add --from`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from kb import yamlio
from kb.escape import csv_cell
from kb.formats import csv_text
from kb.texts import _FORMAT, words
from tests.conftest import EXAMPLE, run, snapshot

CLAIM = f"claims/findings/{EXAMPLE}.yaml"


def problems(stderr: str) -> list[str]:
    """The problem lines of a refusal: one problem is the one line 'Error: <problem>'; several are
    listed, then counted."""
    return [line.removeprefix("Error: ") for line in stderr.splitlines()]


def alias_bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        text += f"{chr(97 + i)}: &{chr(97 + i)} [{','.join(['*' + chr(96 + i)] * 9)}]\n"
    return text


# --- bounded reads ------------------------------------------------------------------------------


def test_special_files_and_symlinks_are_refused_by_name(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    findings = kb_root / "claims/findings"
    os.mkfifo(findings / "fifo.yaml")
    (findings / "folder.yaml").mkdir()
    (findings / "dangling.yaml").symlink_to("nowhere")
    (findings / "loop.yaml").symlink_to("loop.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text((kb_root / CLAIM).read_text().replace(EXAMPLE, "outside"))
    (findings / "outside.yaml").symlink_to(outside)
    (findings / "dir-link.yaml").symlink_to(tmp_path)
    started = time.monotonic()
    result = run(runner, kb_root, "check")
    assert time.monotonic() - started < 10  # the FIFO does not hang it
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "claims/findings/dangling.yaml:1: (file): a dangling symlink to 'nowhere' (refused) (id dangling)",
        "claims/findings/dir-link.yaml:1: (file): a symlink to a file outside the knowledge base (refused) (id dir-link)",
        "claims/findings/fifo.yaml:1: (file): a FIFO, not a regular file (refused) (id fifo)",
        "claims/findings/folder.yaml:1: (file): a directory, not a regular file (refused) (id folder)",
        "claims/findings/loop.yaml:1: (file): a symlink loop (refused) (id loop)",
        "claims/findings/outside.yaml:1: (file): a symlink to a file outside the knowledge base (refused) (id outside)",
        "Error: 6 problems in the knowledge base",
    ]
    listed = run(runner, kb_root, "claim", "list", "-f", "json")
    assert listed.exit_code == 0
    assert [c["id"] for c in json.loads(listed.stdout)] == [EXAMPLE]


def test_a_file_over_the_size_cap_is_refused(runner: CliRunner, kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_MAX_FILE_BYTES", "3000")
    size = (kb_root / CLAIM).stat().st_size
    weights = (kb_root / "claims/weights.yaml").stat().st_size
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{CLAIM}:1: (file): {size} bytes, more than the 3000-byte cap ($KB_MAX_FILE_BYTES) (id {EXAMPLE})" in lines
    assert f"claims/weights.yaml:1: (file): {weights} bytes, more than the 3000-byte cap ($KB_MAX_FILE_BYTES)" in lines


def test_the_alias_bomb_is_refused_in_well_under_a_second(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    (kb_root / "claims/findings/bomb.yaml").write_text(alias_bomb())
    started = time.monotonic()
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    assert (
        "claims/findings/bomb.yaml:1: (yaml): malformed YAML: aliases (*name) are not allowed in records; write the value out (id bomb)"
        in problems(result.stderr)
    )
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    result = run(runner, kb_root, "claim", "add", "--from", str(bomb))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {bomb}: malformed YAML or JSON: aliases (*name) are not allowed in records; write the value out\n",
    )
    assert time.monotonic() - started < 5  # both commands, imports included; the refusal itself takes a millisecond


def test_duplicate_keys_are_refused_with_their_line(runner: CliRunner, kb_root: Path) -> None:
    path = kb_root / CLAIM
    path.write_text(path.read_text().replace("kind: empirical-finding\n", "kind: empirical-finding\nkind: definition\n"))
    result = run(runner, kb_root, "check")
    assert result.stderr.splitlines() == [
        f"Error: {CLAIM}:10: (yaml): malformed YAML: duplicate key 'kind' (each field may appear once) (id {EXAMPLE})",
    ]


def test_from_refuses_special_files(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "claim", "add", "--from", "/dev/zero")
    assert (result.exit_code, result.stderr) == (1, "Error: /dev/zero: a character device, not a regular file (refused)\n")


@pytest.mark.parametrize("path", ["/etc/passwd", "claims/texts/../../../../etc/passwd", "claims/weights.yaml"])
def test_a_text_path_outside_claims_texts_is_refused(runner: CliRunner, kb_root: Path, path: str) -> None:
    record = kb_root / "claims/texts/cognitive-revolution-berg-2026.yaml"
    lines = [f"path: {path}" if line.startswith("path:") else line for line in record.read_text().splitlines()]
    record.write_text("\n".join(lines) + "\n")
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    line = f"claims/texts/cognitive-revolution-berg-2026.yaml:3: path: archived text '{path}' is not inside claims/texts/ (refused)"
    assert f"{line} (id cognitive-revolution-berg-2026)" in problems(result.stderr)
    assert "root:" not in result.stderr  # nothing of the file is printed (no sha256 of it either)
    assert "sha256 of" not in result.stderr


# --- output that cannot be hijacked ---------------------------------------------------------------

HOSTILE_TITLE = '=HYPERLINK("http://x") [/bold] [link=http://evil]click[/link] [x] \x1b[31mred\x07 \u202eabc'


def with_title(root: Path, folder: str, name: str, title: str, field: str = "title") -> None:
    path = root / "claims" / folder / f"{name}.yaml"
    lines = [f"{field}: {json.dumps(title)}" if line.startswith(f"{field}:") else line for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("folder", "name", "field", "command"),
    [
        ("findings", EXAMPLE, "title", ["claim", "list"]),
        ("findings", EXAMPLE, "title", ["claim", "show", EXAMPLE]),
        ("hypotheses", "h-functional-introspection", "title", ["hypothesis", "list"]),
        ("hypotheses", "h-functional-introspection", "title", ["hypothesis", "show", "h-functional-introspection"]),
        ("models", "claude-opus-4-1", "name", ["model", "list"]),
    ],
)
def test_markup_and_control_characters_in_data_are_shown_literally(
    runner: CliRunner, kb_root: Path, folder: str, name: str, field: str, command: list[str]
) -> None:
    with_title(kb_root, folder, name, "[/bold] [x] \x1b[31m\u202e", field)
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, [*command, "--root", str(kb_root)])
    assert result.exit_code == 0, result.output
    assert "[/bold] [x] \\x1b[31m\\u202e" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_csv_cells_that_start_a_formula_are_neutralised(runner: CliRunner, kb_root: Path) -> None:
    with_title(kb_root, "findings", EXAMPLE, HOSTILE_TITLE)
    result = run(runner, kb_root, "claim", "list", "-f", "csv")
    assert result.exit_code == 0
    assert f'{EXAMPLE},"\'=HYPERLINK(""http://x"")' in result.stdout
    assert ",=" not in result.stdout and ',"=' not in result.stdout
    exported = csv_text([{"id": "x", "title": "@SUM(1)", "statement": "-2+3", "links": []}], ["id", "title", "statement", "links"])
    assert "'@SUM(1)" in exported and "'-2+3" in exported


@given(st.text())
def test_no_csv_cell_starts_a_formula(value: str) -> None:
    cell = csv_cell(value)
    assert isinstance(cell, str) and not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (value, "'" + value)


def test_every_format_character_is_removed_by_the_copy_check() -> None:
    missing = [hex(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf" and not _FORMAT.fullmatch(chr(c))]
    assert missing == []
    assert words("co\u200bpied ｆｕｌｌwidth ﬁne soft\u00adhyphen") == ["copied", "fullwidth", "fine", "softhyphen"]


def test_zero_width_spaces_do_not_defeat_the_copy_check(runner: CliRunner, kb_root: Path) -> None:
    text = (kb_root / "claims/texts/cognitive-revolution-berg-2026.txt").read_text()
    passage = next(line for line in text.splitlines() if len(line.split()) > 30)
    copied = "\u200b".join(passage.split()[:14])  # words glued by zero-width spaces look like one long word
    path = kb_root / CLAIM
    lines = [f"statement: {json.dumps(copied.replace(chr(0x200B), ' ' + chr(0x200B)))}" if line.startswith("statement:") else line
             for line in path.read_text().splitlines()]  # fmt: skip
    # a folded block scalar follows 'statement:'; drop its continuation lines
    out, skipping = [], False
    for line in lines:
        if skipping and line.startswith("  "):
            continue
        skipping = line.startswith("statement:")
        out.append(line)
    path.write_text("\n".join(out) + "\n")
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1
    assert "shares 12 or more consecutive words with 'cognitive-revolution-berg-2026'" in result.stderr


# --- a lifecycle that stays consistent ------------------------------------------------------------


def add_copy(runner: CliRunner, root: Path, tmp_path: Path, id: str) -> None:
    new = tmp_path / f"{id}.yaml"
    new.write_text((root / CLAIM).read_text().replace(f"id: {EXAMPLE}", f"id: {id}"))
    assert run(runner, root, "claim", "add", "--from", str(new)).exit_code == 0


def test_supersession_cannot_loop_or_revive_a_retracted_claim(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    add_copy(runner, kb_root, tmp_path, "second")
    add_copy(runner, kb_root, tmp_path, "third")
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "supersede", EXAMPLE, "--by", EXAMPLE)
    assert (result.exit_code, result.stderr) == (1, f"Error: {CLAIM}: superseded_by: a claim cannot supersede itself (id {EXAMPLE})\n")
    assert snapshot(kb_root) == before
    assert run(runner, kb_root, "claim", "supersede", EXAMPLE, "--by", "second").exit_code == 0
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "supersede", "second", "--by", EXAMPLE)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: claims/findings/second.yaml: superseded_by: '{EXAMPLE}' would make a cycle (second -> {EXAMPLE} -> second)\n",
    )
    assert snapshot(kb_root) == before
    assert run(runner, kb_root, "claim", "retract", "second", "--why", "Misread").exit_code == 0
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "supersede", "second", "--by", "third")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: claims/findings/second.yaml: status: 'second' is retracted; a retracted claim cannot be superseded\n",
    )
    result = run(runner, kb_root, "claim", "supersede", "third", "--by", "second")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: claims/findings/third.yaml: superseded_by: 'second' is retracted; it cannot succeed 'third'\n",
    )
    assert snapshot(kb_root) == before


def test_check_reports_a_cycle_written_by_hand(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    add_copy(runner, kb_root, tmp_path, "second")
    for a, b in ((EXAMPLE, "second"), ("second", EXAMPLE)):
        path = kb_root / f"claims/findings/{a}.yaml"
        path.write_text(path.read_text().replace("status: draft\n", "") + f"status: superseded\nsuperseded_by: {b}\n")
    result = run(runner, kb_root, "check")
    assert result.exit_code == 1

    def line(rel: str) -> int:
        return next(i for i, ln in enumerate((kb_root / rel).read_text().splitlines(), 1) if ln.startswith("superseded_by:"))

    assert result.stderr.splitlines() == [
        f"claims/findings/second.yaml:{line('claims/findings/second.yaml')}: superseded_by: supersession cycle: 'second' is, through its successors, its own successor (id second)",
        f"{CLAIM}:{line(CLAIM)}: superseded_by: supersession cycle: '{EXAMPLE}' is, through its successors, its own successor (id {EXAMPLE})",
        "Error: 2 problems in the knowledge base",
    ]


@pytest.mark.parametrize(
    ("field", "value"), [("status", "approved"), ("reviews", [{"reviewer": "x", "started": "2026-01-01T00:00:00"}]), ("history", [])]
)
def test_from_cannot_set_what_the_tool_writes(runner: CliRunner, kb_root: Path, tmp_path: Path, field: str, value: Any) -> None:
    data = yamlio.parse((kb_root / CLAIM).read_text())
    data.update({"id": "forged", field: value})
    forged = tmp_path / "forged.yaml"
    forged.write_text(yaml.safe_dump(data))
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "add", "--from", str(forged))
    if field == "history":  # an empty history is the default: harmless
        assert result.exit_code == 0
        return
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {forged}: {field}: is written by kb (reviews, status changes, history), not given in a new claim (id forged)\n",
    )
    assert snapshot(kb_root) == before


def test_approve_is_refused_while_anything_is_unjudged(runner: CliRunner, kb_root: Path) -> None:
    assert run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana").exit_code == 0
    assert (
        run(runner, kb_root, "review", "confound", EXAMPLE, "output-inference", "--reviewer", "ana", "--answers", "N,PN,NI").exit_code == 0
    )
    before = snapshot(kb_root)
    result = run(runner, kb_root, "review", "submit", EXAMPLE, "--reviewer", "ana", "--verdict", "approve")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {CLAIM}: reviews: ana has not judged confound small-sample-generalisation, transcription-error, "
        "steering-degrees-of-freedom, capability-confound-in-scaling and link "
        f"h-functional-introspection, h-introspection-scales of '{EXAMPLE}'; judge them ('kb review confound', 'kb review link') "
        "before approving\n",
    )
    assert snapshot(kb_root) == before
    status = json.loads(run(runner, kb_root, "review", "status", EXAMPLE, "-f", "json").stdout)
    assert status == [
        {
            "reviewer": "ana",
            "started": status[0]["started"],
            "submitted": None,
            "verdict": None,
            "judged_confounds": ["output-inference"],
            "unjudged_confounds": [
                "small-sample-generalisation",
                "transcription-error",
                "steering-degrees-of-freedom",
                "capability-confound-in-scaling",
            ],
            "judged_links": [],
            "unjudged_links": ["h-functional-introspection", "h-introspection-scales"],
        }
    ]
    result = run(runner, kb_root, "review", "submit", EXAMPLE, "--reviewer", "ana", "--verdict", "request-changes")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("", "Error: the command line: reviewer: a reviewer name is required (give --reviewer or set KB_REVIEWER)\n"),
        ("   ", "Error: the command line: reviewer: a reviewer name is required (give --reviewer or set KB_REVIEWER)\n"),
        ("ana\nbob", "Error: the command line: reviewer: 'ana\\nbob' must be one line of printable characters\n"),
        ("ana\x1b[31m", "Error: the command line: reviewer: 'ana\\x1b[31m' must be one line of printable characters\n"),
        ("x" * 101, f"Error: the command line: reviewer: '{'x' * 79}…' is longer than 100 characters\n"),
    ],
)
def test_reviewer_names_are_validated(runner: CliRunner, kb_root: Path, name: str, line: str) -> None:
    before = snapshot(kb_root)
    result = run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", name)
    assert (result.exit_code, result.stderr) == (1, line)
    assert snapshot(kb_root) == before


# --- random input: no traceback, exit 0 or 1, bounded time ----------------------------------------

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
claim_like = st.fixed_dictionaries(
    {"id": st.sampled_from(["rand", "../x", "Rand", "rand"]), "title": st.text(max_size=20)},
    optional={"kind": st.sampled_from(["empirical-finding", "x"]), "status": st.sampled_from(["draft", "approved"]), "extra": yaml_values},
)


def assert_clean(result: Any, seconds: float) -> None:
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert seconds < 10


@given(
    st.binary(max_size=2000) | yaml_values.map(lambda v: yaml.safe_dump(v).encode()) | claim_like.map(lambda v: yaml.safe_dump(v).encode())
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_or_yaml_in_a_claim_file_never_crash_the_check(kb_root: Path, content: bytes) -> None:
    (kb_root / "claims/findings/rand.yaml").write_bytes(content)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["check", "--root", str(kb_root)])
    assert_clean(result, time.monotonic() - started)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["claim", "list", "-f", "json", "--root", str(kb_root)])
    assert_clean(result, time.monotonic() - started)


@given(
    st.binary(max_size=2000) | yaml_values.map(lambda v: yaml.safe_dump(v).encode()) | claim_like.map(lambda v: yaml.safe_dump(v).encode())
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_or_yaml_given_to_from_never_crash_the_add(kb_root: Path, tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "input.yaml"
    source.write_bytes(content)
    before = snapshot(kb_root)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["claim", "add", "--from", str(source), "--root", str(kb_root)])
    assert_clean(result, time.monotonic() - started)
    if result.exit_code == 1:
        assert snapshot(kb_root) == before
        assert len(result.stderr.splitlines()) >= 1 and result.stderr.splitlines()[-1].startswith("Error: ")


def test_history_reads_old_commits_with_the_same_bounded_parser(runner: CliRunner, kb_root: Path) -> None:
    """An alias bomb committed once and reverted does not slow `kb history` down."""

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=kb_root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "claims")
    git("commit", "-qm", "one finding")
    bomb = kb_root / "claims/findings/bomb.yaml"
    bomb.write_text(alias_bomb())
    git("add", "claims")
    git("commit", "-qm", "a bomb")
    bomb.unlink()
    git("commit", "-qam", "reverted")
    started = time.monotonic()
    result = run(runner, kb_root, "history", "h-functional-introspection", "--by", "commit", "-f", "json")
    assert time.monotonic() - started < 30
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3


def test_hidden_folders_are_not_records_for_the_check_nor_the_database(runner: CliRunner, kb_root: Path) -> None:
    hidden = kb_root / "claims/findings/.drafts"
    hidden.mkdir()
    (hidden / "draft-one.yaml").write_text("not: [valid")
    assert run(runner, kb_root, "check").exit_code == 0
    listed = json.loads(run(runner, kb_root, "claim", "list", "-f", "json").stdout)
    assert [c["id"] for c in listed] == [EXAMPLE]
