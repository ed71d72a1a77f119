"""Ids are names, never paths; writers that cannot be tricked into touching other files, that
never lose a concurrent change, and that change only the lines they mean to (issue 17)."""

from __future__ import annotations

import difflib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from kb.ids import SLUG
from kb.store import load
from tests.conftest import EXAMPLE, REPO, run, snapshot

CLAIM = f"claims/findings/{EXAMPLE}.yaml"
HOSTILE_IDS = ["../../../../elsewhere/victim", "/abs/path/x", "*", "steering-resistance-self-correctio?", "a/b", ".hidden", "UPPER", "x..y"]


def bad_id_line(value: str, noun: str = "claim") -> str:
    return (
        f"Error: the command line: id: '{value}' is not a valid {noun} id (lower-case letters, digits, '.' and '-', "
        "starting with a letter or digit)\n"
    )


def writers(claim: str) -> list[list[str]]:
    return [
        ["claim", "retract", claim, "--why", "pwned"],
        ["claim", "supersede", claim, "--by", EXAMPLE],
        ["claim", "edit", claim],
        ["review", "start", claim, "--reviewer", "ana"],
        ["review", "confound", claim, "output-inference", "--reviewer", "ana", "--answers", "N,PN,NI"],
        ["review", "link", claim, "h-functional-introspection", "--reviewer", "ana", "--bearing", "supports", "--strength", "weak"],
        ["review", "submit", claim, "--reviewer", "ana", "--verdict", "approve"],
        ["review", "status", claim],
    ]


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the knowledge base that a path-like id would reach."""
    path = tmp_path / "elsewhere" / "victim.yaml"
    path.parent.mkdir()
    path.write_text("id: victim\n")
    return path


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_path_like_and_glob_ids_are_refused_by_every_writer(runner: CliRunner, kb_root: Path, victim: Path, bad: str) -> None:
    before = snapshot(kb_root)
    os.environ["EDITOR"] = "true"
    try:
        for args in writers(bad):
            result = run(runner, kb_root, *args)
            assert (result.exit_code, result.stderr) == (1, bad_id_line(bad)), args
    finally:
        del os.environ["EDITOR"]
    assert snapshot(kb_root) == before
    assert victim.read_text() == "id: victim\n"
    assert not (kb_root / "build" / "locks").exists()  # not even a lock file was made


def test_a_path_like_successor_or_confound_is_refused(runner: CliRunner, kb_root: Path) -> None:
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "supersede", EXAMPLE, "--by", "../x")
    assert (result.exit_code, result.stderr) == (1, bad_id_line("../x").replace("the command line:", "--by:"))
    result = run(runner, kb_root, "review", "confound", EXAMPLE, "../x", "--reviewer", "ana", "--answers", "Y")
    assert (result.exit_code, result.stderr) == (1, bad_id_line("../x", "confound type"))
    assert snapshot(kb_root) == before


@given(st.text(max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_only_slugs_reach_the_filesystem(kb_root: Path, value: str) -> None:
    """Any text as a claim id: a slug that names no claim is 'not found', anything else is refused
    as an id; either way exit 1, one line, and no file changes."""
    before = snapshot(kb_root)
    result = CliRunner().invoke(app, ["claim", "retract", "--root", str(kb_root), "--why", "x", "--", value])
    if value == EXAMPLE:
        return
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stderr.splitlines()) == 1
    if SLUG.fullmatch(value) and ".." not in value:
        assert result.stderr == f"Error: no claim with id '{value}'\n"
    else:
        assert "is not a valid claim id" in result.stderr
    assert snapshot(kb_root) == before


def test_a_claim_in_a_subfolder_is_found_by_its_exact_name(runner: CliRunner, kb_root: Path) -> None:
    sub = kb_root / "claims/findings/introspection"
    sub.mkdir()
    (kb_root / CLAIM).rename(sub / f"{EXAMPLE}.yaml")
    assert run(runner, kb_root, "claim", "retract", EXAMPLE, "--why", "Misread").exit_code == 0
    assert "status: retracted" in (sub / f"{EXAMPLE}.yaml").read_text()


# --- lost updates and minimal diffs ---------------------------------------------------------------


def editor_script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


def edit_with(runner: CliRunner, root: Path, editor: Path) -> object:
    os.environ["EDITOR"] = str(editor)
    try:
        return run(runner, root, "claim", "edit", EXAMPLE)
    finally:
        del os.environ["EDITOR"]


def test_a_review_recorded_while_the_editor_is_open_is_merged_not_lost(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    review = f"{sys.executable} -m cli review start {EXAMPLE} --reviewer bob --root {kb_root}"
    editor = editor_script(tmp_path, f"{review} || exit 9\nsed -i 's/^title: .*/title: A sharper title/' \"$1\"\n")
    result = edit_with(runner, kb_root, editor)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    claim = load(kb_root)[0].claims[EXAMPLE]
    assert claim.title == "A sharper title"
    assert [r.reviewer for r in claim.reviews] == ["bob"]
    assert [e.event for e in claim.history] == ["status", "review-started", "edited"]


def test_an_overlapping_concurrent_change_refuses_the_edit_and_keeps_the_draft(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    review = f"{sys.executable} -m cli review start {EXAMPLE} --reviewer bob --root {kb_root}"
    editor = editor_script(tmp_path, f"{review} || exit 9\nprintf 'notes: mine\\n' >> \"$1\"\n")
    result = edit_with(runner, kb_root, editor)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.splitlines() == [  # type: ignore[attr-defined]
        f"your edit was not saved to {CLAIM}; it is kept in build/rejected/{EXAMPLE}.yaml",
        f"Error: {CLAIM}: the file changed while you were editing it and the changes overlap; nothing was saved",
    ]
    claim = load(kb_root)[0].claims[EXAMPLE]
    assert [r.reviewer for r in claim.reviews] == ["bob"] and claim.notes == ""
    assert (kb_root / "build/rejected" / f"{EXAMPLE}.yaml").read_text().endswith("notes: mine\n")


def test_a_review_changes_only_its_own_lines(runner: CliRunner, kb_root: Path) -> None:
    """The README's review: ruamel would re-fold the long text fields; only the status line and
    the appended reviews and history may differ."""
    original = (kb_root / CLAIM).read_text()
    from tests.test_review import scripted_review

    scripted_review(runner, kb_root, "ana")
    after = (kb_root / CLAIM).read_text()
    diff = [d for d in difflib.unified_diff(original.splitlines(), after.splitlines(), lineterm="", n=0) if d[:3] not in ("---", "+++")]
    removed = [d[1:] for d in diff if d.startswith("-")]
    assert removed == ["status: draft"]
    assert after.startswith(original.replace("status: draft\n", "status: approved\n").rstrip("\n"))


def test_every_write_appends_its_event(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    source = (kb_root / CLAIM).read_text().replace(f"id: {EXAMPLE}", "id: added-one")
    new = tmp_path / "new.yaml"
    new.write_text(source)
    assert run(runner, kb_root, "claim", "add", "--from", str(new), "--actor", "cy").exit_code == 0
    (event,) = load(kb_root)[0].claims["added-one"].history
    assert (event.actor, event.event) == ("cy", "added")
    editor = editor_script(tmp_path, "sed -i 's/strength: weak/strength: moderate/' \"$1\"\n")
    assert edit_with(runner, kb_root, editor).exit_code == 0  # type: ignore[attr-defined]
    assert [(e.actor, e.event, e.detail) for e in load(kb_root)[0].claims[EXAMPLE].history] == [("curator", "edited", "links")]


# --- failures are one line and lose nothing -------------------------------------------------------


def test_build_being_a_file_is_one_line_and_changes_nothing(runner: CliRunner, kb_root: Path) -> None:
    (kb_root / "build").write_text("not a folder")
    before = snapshot(kb_root)
    result = run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana")
    assert result.exit_code == 1
    assert result.stderr == f"Error: build/locks: cannot create the lock for {CLAIM}: Not a directory; nothing was changed\n"
    assert snapshot(kb_root) == before


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ("printf 'id: x\\n' > \"$1\"; exit 3\n", "the editor '{editor}' failed (exit 3)"),
        ("printf '\\377\\376binary' > \"$1\"\n", "the edit is not UTF-8 text"),
    ],
)
def test_a_failing_or_binary_editor_keeps_the_draft(runner: CliRunner, kb_root: Path, tmp_path: Path, body: str, cause: str) -> None:
    editor = editor_script(tmp_path, body)
    before = snapshot(kb_root)
    result = edit_with(runner, kb_root, editor)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    expected = (
        f"Error: {CLAIM}: {cause.format(editor=editor)}; the file is unchanged; your draft is kept in build/rejected/{EXAMPLE}.yaml\n"
    )
    assert result.stderr == expected  # type: ignore[attr-defined]
    assert snapshot(kb_root) == before
    assert (kb_root / "build/rejected" / f"{EXAMPLE}.yaml").is_file()


def test_a_missing_editor_is_one_line(runner: CliRunner, kb_root: Path) -> None:
    before = snapshot(kb_root)
    os.environ["EDITOR"] = "/nonexistent/editor"
    try:
        result = run(runner, kb_root, "claim", "edit", EXAMPLE)
    finally:
        del os.environ["EDITOR"]
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {CLAIM}: the editor '/nonexistent/editor' could not be started")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(kb_root) == before


def _as_a_user_bound_by_permissions() -> list[str]:
    """The prefix that runs a command bound by file permissions: as root (CI runs as root), the
    real CLI is started with the capabilities that override permissions dropped from its bounding
    set, so a read-only folder refuses it as it would refuse any user."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]


def _retract_in_a_process(
    kb_root: Path, prefix: list[str] | None = None, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`kb claim retract EXAMPLE` run as a real process (under `prefix`, after `preexec`)."""
    cmd = [*(prefix or []), sys.executable, "-m", "cli", "claim", "retract", EXAMPLE, "--why", "x", "--root", str(kb_root)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False, preexec_fn=preexec)


def test_a_read_only_folder_is_one_line(kb_root: Path) -> None:
    folder = kb_root / "claims/findings"
    folder.chmod(0o555)
    try:
        before = snapshot(kb_root)
        result = _retract_in_a_process(kb_root, _as_a_user_bound_by_permissions())
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"Error: {CLAIM}: cannot write: Permission denied; the file is as it was\n"
    assert snapshot(kb_root) == before


def test_a_write_that_runs_out_of_room_is_one_line(kb_root: Path) -> None:
    """Disk full, as the writer sees it: the real CLI runs with a file-size limit far below the
    claim's size, so writing the new version fails part-way (EFBIG, like ENOSPC a failed write of
    the temporary copy); the claim stays as it was and no temporary file is left."""
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    before = snapshot(kb_root)
    result = _retract_in_a_process(kb_root, preexec=small_files)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"Error: {CLAIM}: cannot write: File too large; the file is as it was\n"
    assert snapshot(kb_root) == before
    assert not list((kb_root / "claims").rglob("*.tmp"))


# --- house-keeping ------------------------------------------------------------------------------


def test_writes_keep_the_file_mode_and_new_files_follow_the_umask(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    path = kb_root / CLAIM
    path.chmod(0o640)
    assert run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    new = tmp_path / "new.yaml"
    new.write_text(path.read_text().replace(f"id: {EXAMPLE}", "id: mode-test").split("reviews:")[0].replace("status: in-review", ""))
    old = os.umask(0o027)
    try:
        result = run(runner, kb_root, "claim", "add", "--from", str(new))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((kb_root / "claims/findings/mode-test.yaml").stat().st_mode) == 0o640


def test_temp_files_left_by_a_killed_write_are_cleaned_on_the_next_write(runner: CliRunner, kb_root: Path) -> None:
    stale = kb_root / "claims/findings" / f".{EXAMPLE}.yaml.abc123.tmp"
    stale.write_text("half a claim")
    other = kb_root / "claims/findings" / ".another-claim.yaml.x_9z.tmp"
    other.write_text("half of another claim")
    assert run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana").exit_code == 0
    assert not stale.exists() and not other.exists()
    assert load(kb_root)[1] == []


def test_outside_a_knowledge_base_says_so(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = runner.invoke(app, ["check"])
    assert (result.exit_code, result.stderr) == (1, f"Error: no knowledge base here (looked for claims/ from {empty.resolve()} upwards)\n")
    result = runner.invoke(app, ["claim", "list", "--root", str(empty)])
    assert (result.exit_code, result.stderr) == (1, f"Error: --root {empty}: no knowledge base there (no claims/ folder)\n")


def test_a_deleted_working_directory_is_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(
        f"cd {gone} && rmdir {gone} && {sys.executable} -m cli check", shell=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (1, "Error: the current folder no longer exists (was it deleted?); cd to the repository\n")


@pytest.mark.parametrize("prior", ["nan", "inf", "0", "1", "-0.5"])
def test_prior_must_be_a_number_strictly_between_0_and_1(runner: CliRunner, kb_root: Path, prior: str) -> None:
    result = run(runner, kb_root, "portfolio", "--prior", prior, "-f", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for" in result.stderr and "--prior" in result.stderr


def test_findings_being_a_file_is_one_line_for_add(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text((kb_root / CLAIM).read_text().replace(f"id: {EXAMPLE}", "id: lands-nowhere"))
    (kb_root / CLAIM).unlink()
    (kb_root / "claims/findings").rmdir()
    (kb_root / "claims/findings").write_text("")
    before = snapshot(kb_root)
    result = run(runner, kb_root, "claim", "add", "--from", str(new))
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: claims/findings/lands-nowhere.yaml: cannot create its folder: a file stands where its folder should be; nothing was written\n",
    )
    assert snapshot(kb_root) == before


def test_a_build_folder_leading_outside_is_not_written(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (kb_root / "build").symlink_to(outside)
    before = snapshot(kb_root)
    result = run(runner, kb_root, "review", "start", EXAMPLE, "--reviewer", "ana")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: build/locks: leads outside the repository (a symlink?); refused, nothing was changed\n",
    )
    assert snapshot(kb_root) == before
    assert list(outside.iterdir()) == []
