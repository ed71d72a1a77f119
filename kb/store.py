"""The YAML store: `claims/` is the source of truth. Loading is strict and collects every problem
in one pass, each as `path:line: field: message`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from kb import files, parsed, yamlio
from kb.bulk import gc_paused
from kb.errors import InvalidKnowledgeBase, Problem
from kb.models import (
    RECORD_FOLDERS,
    Claim,
    ConfoundType,
    Discrepancy,
    Hypothesis,
    Identified,
    Locator,
    Model,
    Question,
    Source,
    SourceText,
)
from kb.paths import CLAIMS_DIR, find_root  # noqa: F401 - re-exported for callers of kb.store
from kb.texts import ArchivedText
from kb.vocab import Kind, Missing

R = TypeVar("R", bound=Identified)
MAX_PROBLEMS = 20  # per record: more would bury the first ones (and cost a YAML compose each)
TEXTS_DIR = f"{CLAIMS_DIR}/texts"  # archived texts live here and nowhere else
TEXT_MAX_BYTES = 64_000_000  # an archived text larger than this is refused (the largest today is under 1 MB)
Loc = tuple[str | int, ...]


class _Loaded(dict[str, bytes]):
    """KnowledgeBase.loaded_all: each finding's entry made when first looked up."""

    def __init__(self, kb: KnowledgeBase, files: Mapping[str, bytes] | None) -> None:
        super().__init__()
        self.kb, self.files = kb, files

    def __missing__(self, cid: str) -> bytes:
        path = self.kb.path_of("findings", cid)
        out = (
            path.encode() + b"\0" + self.files[path]
            if self.files is not None and path in self.files
            else repr((path, self.kb.claims[cid])).encode()
        )
        self[cid] = out
        return out


@dataclass
class KnowledgeBase:
    """Every record of the knowledge base, by folder and id, and the file each came from."""

    root: Path
    claims: dict[str, Claim] = field(default_factory=dict)
    hypotheses: dict[str, Hypothesis] = field(default_factory=dict)
    confounds: dict[str, ConfoundType] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    texts: dict[str, SourceText] = field(default_factory=dict)
    discrepancies: dict[str, Discrepancy] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    paths: dict[tuple[str, str], Path] = field(default_factory=dict)
    _archived: dict[str, ArchivedText] = field(default_factory=dict, repr=False)
    # results derived from the records (e.g. the aggregator's evidence), for read-only use
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def folder(self, name: str) -> dict[str, Any]:
        return getattr(self, "claims" if name == "findings" else name)  # type: ignore[no-any-return]

    def rel(self, path: Path) -> str:
        text, root = str(path), str(self.root)
        if text.startswith(root + "/"):  # a string slice: Path.relative_to is slow at 50k files
            return text[len(root) + 1 :]
        return path.as_posix()

    def path_of(self, folder: str, id: str) -> str:
        """The record's file, relative to the root (each worked out once: a build asks for every
        finding's several times)."""
        known: dict[tuple[str, str], tuple[Path, str]] = self.cache.setdefault("path_of", {})
        path = self.paths[(folder, id)]
        held = known.get((folder, id))
        if held is None or held[0] is not path:
            held = known[(folder, id)] = (path, self.rel(path))
        return held[1]

    def known_path(self, folder: str, id: str, path: Path, rel: str) -> None:
        """Tell `path_of` the record's file `path` is `rel` (for a reader that has both)."""
        self.cache.setdefault("path_of", {})[(folder, id)] = (path, rel)

    def loaded_all(self, files: Mapping[str, bytes] | None) -> Mapping[str, bytes]:
        """Each finding's content as loaded, by id, for the keys of what is kept between builds:
        its file's path and sha256 (`files`: the digests the build read, by path from the root),
        else the path and the record's repr. Each is made when first asked for (a 10k build asks
        115k times), for a knowledge base whose records are not changed in place, as a build's."""
        held = self.cache.get("loaded")
        if held is None or held[0] is not files:
            held = self.cache["loaded"] = (files, _Loaded(self, files))
        return held[1]

    def text_file(self, text_id: str) -> Path:
        """Where an archived text's file is: always inside claims/texts/ (UnreadableFile if its
        record's path leads anywhere else, so nothing outside the knowledge base is ever read)."""
        rec = self.texts[text_id]
        path = self.root / rec.path
        if not files.inside(path, self.root / TEXTS_DIR):
            rel = self.rel(self.paths[("texts", text_id)]) if ("texts", text_id) in self.paths else TEXTS_DIR
            raise files.UnreadableFile(rel, f"path: '{rec.path}' is not a file inside {TEXTS_DIR}/ (refused; id {text_id})")
        return path

    def archived(self, text_id: str) -> ArchivedText:
        if text_id not in self._archived:
            path = self.text_file(text_id)
            data = files.read_bytes(path, self.texts[text_id].path, self.root / TEXTS_DIR, TEXT_MAX_BYTES)
            self._archived[text_id] = ArchivedText(path, data)
        return self._archived[text_id]


def record_files(root: Path, folder: str) -> Iterator[Path]:
    """The record files of one folder, as kb.files.yaml_files walks it (hidden entries skipped,
    like the database's fingerprint)."""
    base = root / CLAIMS_DIR / folder
    if base.is_dir():
        yield from files.yaml_files(base)


# --- per-file loading ---------------------------------------------------------------------------


def _clean_loc(loc: Sequence[str | int], data: Any, missing: bool) -> Loc:
    """Drop pydantic's union-branch tags from an error location, keeping real keys and indices."""
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            out.append(part)
            current = current[part]
        elif missing and i == len(loc) - 1 and isinstance(part, str):
            out.append(part)
    return tuple(out)


def dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(record)"


def _describe(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not in the schema; check the spelling)"
    msg = str(err["msg"])
    if kind == "is_instance_of" and err.get("ctx", {}).get("class") == Missing.__name__:  # kb.models.StrictMissing: as the enum says it
        *rest, last = (repr(v) for v in Missing.values())
        msg = f"Input should be {', '.join(rest)} or {last}"
    msg = msg.removeprefix("Value error, ")
    if "input" in err and not isinstance(err["input"], dict | list):
        return f"{msg} (got {err['input']!r})"
    return msg


def validation_problems(exc: ValidationError, data: Any, rel: str, text: str | None, id: str) -> list[Problem]:
    """One problem per failing field; `text` (the file's YAML) gives line numbers, None gives 0."""
    merged: dict[Loc, list[str]] = {}
    errors = exc.errors()
    for err in errors:
        loc = _clean_loc(err["loc"], data, err["type"] == "missing")
        if loc not in merged and len(merged) >= 2 * MAX_PROBLEMS:  # a hostile file can fail a million times
            break
        merged.setdefault(loc, [])
        desc = _describe(err)
        if desc not in merged[loc]:
            merged[loc].append(desc)
    # a union field that fails as a model and as an enum: keep the deeper (model) complaints
    keep = {loc: msgs for loc, msgs in merged.items() if not any(o[: len(loc)] == loc and o != loc for o in merged)}
    shown = list(keep.items())[:MAX_PROBLEMS]
    lines = yamlio.lines_of(text, [loc for loc, _ in shown]) if text is not None else [0] * len(shown)
    problems = [Problem(rel, line, dotted(loc), f"{' or '.join(msgs)} (id {id})") for (loc, msgs), line in zip(shown, lines, strict=True)]
    if len(keep) > MAX_PROBLEMS or len(errors) > sum(len(m) for m in merged.values()) and len(merged) >= 2 * MAX_PROBLEMS:
        problems.append(Problem(rel, 1, "(record)", f"more problems not shown (the first {MAX_PROBLEMS} are above) (id {id})"))
    return problems


def load_file(path: Path, model: type[R], rel: str, within: Path | None = None) -> tuple[R | None, list[Problem]]:
    """One record file (`rel`: its path from the repository root), read with kb.files' bounds: a
    file that is not a regular file in the knowledge base (`within`: its claims/ folder, found
    from `rel` if not given), too large or not UTF-8 is a problem."""
    if within is None:
        text = str(path)
        within = Path(text[: -len(rel)] if rel and text.endswith(rel) else path.parent) / CLAIMS_DIR
    try:
        content = files.read_text(path, rel, within)
    except files.UnreadableFile as exc:
        return None, [Problem(rel, 1, "(file)", f"{exc.reason} (id {path.stem})")]
    return parse_record(content, model, rel, path.stem)


def parse_record(text: str, model: type[R], rel: str, stem: str) -> tuple[R | None, list[Problem]]:
    """Parse one record's YAML text; `stem` is the file name without .yaml (which must equal the id)."""
    try:
        data = yamlio.parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(rel, line, "(yaml)", f"malformed YAML: {what} (id {stem})")]
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        return None, [Problem(rel, 1, "(record)", f"expected a mapping of fields, got {got} (id {stem})")]
    return record_of(data, model, rel, stem, lambda: text)


def record_of(data: dict[str, Any], model: type[R], rel: str, stem: str, text: Callable[[], str]) -> tuple[R | None, list[Problem]]:
    """A record file's parsed mapping validated; `text()` gives its YAML, for the lines of problems."""
    id = str(data.get("id", stem))
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, data, rel, text(), id)
    problems = []
    if record.id != stem:
        problems.append(Problem(rel, yamlio.line_of(text(), ("id",)), "id", f"id '{record.id}' does not match the file name '{stem}.yaml'"))
    return record, problems


def _load_held(held: dict[str, Any] | bytes | None, path: Path, model: type[R], rel: str, within: Path) -> tuple[R | None, list[Problem]]:
    """load_file, from what kb.parsed held of the file if it is still as it was read."""
    data = parsed.current(held, path)
    if data is not None:
        try:
            return record_of(data, model, rel, path.stem, lambda: files.read_text(path, rel, within))
        except files.UnreadableFile:  # gone since: as if never held
            pass
    return load_file(path, model, rel, within)


# --- the whole knowledge base -------------------------------------------------------------------


class _Checker:
    def __init__(self, kb: KnowledgeBase, pending: dict[Path, str] | None = None) -> None:
        self.kb = kb
        self.problems: list[Problem] = []
        self._texts_ok: set[str] = set()
        self.pending = pending or {}  # file contents not yet on disk, by their final path
        self._copy_queue: dict[str, list[Claim]] = {}
        self._nodes: dict[Path, yaml.Node | None] = {}  # each file with a problem composed once, however many it has

    def add(self, folder: str, id: str, loc: Loc, message: str) -> None:
        path = self.kb.paths[(folder, id)]
        if path not in self._nodes:
            try:
                text = self.pending[path] if path in self.pending else files.read_text(path, self.kb.rel(path))
            except files.UnreadableFile:
                text = ""
            self._nodes[path] = yamlio.compose(text)
        self.problems.append(Problem(self.kb.rel(path), yamlio.line_in(self._nodes[path], loc), dotted(loc), f"{message} (id {id})"))

    def ref(self, folder: str, id: str, loc: Loc, target: str, noun: str, value: Any) -> None:
        if isinstance(value, str) and not isinstance(value, Missing) and value not in self.kb.folder(target):
            self.add(folder, id, loc, f"unknown {noun} '{value}'")

    def texts(self) -> None:
        for tid, rec in self.kb.texts.items():
            self.ref("texts", tid, ("source",), "sources", "source", rec.source)
            path = self.kb.root / rec.path
            if not files.inside(path, self.kb.root / TEXTS_DIR):
                self.add("texts", tid, ("path",), f"archived text '{rec.path}' is not inside {TEXTS_DIR}/ (refused)")
                continue
            if not os.path.lexists(path):
                self.add("texts", tid, ("path",), f"archived text '{rec.path}' does not exist")
                continue
            try:
                archived = self.kb.archived(tid)
            except files.UnreadableFile as exc:
                self.add("texts", tid, ("path",), f"archived text {exc.reason}")
                continue
            if archived.sha256 != rec.sha256:
                self.add("texts", tid, ("sha256",), f"sha256 of '{rec.path}' is {archived.sha256}, record says {rec.sha256}")
                continue
            if archived.line_count != rec.lines:
                self.add("texts", tid, ("lines",), f"'{rec.path}' has {archived.line_count} lines, record says {rec.lines}")
            self._texts_ok.add(tid)

    def locator(self, folder: str, id: str, loc: Loc, locator: Locator) -> None:
        if locator.text not in self.kb.texts:
            self.add(folder, id, (*loc, "text"), f"unknown text '{locator.text}'")
            return
        if locator.text not in self._texts_ok:
            return  # the text itself is broken; reported once, on the text
        archived = self.kb.archived(locator.text)
        start, end = locator.lines
        if end > archived.line_count:
            self.add(folder, id, (*loc, "lines"), f"line range {start}-{end} is outside '{locator.text}' ({archived.line_count} lines)")
            return
        if not archived.quote_at(locator.quote, start, end):
            found = archived.find_quote(locator.quote)
            hint = f"; it occurs at lines {found[0]}-{found[1]}" if found else "; it does not occur in the text"
            self.add(folder, id, (*loc, "quote"), f"quote does not occur at lines {start}-{end} of '{locator.text}'{hint}")

    def claim(self, c: Claim) -> None:
        f = "findings"
        if c.kind is Kind.EMPIRICAL and not c.links:
            self.add(f, c.id, ("links",), "an empirical finding needs at least one hypothesis link")
        if c.kind is Kind.EMPIRICAL and not c.confounds:
            self.add(
                f, c.id, ("confounds",), "an empirical finding needs at least one confound entry (controlled: n-a where none can arise)"
            )
        for i, m in enumerate(c.models):
            self.ref(f, c.id, ("models", i, "model"), "models", "model", m.model)
        for i, link in enumerate(c.links):
            self.ref(f, c.id, ("links", i, "hypothesis"), "hypotheses", "hypothesis", link.hypothesis)
        self.confounds_and_restatement(c)
        self.ref(f, c.id, ("provenance", "origin"), "sources", "source", c.provenance.origin)
        self.ref(f, c.id, ("provenance", "channel"), "sources", "source", c.provenance.channel)
        if c.superseded_by is not None:
            self.ref(f, c.id, ("superseded_by",), "findings", "claim", c.superseded_by)
        if not isinstance(c.result, str):
            for i, num in enumerate(c.result.numbers):
                self.ref(f, c.id, ("result", "numbers", i, "model"), "models", "model", num.model)
        for r, review in enumerate(c.reviews):
            for j, judgment in enumerate(review.confounds):
                self.ref(f, c.id, ("reviews", r, "confounds", j, "confound"), "confounds", "confound type", judgment.confound)
            for j, lj in enumerate(review.links):
                self.ref(f, c.id, ("reviews", r, "links", j, "hypothesis"), "hypotheses", "hypothesis", lj.hypothesis)
        for i, locator in enumerate(c.locators):
            self.locator(f, c.id, ("locators", i), locator)
        self.copies(c)

    def confounds_and_restatement(self, c: Claim) -> None:
        """Confound types exist and threaten only links the claim has; a claim restates another."""
        f, linked = "findings", {link.hypothesis for link in c.links}
        for i, conf in enumerate(c.confounds):
            self.ref(f, c.id, ("confounds", i, "type"), "confounds", "confound type", conf.type)
            for j, hid in enumerate(conf.threatens):
                if hid not in linked:
                    self.add(f, c.id, ("confounds", i, "threatens", j), f"'{hid}' is not a hypothesis this claim links to")
        if c.provenance.restates is not None:
            if c.provenance.restates == c.id:
                self.add(f, c.id, ("provenance", "restates"), "a claim cannot restate itself")
            else:
                self.ref(f, c.id, ("provenance", "restates"), "findings", "claim", c.provenance.restates)

    def questions(self) -> None:
        """Answers are hypotheses, each in at most one question, with priors that sum to 1."""
        kb, owner = self.kb, dict[str, str]()
        for qid, q in sorted(kb.questions.items()):
            if len(set(q.answers)) != len(q.answers):
                self.add("questions", qid, ("answers",), "an answer is listed twice")
            total = 0.0
            for i, hid in enumerate(q.answers):
                self.ref("questions", qid, ("answers", i), "hypotheses", "hypothesis", hid)
                if hid in owner and owner[hid] != qid:
                    self.add("questions", qid, ("answers", i), f"'{hid}' is already an answer of question '{owner[hid]}'")
                owner.setdefault(hid, qid)
                total += kb.hypotheses[hid].prior if hid in kb.hypotheses else 0.0
            if all(h in kb.hypotheses for h in q.answers) and abs(total - 1) > 1e-6:
                self.add(
                    "questions",
                    qid,
                    ("answers",),
                    f"the answers' priors sum to {total:.4g}, not 1 (answers are mutually exclusive and exhaustive)",
                )

    def supersession_cycles(self) -> None:
        """A claim whose chain of successors leads back to it (each claim has one successor, so
        following the chain from every claim finds every cycle)."""
        claims = self.kb.claims
        for cid, c in claims.items():
            seen, current = {cid}, c.superseded_by
            while current is not None and current in claims and current not in seen:
                seen.add(current)
                current = claims[current].superseded_by
            if current == cid and c.superseded_by != cid:
                self.add("findings", cid, ("superseded_by",), f"supersession cycle: '{cid}' is, through its successors, its own successor")

    def copies(self, c: Claim) -> None:
        """Queue the claim's statement for the copy check against each text it cites."""
        for tid in dict.fromkeys(loc.text for loc in c.locators):
            if tid in self._texts_ok:
                self._copy_queue.setdefault(tid, []).append(c)

    def run_copies(self) -> None:
        """The copy check, one text at a time, so only one text's word index is in memory."""
        for tid in sorted(self._copy_queue):
            archived = self.kb.archived(tid)
            queued = self._copy_queue[tid]
            for c, run in zip(queued, archived.copied_runs([c.statement for c in queued]), strict=True):
                if run is not None:
                    self.add(
                        "findings", c.id, ("statement",), f"shares 12 or more consecutive words with '{tid}' (\"{run}\"); paraphrase it"
                    )
            archived.forget_words()
        self._copy_queue.clear()

    def texts_only(self, ids: Iterable[str] | None = None) -> None:
        """Mark archived texts as usable after checking their sha256 (for checking single claims
        without re-checking the whole knowledge base); `ids` limits it to those texts."""
        for tid in self.kb.texts if ids is None else [i for i in ids if i in self.kb.texts]:
            path = self.kb.root / self.kb.texts[tid].path
            try:
                if path.is_file() and self.kb.archived(tid).sha256 == self.kb.texts[tid].sha256:
                    self._texts_ok.add(tid)
            except files.UnreadableFile:
                continue

    def run(self) -> list[Problem]:
        kb = self.kb
        self.texts()
        for hid, h in kb.hypotheses.items():
            for i, rival in enumerate(h.rivals):
                self.ref("hypotheses", hid, ("rivals", i), "hypotheses", "hypothesis", rival)
        for tid, ct in kb.confounds.items():
            if ct.embodies is not None:
                self.ref("confounds", tid, ("embodies",), "hypotheses", "hypothesis", ct.embodies)
        self.questions()
        for c in kb.claims.values():
            self.claim(c)
        self.supersession_cycles()
        self.run_copies()
        for did, d in kb.discrepancies.items():
            for i, side in enumerate(d.sides):
                self.locator("discrepancies", did, ("sides", i, "locator"), side.locator)
            for i, cid in enumerate(d.claims):
                self.ref("discrepancies", did, ("claims", i), "findings", "claim", cid)
        return self.problems


def load(root: Path, *, verify: bool = True, folders: Iterable[str] = RECORD_FOLDERS) -> tuple[KnowledgeBase, list[Problem]]:
    """Load every record under `root/claims`; with `verify`, also check references, texts, quotes
    and copying. Returns the knowledge base (the valid records) and every problem found."""
    with gc_paused():
        return _load(root, verify, folders)


def _load(root: Path, verify: bool, folders: Iterable[str]) -> tuple[KnowledgeBase, list[Problem]]:
    kb = KnowledgeBase(root=root)
    problems: list[Problem] = []
    within = root / CLAIMS_DIR  # one Path for every file, not one each (1k files: 5 ms)
    held = parsed.take(root)  # the files a helper parsed (kb.parsed), if one was started for root
    for folder in folders:
        model = RECORD_FOLDERS[folder]
        records = kb.folder(folder)
        for path in record_files(root, folder):
            rel = kb.rel(path)
            record, found = _load_held(held.pop(rel, None), path, model, rel, within)
            problems.extend(found)
            if record is None:
                continue
            if record.id in records:
                first = kb.path_of(folder, record.id)
                text = files.read_text(path, rel)
                problems.append(Problem(rel, yamlio.line_of(text, ("id",)), "id", f"duplicate id '{record.id}' (also in {first})"))
                continue
            records[record.id] = record
            kb.paths[(folder, record.id)] = path
    if verify:
        problems.extend(_Checker(kb).run())
    return kb, sorted(problems)


def check_new_claim(kb: KnowledgeBase, claim: Claim, path: Path, content: str) -> list[Problem]:
    """Problems of one claim about to be written to `path` (references, quotes, copying), checked
    against an already-loaded knowledge base."""
    kb.claims[claim.id] = claim
    kb.paths[("findings", claim.id)] = path
    try:
        checker = _Checker(kb, pending={path: content})
        checker.texts_only()
        checker.claim(claim)
        checker.run_copies()
        return sorted(checker.problems)
    finally:
        del kb.claims[claim.id]
        del kb.paths[("findings", claim.id)]


def check_new_record(kb: KnowledgeBase, folder: str, record: Identified, path: Path, content: str) -> list[Problem]:
    """Problems of one record of any kind about to be written to `path`, checked against an
    already-loaded knowledge base (which must hold the folders `NEEDED_FOLDERS[folder]` names):
    its references, its locators' quotes, and for a claim the copy check."""
    if isinstance(record, Claim):
        return check_new_claim(kb, record, path, content)
    records = kb.folder(folder)
    records[record.id] = record
    kb.paths[(folder, record.id)] = path
    try:
        checker = _Checker(kb, pending={path: content})
        ref, rid = checker.ref, record.id
        if isinstance(record, Hypothesis):
            for i, rival in enumerate(record.rivals):
                ref(folder, rid, ("rivals", i), "hypotheses", "hypothesis", rival)
        elif isinstance(record, SourceText):
            ref(folder, rid, ("source",), "sources", "source", record.source)
        elif isinstance(record, Discrepancy):
            checker.texts_only({side.locator.text for side in record.sides})
            for i, side in enumerate(record.sides):
                checker.locator(folder, rid, ("sides", i, "locator"), side.locator)
            for i, cid in enumerate(record.claims):
                ref(folder, rid, ("claims", i), "findings", "claim", cid)
        elif isinstance(record, Question):
            owners = {a: q.id for q in kb.questions.values() if q.id != rid for a in q.answers}
            for i, answer in enumerate(record.answers):
                ref(folder, rid, ("answers", i), "hypotheses", "hypothesis", answer)
                if answer in owners:
                    checker.add(folder, rid, ("answers", i), f"hypothesis '{answer}' already answers question '{owners[answer]}'")
                if answer in record.answers[:i]:
                    checker.add(folder, rid, ("answers", i), f"hypothesis '{answer}' is listed twice")
            if all(a in kb.hypotheses for a in record.answers) and len(set(record.answers)) == len(record.answers):
                total = sum(kb.hypotheses[a].prior for a in record.answers)
                if abs(total - 1) > 1e-6:
                    checker.add(
                        folder,
                        rid,
                        ("answers",),
                        f"the answers' priors sum to {total:.4g}, not 1 (answers are mutually exclusive and exhaustive)",
                    )
        return sorted(checker.problems)
    finally:
        del records[record.id]
        del kb.paths[(folder, record.id)]


NEEDED_FOLDERS: dict[str, tuple[str, ...]] = {
    "findings": tuple(RECORD_FOLDERS),
    "hypotheses": ("hypotheses",),
    "confounds": ("confounds",),
    "models": ("models",),
    "sources": ("sources",),
    "texts": ("sources", "texts"),
    "discrepancies": ("findings", "sources", "texts", "discrepancies"),
    "questions": ("hypotheses", "questions"),
}
"""The folders a new record of each folder is checked against (kb.records loads only these)."""


def load_valid(root: Path) -> KnowledgeBase:
    """Load and verify; raise with every problem if there is any."""
    kb, problems = load(root)
    if problems:
        raise InvalidKnowledgeBase(problems)
    return kb


def claim_path(root: Path, id: str) -> Path:
    return record_path(root, "findings", id)


def record_path(root: Path, folder: str, id: str) -> Path:
    """Where the record `id` of `folder` lives: `claims/<folder>/<id>.yaml`."""
    return root / CLAIMS_DIR / folder / f"{id}.yaml"


def dump_record(record: Identified) -> str:
    """The canonical YAML of a record: defaults left out, fields in schema order."""
    return yamlio.dump(record.model_dump(mode="json", exclude_defaults=True))
