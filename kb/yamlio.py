"""Reading and writing YAML: the fast C parser for loading, source marks only when a problem
needs a line number, canonical dumps for new files."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeDumper as SafeDumper
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper, SafeLoader  # type: ignore[assignment]


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _Loader(SafeLoader):
    """Safe loader with YAML 1.2 scalars: dates stay strings (pydantic parses them) and only
    true/false are booleans, so `controlled: no` means the vocabulary value, not False."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The tag of a node, as BaseResolver.resolve gives it for this loader (no path resolvers,
        no wildcard resolvers), without its general machinery: most scalars are text that starts
        with a letter no resolver looks at, and libyaml calls this once per scalar."""
        if kind is yaml.ScalarNode:
            if implicit[0] and (not value or value[0] in _FIRST):
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], []):
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_FIRST = frozenset(k for k in _Loader.yaml_implicit_resolvers if k is not None)  # first characters any resolver looks at


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's constructor (merge keys and the like)."""


class Refused(yaml.MarkedYAMLError):
    """YAML that parses but is refused in a record: an alias (it can expand without bound, and a
    reviewer reading the diff does not see what it stands for) or a duplicate key (the reader of
    the diff sees the first value, the loader would take the last)."""

    def __init__(self, problem: str, node: yaml.Node) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark)


def _refuse_aliases(root: yaml.Node) -> None:
    """Refuse a composed document in which a node is reached twice (an alias): checked on the node
    graph before anything is built from it, so an alias bomb costs nothing."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise Refused("aliases (*name) are not allowed in records; write the value out", node)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _build(loader: _Loader, node: yaml.Node) -> Any:
    """Python data from a composed node: plain dicts, lists and strings built directly (SafeConstructor
    spends most of a load in generic bookkeeping); other scalars (numbers, booleans, null) and any
    other tag go through the loader's own constructor, so the result is the same. A key given
    twice in one mapping is refused."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if kind is yaml.MappingNode and node.tag == _MAP:
        out = {}
        for key, value in node.value:
            if key.tag != _STR and key.tag != "tag:yaml.org,2002:int":
                raise _Unusual(key.tag)  # merge keys (<<), values (=), odd keys
            name = _build(loader, key)
            if name in out:
                raise Refused(f"duplicate key '{name}' (each field may appear once)", key)
            out[name] = _build(loader, value)
        return out
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_build(loader, item) for item in node.value]
    return loader.construct_object(node, deep=True)


def parse(text: str) -> Any:
    """The YAML document in `text` as Python data (YAML 1.2 scalars, see _Loader): libyaml composes
    the nodes, `_build` turns them into data about twice as fast as SafeConstructor; anything it
    does not handle (unhashable or odd keys) gets SafeConstructor itself. Aliases and duplicate
    keys are refused (Refused, a YAMLError with the line), so no input expands beyond its size."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text:  # an alias needs a '*'; most records have none, and skip the walk
            _refuse_aliases(node)
        try:
            return _build(loader, node)
        except (_Unusual, RecursionError, TypeError):
            return loader.construct_document(node)
    finally:
        loader.dispose()


def line_of(text: str, loc: Sequence[str | int]) -> int:
    """The 1-based line of the node at `loc` (keys and indices), or of its deepest existing
    ancestor. Only called when reporting a problem, so speed does not matter here."""
    return lines_of(text, [loc])[0]


def lines_of(text: str, locs: Sequence[Sequence[str | int]]) -> list[int]:
    """line_of for several locations, composing the document once."""
    root = compose(text)
    return [line_in(root, loc) for loc in locs]


def compose(text: str) -> yaml.Node | None:
    """The node tree of `text` (for line numbers), None if it is empty or not YAML."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


def line_in(node: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """The 1-based line of the node at `loc` below `node` (a compose() tree), or of its deepest
    existing ancestor; 1 without a tree."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    line = key.start_mark.line + 1
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=SafeDumper, sort_keys=False, allow_unicode=True, width=100)


def _mode(path: Path) -> int:
    """The mode a write to `path` should leave: the file's own if it exists, else what the umask
    gives a new file (mkstemp's 0600 would otherwise stick)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _temp_copy(path: Path, content: str | bytes) -> str:
    """Write `content` to a new temporary file beside `path` and flush it to disk; its name."""
    mode = _mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, content: str | bytes) -> None:
    """Create `path` atomically, failing if it exists: the content goes to a temporary file in the
    same folder, then is hard-linked into place (link refuses to replace an existing file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_copy(path, content)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def replace(path: Path, content: str) -> None:
    """Replace `path` atomically: a reader sees the old file or the new one, never half of one."""
    tmp = _temp_copy(path, content)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
