"""Record files parsed beside the caller: a forked helper reads and parses the YAML of every record
file while this process does other work (its own imports, when started at the command line's
start by cli.prefetch; the rendering child's, by kb.pipeline), then the two share what is left,
one file at a time (kb.bulk.Dispenser: whichever side is free takes the next). kb.store's full
load takes what was parsed instead of parsing it again. At 1k findings parsing is 0.18 s of a
0.6 s `kb db build`, about as long as the imports it overlaps; at 10k, 2 s of 4.7 s.

What the helper sends is used only while the file is unchanged: the size and modification time it
saw before reading must equal what a stat gives when the loader takes it (this process' own
share is read after the caller's scan, as the loader would read it), and that time must be older
than SAME_TICK at the reading (an edit within the same tick of a coarse clock keeps both; git
distrusts its index the same way). A file that is not a plain regular file, or that the helper
could not read or parse, or did not send (it failed), is read and parsed by the loader as it
would be without any of this, so every problem is reported as before. Standard library, kb.files
and kb.bulk at the start (the helper imports the YAML reader itself), so starting costs
milliseconds."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import pickle
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb import files
from kb.bulk import Dispenser
from kb.paths import CLAIMS_DIR, RECORD_FOLDER_NAMES

Parsed = tuple[int, int, Any]  # the size and modification time seen before reading, and the data
# by path from the root: data parsed here (after the caller's scan, as the loader reads), or a
# Parsed pickled by the helper (its stats checked when taken)
Held = dict[str, "dict[str, Any] | bytes"]
PROTOCOL = pickle.HIGHEST_PROTOCOL


def record_paths(root: Path) -> list[str]:
    """Every record file's path from the root, as kb.store's load walks them (kb.files.yaml_files)."""
    prefix = len(str(root)) + 1
    return [str(path)[prefix:] for folder in RECORD_FOLDER_NAMES for path in files.yaml_files(root / CLAIMS_DIR / folder)]


def parse(root: Path, rel: str) -> Parsed | None:
    """One record file's data if it is a regular file, last modified more than SAME_TICK ago, that
    reads and parses to a mapping; None otherwise (the loader then reads it itself)."""
    from kb import yamlio

    path = root / rel
    now = time.time_ns()
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_mtime_ns > now - files.SAME_TICK:
            return None
        data = yamlio.parse(files.read_text(path, rel, root / CLAIMS_DIR))
    except Exception:  # noqa: BLE001 - any problem is the loader's to find and report
        return None
    return (st.st_size, st.st_mtime_ns, data) if isinstance(data, dict) else None


def current(held: dict[str, Any] | bytes | None, path: Path) -> dict[str, Any] | None:
    """The data of a held file: parsed here, or by the helper if the file is still as it read it;
    else None."""
    if not isinstance(held, bytes):
        return held
    size, mtime, data = pickle.loads(held)  # noqa: S301 - our own helper's
    try:
        st = os.lstat(path)
    except OSError:
        return None
    fresh = stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == (size, mtime)
    return data if fresh else None


@dataclass
class _Helper:
    root: Path
    rels: list[str]
    dispenser: Dispenser
    pid: int
    results: int  # the read end of the pipe the helper sends its results through


_started: _Helper | None = None


def start(root: Path) -> None:
    """Fork the helper for the record files of `root` (once per process; not without fork)."""
    global _started
    if _started is not None or not hasattr(os, "fork"):
        return
    rels = record_paths(root)
    dispenser = Dispenser()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: parse what it takes, send it all, leave without running exit handlers
        code = 0
        try:
            os.close(read)
            dispenser.forked()
            gc.disable()
            done = [(i, pickle.dumps(data, protocol=PROTOCOL)) for i, data in dispenser.each(lambda i: parse(root, rels[i])) if data]
            with os.fdopen(write, "wb") as pipe:
                pipe.write(pickle.dumps(done, protocol=PROTOCOL))
        except BaseException:  # noqa: BLE001 - nothing sent: the loader parses everything itself
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    dispenser.put(list(range(len(rels))))
    _started = _Helper(root, rels, dispenser, pid, read)


def take(root: Path) -> Held:
    """What was parsed of `root`'s record files: this side's share parsed now, beside the helper,
    then the helper's (empty if none was started for `root`; what the helper failed to send is
    missing). Once: the helper is gone after."""
    global _started
    helper = _started
    if helper is None or helper.root.resolve() != root.resolve():
        return {}
    _started = None
    rels = helper.rels
    held: Held = {}
    sent: bytes | None = None
    try:
        for i, mine in helper.dispenser.each(lambda i: parse(root, rels[i])):
            if mine is not None:
                held[rels[i]] = mine[2]
        pipe, helper.results = os.fdopen(helper.results, "rb"), -1  # closed by the file object from here
        with pipe:
            sent = pipe.read()
    finally:
        if sent is None:  # interrupted here: the helper may be waiting to send for ever
            _stop(helper)
        else:
            helper.dispenser.close()
            os.waitpid(helper.pid, 0)
    with contextlib.suppress(Exception):  # nothing usable sent: those files are parsed by the loader
        theirs: list[tuple[int, bytes]] = pickle.loads(sent)  # noqa: S301 - our own helper's
        held.update((rels[i], data) for i, data in theirs)
    return held


def _stop(helper: _Helper) -> None:
    """Stop a helper whose results will not be read, and free what it holds here."""
    with contextlib.suppress(OSError):
        os.kill(helper.pid, signal.SIGKILL)
        os.waitpid(helper.pid, 0)
    helper.dispenser.close()
    if helper.results >= 0:
        os.close(helper.results)


@atexit.register
def _cancel() -> None:
    """At exit, a helper never taken is stopped (it would wait to send for ever)."""
    global _started
    helper, _started = _started, None
    if helper is not None:
        _stop(helper)
