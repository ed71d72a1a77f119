"""Bulk work on a large heap: loading, analysing and rendering tens of thousands of records."""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import threading
import traceback
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from kb.errors import InvalidKnowledgeBase, KbError

A = TypeVar("A")
T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector. Bulk steps allocate tens of objects per record and make
    no reference cycles (reference counting still frees everything), but each collection of the
    oldest generation walks the whole growing heap: at 50k claims that was most of the time spent
    building the aggregator's evidence (12 s -> 3.3 s) and a fifth of loading."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the cyclic collector running but out of the objects that exist now (gc.freeze): for
    steps that make garbage cycles of their own (template rendering) over a large heap that they
    only read."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Dispenser:
    """Indexes that `beside`'s own side deals out (`put`, once it knows them) to both sides: each
    side takes them one at a time (`each`) and each index goes to whichever side asks first, so
    the side that is done with its other work first takes more. Through a pipe made before the
    fork: an index is 8 bytes, written in writes of at most PIPE_BUF bytes (each lands whole, so
    the bytes in the pipe are always whole indexes) and read 8 at a time (a read from a pipe is
    one step between its readers). `put` writes on a thread (more than a pipe's buffer would
    otherwise block until the other side reads) and closes the writing end when done; the putting
    side must `close` however it ends, or the other would wait for ever; the forked side `forked`
    first (dropping its copy of the writing end). Without fork (`mine` runs first) the indexes
    are held, and taken in turn."""

    def __init__(self) -> None:
        self.held: list[int] = []
        self.pipe = os.pipe() if hasattr(os, "fork") else None
        self.writer: threading.Thread | None = None

    def put(self, indexes: list[int]) -> None:
        """Deal `indexes` (once: the writing end closes when they are written)."""
        if self.pipe is None:
            self.held += indexes
            return
        data = array("q", indexes).tobytes()
        write, chunk = self.pipe[1], select.PIPE_BUF // 8 * 8  # whole indexes, at most PIPE_BUF bytes a write

        def send() -> None:
            try:
                for start in range(0, len(data), chunk):
                    os.write(write, data[start : start + chunk])
            except BrokenPipeError:  # the other side failed: `beside` reports it
                pass
            finally:
                self._close_writing()

        self.writer = threading.Thread(target=send, daemon=True)
        self.writer.start()

    def _close_writing(self) -> None:
        if self.pipe is not None and self.pipe[1] >= 0:
            fd, self.pipe = self.pipe[1], (self.pipe[0], -1)
            os.close(fd)

    def close(self) -> None:
        """The putting side, however it ends: with no `put` made, the writing end closes here (a
        put's thread closes it once it has written: waiting for it here could wait for ever, for
        a reader that is this side itself)."""
        if self.writer is None:
            self._close_writing()

    def forked(self) -> None:
        """The forked side, first: its copy of the writing end goes."""
        self._close_writing()

    def _take(self) -> Iterator[int]:
        if self.pipe is None:
            taken, self.held = self.held, []
            yield from taken
            return
        while len(item := os.read(self.pipe[0], 8)) == 8:
            yield array("q", item)[0]

    def each(self, work: Callable[[int], T]) -> list[tuple[int, T]]:
        """`work(index)` for each index this side takes, one at a time (the next is taken once
        `work` is done with the last), until all are taken; then this side's reading end goes."""
        try:
            return [(i, work(i)) for i in self._take()]
        finally:
            if self.writer is not None:
                self.writer.join()
            if self.pipe is not None:
                os.close(self.pipe[0])


def _fork(child: Callable[[int], int]) -> tuple[int, int]:
    """A forked child that runs `child(write end of a pipe)` and exits with its code (1 and the
    traceback on stderr if it raises, 130 on Ctrl-C); returns its pid and the pipe's read end."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            code = child(write)
        except KeyboardInterrupt:
            code = 130
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


class Forked(Generic[R]):
    """`work()` started now in a forked child (without fork, run here when its result is asked
    for), its result sent back pickled through a pipe and read by a thread meanwhile (a child
    whose result outgrows the pipe's buffer would otherwise wait, holding its memory). `result`
    waits for it and raises KbError if it failed (its error printed there). The child only reads
    what it inherits; anything it writes (files) must not overlap with what this process writes
    until then. What exists at the fork is left out of this process' cyclic collector from then
    on (gc.freeze, as the gc module advises before a fork): a collection walking it in either
    process would copy every page it walks, which both hold until then as one."""

    def __init__(self, work: Callable[[], R]) -> None:
        self.work: Callable[[], R] | None = None
        if not hasattr(os, "fork"):
            self.work = work
            return
        gc.freeze()

        def send(write: int) -> int:
            with os.fdopen(write, "wb") as pipe:
                pipe.write(pickle.dumps(work()))
            return 0

        self.pid, read = _fork(send)
        self.status: int | None = None
        self.received: list[bytes] = []

        def receive() -> None:
            with os.fdopen(read, "rb") as pipe:
                self.received.append(pipe.read())

        self.reader = threading.Thread(target=receive, daemon=True)
        self.reader.start()

    def wait(self) -> int:
        """Wait for the child to end; its exit code (0 without fork)."""
        if self.work is not None:
            return 0
        if self.status is None:
            self.reader.join()
            self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.status

    def result(self) -> R:
        if self.work is not None:
            return self.work()
        code = self.wait()
        data = self.received[0] if self.received else b""
        if code != 0 or not data:
            raise KbError("the second worker process failed (its error is above)")
        there: R = pickle.loads(data)  # noqa: S301 - written by our own child process
        return there


def beside(mine: Callable[[], T], theirs: Callable[[], R]) -> tuple[T, R]:
    """`mine()` here while a forked child runs `theirs()` (Forked; without fork, one after the
    other): the only way to give pure-Python work (the aggregator's bookkeeping, Jinja) a second
    core."""
    return alongside(Forked(theirs), mine)


def alongside(there: Forked[R], mine: Callable[[], T]) -> tuple[T, R]:
    """`mine()` here while `there` runs, then both results (`there` waited for however `mine`
    ends): `beside` for a caller that holds the child, to wait for it meanwhile."""
    try:
        here = mine()
    except BaseException:
        there.wait()
        raise
    return here, there.result()


def _child(work: Callable[[Callable[[str], None]], object], write: int) -> int:
    """The forked child's side of `in_child`: runs `work`, sends its stages and its outcome."""
    with os.fdopen(write, "wb") as pipe:

        def step(name: str) -> None:
            pickle.dump(("step", name), pipe)
            pipe.flush()

        try:
            outcome: tuple[str, object] = ("ok", work(step))
        except InvalidKnowledgeBase as exc:
            outcome = ("invalid", exc.problems)
        except KbError as exc:  # the CLI shows a user error by its message alone
            outcome = ("error", KbError(str(exc)))
        except OSError as exc:
            outcome = ("error", exc)
        pipe.write(pickle.dumps(outcome))
    return 0


def in_child(work: Callable[[Callable[[str], None]], R], tell: Callable[[str], None]) -> R:
    """`work(step)` run in a forked child, its result sent back pickled; the stages it names with
    `step` are passed on to `tell` as they start. Whatever the child allocates goes back to the
    system when it exits, so a process started afterwards (the site engine) does not add to a
    parent still holding every record. A user error (KbError, OSError) raised there is raised
    here; anything else is printed there and reported here in one line."""
    if not hasattr(os, "fork"):
        return work(tell)
    pid, read = _fork(lambda write: _child(work, write))
    result: R = _outcome(pid, read, tell)
    return result


def _outcome(pid: int, read: int, tell: Callable[[str], None]) -> Any:
    """in_child's side once the child runs (Primed's too): its stages passed on to `tell`, then its result."""
    result: tuple[str, object] | None = None
    try:
        with os.fdopen(read, "rb") as source:
            while True:
                try:
                    kind, value = pickle.load(source)  # noqa: S301 - written by our own child process
                except EOFError:
                    break
                if kind == "step":
                    tell(str(value))
                else:
                    result = (kind, value)
    finally:
        _, status = os.waitpid(pid, 0)
    if result is None or os.waitstatus_to_exitcode(status) != 0:
        raise KbError("the rendering process failed (its error is above)")
    if result[0] == "invalid":
        raise InvalidKnowledgeBase(result[1])  # type: ignore[arg-type]
    if result[0] == "error":
        raise result[1]  # type: ignore[misc]
    return result[1]


class Primed(Generic[A, R]):
    """in_child, with the child forked before what to ask it is known: it runs `prime()` at once
    (imports the modules `work` needs, say) while this process works that out, then waits. `run`
    sends it `asked` (pickled, through a pipe) and returns what `work(asked, step)` gives, as
    in_child does; `cancel` ends a child that will not be asked (killed: it has done nothing but
    prime), and is a no-op after `run`. Without fork, `run` calls `work` here."""

    def __init__(self, work: Callable[[A, Callable[[str], None]], R], prime: Callable[[], object]) -> None:
        self.work = work
        self.pid: int | None = None
        if not hasattr(os, "fork"):
            return
        ask_read, self.ask = os.pipe()

        def child(write: int) -> int:
            os.close(self.ask)  # this process' copy of the write end: the parent's close is then the end
            prime()
            with os.fdopen(ask_read, "rb") as source:
                data = source.read()
            if not data:  # not asked (the parent ended without `run`)
                os.close(write)
                return 0
            asked: A = pickle.loads(data)  # noqa: S301 - written by our own parent process
            return _child(lambda step: work(asked, step), write)

        self.pid, self.read = _fork(child)
        os.close(ask_read)

    def run(self, asked: A, tell: Callable[[str], None]) -> R:
        if self.pid is None:
            return self.work(asked, tell)
        pid, self.pid = self.pid, None
        try:
            with os.fdopen(self.ask, "wb") as out:
                out.write(pickle.dumps(asked))
        except BrokenPipeError:  # the child failed while priming: _outcome reports it
            pass
        result: R = _outcome(pid, self.read, tell)
        return result

    def cancel(self) -> None:
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        os.kill(pid, signal.SIGKILL)
        for fd in (self.ask, self.read):
            os.close(fd)
        os.waitpid(pid, 0)
