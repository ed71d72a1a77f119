"""The published copy of the database and the metadata Datasette reads beside it. The copy depends
only on the content of `claims/`: the `file` table (sizes and modification times) and the
fingerprint are left out, and nothing stores an absolute path."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from kb.db.build import DERIVED, METADATA_JSON, empty_derived, has_derived
from kb.errors import WriteFailed

TITLE = "The AI consciousness evidence portfolio"
LICENSE = "MIT, as the repository (pyproject.toml); archived source texts remain their authors'"
LICENSE_URL = "https://opensource.org/license/mit"
SOURCE = "claims/ (YAML records reviewed in git)"


def metadata(database_name: str = "kb") -> dict[str, Any]:
    """Datasette metadata: title, licence, source, and a description of every table, view and
    column (kb/db/metadata.json, frozen from kb/db/schema.py)."""
    tables = json.loads(METADATA_JSON.read_text(encoding="utf-8"))
    return {
        "title": TITLE,
        "description": "Typed claims about AI consciousness research, their links to hypotheses, confounds, reviews and the aggregated portfolio.",
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": SOURCE,
        "databases": {database_name: {"tables": tables}},
    }


def write_metadata(database: Path) -> Path:
    """Write `metadata.json` beside `database` (for `datasette DB -m metadata.json`)."""
    path = database.with_name("metadata.json")
    path.write_text(json.dumps(metadata(database.stem), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def publish(database: Path, target: Path) -> None:
    """Copy `database` to `target` without what depends on the machine (file stats, fingerprint),
    so two builds of the same content give the same bytes: `VACUUM INTO` writes a compact copy laid
    out by content alone (the `file` table's rows all have one width, kb.db.build), whose machine
    rows are then deleted with their bytes zeroed (secure_delete). A second VACUUM to drop the
    freed pages would double the cost (at 10k claims 0.46 s against 0.2 s) for about 2% of the size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(database)) as src:
        src.execute("VACUUM INTO ?", (str(target),))
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA secure_delete = ON")
        with conn:
            conn.execute("DELETE FROM file")
            conn.execute("DELETE FROM meta WHERE key = 'fingerprint'")


def clear_derived(database: Path) -> None:
    """Empty the DERIVED tables of `database` (kb.db.build's in-place update does, as they are
    stale once a claim changed), unless they are: their rows are about to be written again."""
    with closing(sqlite3.connect(database)) as conn:
        if has_derived(conn):
            with conn:
                empty_derived(conn)


def publish_early(database: Path, target: Path) -> bool:
    """`publish` before the DERIVED tables are written, which must be empty (`clear_derived`).
    Whether they were, in the copy (the state it was made from: VACUUM cannot run in a
    transaction); if not, `publish` the whole again once they are written."""
    publish(database, target)
    with closing(sqlite3.connect(target)) as conn:
        return not has_derived(conn)


def publish_derived(database: Path, target: Path) -> None:
    """The second half: the DERIVED tables' rows, as `database` now holds them, copied into the
    copy `publish_early` made, in the order they were written. The same content then gives the same
    bytes again: the early copy is laid out by the records alone, and the rows go in one way."""
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("ATTACH DATABASE ? AS source", (f"file:{database}?mode=ro",))
        with conn:
            for table in DERIVED:
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table} ORDER BY rowid")  # noqa: S608 - our names
        conn.execute("DETACH DATABASE source")


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks (a download can be hundreds of megabytes)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


class Published:
    """`first()` then `publish(database, target)` on a thread from now (SQLite writes and copies
    without holding Python's lock, so they run beside this process' work: `first` is for the
    database's last writes, such as its portfolio tables), then the copy's sha256. `wait` blocks
    until the copy is done and returns that digest, or raises WriteFailed if something failed,
    here or in a process forked after this started: the thread tells through a pipe, one message
    of DONE bytes (an outcome byte and the digest), that each waiter puts back for the next.

    With `early`, the copy starts at once, before `first` is known (`publish_early`: the DERIVED
    tables must be empty now, and are written by `first`, given later with `then`), and only
    those tables' rows are copied once it has run (`publish_derived`). `copied` waits for that
    first part: a process forked while SQLite works on the thread must not use SQLite (a lock the
    thread holds at the fork would never be released in the child)."""

    DONE = 65

    def __init__(self, database: Path, target: Path, first: Callable[[], object] = lambda: None, *, early: bool = False) -> None:
        self.target = target
        self.error: BaseException | None = None
        self.read, self.write = os.pipe()
        self.firsts: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self.started = threading.Event()
        if not early:
            self.firsts.put(first)
        self.thread = threading.Thread(target=self._copy, args=(database, early), daemon=True)
        self.thread.start()

    def then(self, first: Callable[[], object]) -> None:
        """With `early`: what writes the DERIVED tables, run on the thread once the copy is made."""
        self.firsts.put(first)

    def copied(self) -> None:
        """Wait until the thread is done with SQLite until `first` (with `early`: the copy is made)."""
        self.started.wait()

    def _copy(self, database: Path, early: bool) -> None:
        digest = "0" * 64
        try:
            try:
                whole = not (early and publish_early(database, self.target))
            finally:
                self.started.set()
            self.firsts.get()()
            if whole:
                publish(database, self.target)
            else:
                publish_derived(database, self.target)
            digest = sha256_of(self.target)
        except BaseException as e:  # told to every waiter, raised again by `close`
            self.error = e
        os.write(self.write, (b"0" if self.error is not None else b"1") + digest.encode())

    def wait(self) -> str:
        """The copy's sha256, once it is done."""
        done = os.read(self.read, self.DONE)  # written whole: fewer than PIPE_BUF bytes
        os.write(self.write, done)
        if done[:1] != b"1":
            raise WriteFailed(f"{self.target.name}: the published copy of the database could not be written")
        return done[1:].decode()

    def close(self) -> None:
        """Wait for the thread and free the pipe; raise what `first` or the copy raised. With
        `early` and no `then`, the copy is left without the DERIVED tables' rows."""
        self.firsts.put(lambda: None)
        self.thread.join()
        os.close(self.read)
        os.close(self.write)
        if self.error is not None:
            raise self.error
