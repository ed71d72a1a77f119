"""The database heals: whatever state build/kb.sqlite is in, a read command rebuilds it from
claims/ or says in one line why it cannot; builds in one tree take turns; the published copy
depends only on content."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kb.db.freshness import SCHEMA_VERSION, db_path, fingerprint
from kb.db.lock import build_lock
from tests.conftest import EXAMPLE, run


def listed_ids(runner: CliRunner, root: Path) -> list[str]:
    result = run(runner, root, "claim", "list", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return [c["id"] for c in json.loads(result.stdout)]


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 200)


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def pages_zeroed(path: Path) -> None:
    """The header and first page intact (the fingerprint still reads), the rest zeroed."""
    data = bytearray(path.read_bytes())
    data[4096:] = bytes(len(data) - 4096)
    path.write_bytes(bytes(data))


def foreign(path: Path) -> None:
    path.unlink()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE something_else (x)")
        conn.commit()


def other_schema_version(path: Path) -> None:
    """A database of an older schema that claims to be fresh for these files."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        conn.execute("DROP TABLE claim_fts")
        conn.execute("DROP TABLE link")


def stale_fingerprint(path: Path) -> None:
    """The fingerprint matches claims/, but a table was emptied behind its back."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE claim")


DAMAGES: list[Callable[[Path], None]] = [garbage, empty, truncated, pages_zeroed, foreign, other_schema_version, stale_fingerprint]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_damaged_database_is_rebuilt_by_the_next_read(runner: CliRunner, kb_root: Path, damage: Callable[[Path], None]) -> None:
    assert listed_ids(runner, kb_root) == [EXAMPLE]
    damage(db_path(kb_root))
    assert listed_ids(runner, kb_root) == [EXAMPLE]
    shown = run(runner, kb_root, "hypothesis", "show", "h-functional-introspection", "-f", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == "h-functional-introspection"
    with closing(sqlite3.connect(db_path(kb_root))) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (SCHEMA_VERSION,)


@pytest.mark.parametrize("damage", [garbage, truncated, other_schema_version], ids=lambda f: f.__name__)
def test_db_build_and_whole_knowledge_base_commands_heal_too(runner: CliRunner, kb_root: Path, damage: Callable[[Path], None]) -> None:
    assert run(runner, kb_root, "db", "build").exit_code == 0
    damage(db_path(kb_root))
    assert run(runner, kb_root, "db", "build").exit_code == 0
    damage(db_path(kb_root))
    result = run(runner, kb_root, "portfolio", "-f", "json", "--draws", "200")
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in json.loads(result.stdout)} >= {"h-functional-introspection"}


def test_a_database_that_cannot_be_written_is_one_line_and_exit_1(runner: CliRunner, kb_root: Path) -> None:
    (kb_root / "build").write_text("a file where the build folder should be\n")
    result = run(runner, kb_root, "claim", "list")
    assert result.exit_code == 1
    assert result.stderr == "Error: build: cannot write the database there: File exists\n"
    assert (kb_root / "build").read_text() == "a file where the build folder should be\n"


def test_a_database_path_that_is_a_folder_is_one_line_and_exit_1(runner: CliRunner, kb_root: Path) -> None:
    db_path(kb_root).mkdir(parents=True)
    result = run(runner, kb_root, "claim", "list")
    assert result.exit_code == 1
    assert result.stderr == "Error: build/kb.sqlite: cannot write the database: Is a directory\n"
    assert db_path(kb_root).is_dir() and list(db_path(kb_root).iterdir()) == []
    assert [p.name for p in (kb_root / "build").iterdir() if p.name.startswith(".kb-")] == []


def test_hidden_files_are_neither_loaded_nor_fingerprinted(runner: CliRunner, kb_root: Path) -> None:
    assert listed_ids(runner, kb_root) == [EXAMPLE]
    before = fingerprint(kb_root)
    hidden = kb_root / "claims" / "findings" / ".drafts"
    hidden.mkdir()
    source = (kb_root / f"claims/findings/{EXAMPLE}.yaml").read_text()
    (hidden / "hidden-claim.yaml").write_text(source.replace(f"id: {EXAMPLE}", "id: hidden-claim"))
    (kb_root / "claims" / "findings" / ".swap.yaml").write_text("not: [valid")
    assert fingerprint(kb_root) == before
    assert listed_ids(runner, kb_root) == [EXAMPLE]
    checked = run(runner, kb_root, "check")
    assert checked.exit_code == 0, checked.output


def test_builds_in_one_tree_take_turns(kb_root: Path) -> None:
    """While one build holds the lock, another `kb db build` waits (it has opened the lock file and
    written nothing), and finishes once the lock is released."""
    with build_lock(kb_root):
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "db", "build", "--root", str(kb_root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lock = (kb_root / "build" / ".kb.lock").resolve()
        fds = Path(f"/proc/{proc.pid}/fd")
        while proc.poll() is None and not any(_points_to(fd, lock) for fd in fds.iterdir()):
            time.sleep(0.01)  # readiness: the other build has opened the lock file
        assert proc.poll() is None, proc.communicate()
        assert not db_path(kb_root).exists()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert db_path(kb_root).is_file()


def _points_to(fd: Path, target: Path) -> bool:
    try:
        return Path(os.readlink(fd)) == target
    except OSError:
        return False


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mtimes=st.lists(st.integers(min_value=0, max_value=2**62), min_size=1, max_size=8), depth=st.integers(min_value=0, max_value=3))
def test_the_published_database_depends_only_on_content(tmp_path: Path, full_root: Path, mtimes: list[int], depth: int) -> None:
    """Any modification times, any location of the tree: the same published bytes (the whole
    knowledge base: enough files that rows of other widths would take other pages)."""
    from kb.db.build import build
    from kb.db.freshness import scan
    from kb.db.publish import publish
    from kb.store import load

    kb_root = full_root
    other = tmp_path.joinpath(*[f"d{i}" for i in range(depth)], f"copy-{len(mtimes)}-{mtimes[0]}")
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(kb_root, other)
    for n, path in enumerate(sorted((other / "claims").rglob("*"))):
        os.utime(path, ns=(mtimes[n % len(mtimes)], mtimes[n % len(mtimes)]))
    published = []
    for n, root in enumerate((kb_root, other)):
        kb, problems = load(root)
        files, fp = scan(root)
        built = build(kb, files, fp, problems, tmp_path / f"built{n}.sqlite")
        publish(built, tmp_path / f"published{n}.sqlite")
        published.append((tmp_path / f"published{n}.sqlite").read_bytes())
    assert published[0] == published[1]
    assert str(tmp_path).encode() not in published[0]
    with closing(sqlite3.connect(tmp_path / "published0.sqlite")) as conn:
        assert conn.execute("SELECT count(*) FROM file").fetchone() == (0,)
        assert conn.execute("SELECT key FROM meta").fetchall() == [("schema_version",)]
        assert conn.execute("SELECT count(*) FROM claim").fetchone() == (len(list((kb_root / "claims" / "findings").glob("*.yaml"))),)


def test_a_copy_published_on_a_thread_is_waited_for_here_and_in_a_process_forked_meanwhile(tmp_path: Path) -> None:
    """kb.db.publish.Published: `wait` returns once the copy is whole, with its sha256, in this
    process and in a child forked while it runs (both may wait, in any order); its `first` step
    (the database's last writes) is in the copy; a copy that fails raises WriteFailed in both and
    `close` raises its own error."""
    from kb.bulk import Forked
    from kb.db.publish import Published, publish
    from kb.errors import WriteFailed

    source = tmp_path / "kb.sqlite"
    with closing(sqlite3.connect(source)) as conn, conn:
        conn.execute("CREATE TABLE file (path TEXT)")
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        conn.execute("CREATE TABLE claim (id TEXT, data TEXT)")
        conn.executemany("INSERT INTO claim VALUES (?, ?)", [(f"c{i}", "x" * 2000) for i in range(3000)])
    publish(source, tmp_path / "expected.sqlite")

    def last_writes() -> None:  # what the copy must hold, written on the copy's thread first
        shutil.copyfile(source, tmp_path / "kb-last.sqlite")
        with closing(sqlite3.connect(tmp_path / "kb-last.sqlite")) as conn, conn:
            conn.execute("CREATE TABLE portfolio (h TEXT)")
            conn.execute("INSERT INTO portfolio VALUES ('h1')")

    published = Published(tmp_path / "kb-last.sqlite", tmp_path / "copy.sqlite", last_writes)

    def there() -> tuple[str, bytes]:
        return published.wait(), (tmp_path / "copy.sqlite").read_bytes()

    child = Forked(there)
    digest = published.wait()
    copy = (tmp_path / "copy.sqlite").read_bytes()
    assert child.result() == (digest, copy) and digest == hashlib.sha256(copy).hexdigest()
    published.close()
    with closing(sqlite3.connect(tmp_path / "copy.sqlite")) as conn:
        assert conn.execute("SELECT h FROM portfolio").fetchall() == [("h1",)]
        assert conn.execute("SELECT count(*) FROM claim").fetchone() == (3000,)
    plain = Published(source, tmp_path / "plain.sqlite")
    assert plain.wait() == hashlib.sha256((tmp_path / "expected.sqlite").read_bytes()).hexdigest()
    plain.close()

    failing = Published(tmp_path / "missing" / "kb.sqlite", tmp_path / "not-made.sqlite")

    def fails_there() -> str:
        try:
            failing.wait()
        except WriteFailed as e:
            return str(e)
        return "no error"

    told = Forked(fails_there)
    with pytest.raises(WriteFailed, match="not-made.sqlite"):
        failing.wait()
    assert "not-made.sqlite" in told.result()
    with pytest.raises(sqlite3.Error):
        failing.close()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(
        st.lists(st.tuples(st.text(min_size=1, max_size=40), st.floats(allow_nan=False, allow_infinity=False)), max_size=300),
        min_size=2,
        max_size=2,
    ),
    cleared=st.booleans(),
)
def test_a_copy_started_before_the_portfolio_is_written_depends_only_on_content(
    tmp_path: Path, full_root: Path, before: list[list[tuple[str, float]]], cleared: bool
) -> None:
    """Published(early=True), as the build pipeline starts it beside the load: the copy of the
    records made at once, the portfolio tables' rows copied in once written (`then`). Whatever
    those tables held before (other builds' rows, any number), the same content gives the same
    bytes, in a process forked meanwhile too; the copy holds the database's rows but its machine
    rows. Tables not emptied first (`cleared` false, and rows in them) give the whole copy `publish` makes."""
    from kb.bulk import Forked
    from kb.db.aggregates import portfolio_rows, write_portfolio
    from kb.db.build import DERIVED, build
    from kb.db.freshness import scan
    from kb.db.publish import Published, clear_derived, publish
    from kb.store import load
    from kb.weights import load_weights

    kb, problems = load(full_root)
    files, fp = scan(full_root)
    source = build(kb, files, fp, problems, tmp_path / "source.sqlite")
    rows = portfolio_rows(kb, load_weights(full_root), draws=200, seed=1)
    copies = []
    for n, earlier in enumerate(before):
        database = tmp_path / f"kb{n}.sqlite"
        shutil.copyfile(source, database)
        with closing(sqlite3.connect(database)) as conn, conn:  # what an earlier build left
            conn.executemany(
                "INSERT INTO contribution VALUES ('old', 'h', ?, 'c', 'supports', 0, ?, 0, 0)",
                [(f"{i}-{claim}", value) for i, (claim, value) in enumerate(earlier)],
            )
        if cleared:
            clear_derived(database)
        target = tmp_path / f"copy{n}.sqlite"
        published = Published(database, target, early=True)
        published.copied()
        there = Forked(published.wait)
        published.then(lambda database=database: write_portfolio(database, rows))  # type: ignore[misc]
        digest = published.wait()
        published.close()
        assert there.result() == digest == hashlib.sha256(target.read_bytes()).hexdigest()
        copies.append(target.read_bytes())
        with closing(sqlite3.connect(target)) as copy, closing(sqlite3.connect(database)) as db:
            for table in (*DERIVED, "claim", "link"):
                assert (
                    copy.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                    == db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                )  # noqa: S608
            assert copy.execute("SELECT count(*) FROM file").fetchone() == (0,)
            assert copy.execute("SELECT key FROM meta").fetchall() == [("schema_version",)]
        if not cleared and earlier:
            publish(database, tmp_path / "whole.sqlite")
            assert copies.pop() == (tmp_path / "whole.sqlite").read_bytes()
    assert len(set(copies)) <= 1


def test_an_early_copy_never_given_its_last_writes_is_closed_without_waiting(tmp_path: Path, kb_root: Path) -> None:
    """A build that fails before the portfolio is written closes its early copy: no thread waits for ever."""
    from kb.db.build import build
    from kb.db.freshness import scan
    from kb.db.publish import Published
    from kb.store import load

    kb, problems = load(kb_root)
    files, fp = scan(kb_root)
    database = build(kb, files, fp, problems, tmp_path / "kb.sqlite")
    published = Published(database, tmp_path / "copy.sqlite", early=True)
    published.close()
    assert not published.thread.is_alive()


def test_a_relative_root_gives_the_same_file_paths(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan() names files relative to the root however the root is spelled (Path(".") joins
    claims/ without a leading "./": the incremental update then saw every file as changed)."""
    from kb.db.freshness import scan

    absolute = scan(kb_root)[0]
    monkeypatch.chdir(kb_root)
    assert scan(Path("."))[0] == absolute
    monkeypatch.chdir(kb_root.parent)
    assert scan(Path(kb_root.name))[0] == absolute
    assert all(p.startswith("claims/") for p in absolute)
