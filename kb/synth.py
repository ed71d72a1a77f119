"""A generated knowledge base of any size with realistic shapes, for benchmarks and scale tests:
hypotheses, confound types, works, models, archived texts, and findings with several links,
confounds and locators whose quotes verify. Statements use a vocabulary disjoint from the texts',
so none copies its source."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb import yamlio
from kb.models import RECORD_FOLDERS
from kb.paths import CLAIMS_DIR
from kb.vocab import Bearing, Controlled, Design, Kind, Severity, SourceType, Stream, Strength, Tier

TEXT_WORDS = (
    "model steering feature layer token prompt answer report state vector probe training reward policy value "
    "signal output context sample eval result effect rate score baseline control run checkpoint weight"
).split()
STATEMENT_WORDS = (
    "system shows evidence that internal representations shift when asked about itself under several "
    "conditions across families although replication remains limited and effects vary by scale setup"
).split()
HYPOTHESES = 20
CONFOUNDS = 18
LINES_PER_TEXT = 400
Progress = Callable[[int, int], None]


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yamlio.dump(data), encoding="utf-8")


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def synthesise(out: Path, findings: int, seed: int = 0, progress: Progress | None = None) -> dict[str, int]:
    """Write a valid knowledge base with `findings` claims under `out/claims`. Returns counts."""
    rng = random.Random(seed)
    base = out / CLAIMS_DIR
    for folder in RECORD_FOLDERS:
        (base / folder).mkdir(parents=True, exist_ok=True)
    streams, kinds = list(Stream), [Kind.EMPIRICAL, Kind.EMPIRICAL, Kind.EMPIRICAL, Kind.ARGUMENT, Kind.TESTIMONY]
    hyps = [f"h-{i:02d}" for i in range(HYPOTHESES)]
    for i, h in enumerate(hyps):
        _write(
            base / "hypotheses" / f"{h}.yaml",
            {
                "id": h,
                "title": f"Synthetic hypothesis {i}",
                "statement": f"Generated hypothesis number {i}.",
                "stream": streams[i % len(streams)].value,
                "prior": round(0.1 + 0.8 * rng.random(), 2),
                "rivals": [hyps[(i + 1) % HYPOTHESES]],
            },
        )
    confounds = [f"c-{i:02d}" for i in range(CONFOUNDS)]
    for i, c in enumerate(confounds):
        _write(
            base / "confounds" / f"{c}.yaml",
            {
                "id": c,
                "name": f"Confound {i}",
                "definition": f"Generated confound type {i}.",
                "group": f"group-{i % 5}",
                "signalling_questions": [f"Question {j} about confound {i}?" for j in range(3)],
                "control": "Generated control.",
                "severity": list(Severity)[i % 3].value,
            },
        )
    n_models, n_works = max(5, findings // 200), max(3, findings // 10)
    models = [f"m-{i:04d}" for i in range(n_models)]
    for i, m in enumerate(models):
        _write(base / "models" / f"{m}.yaml", {"id": m, "name": f"Model {i}", "developer": f"Lab {i % 7}", "open_weights": i % 2 == 0})
    works = [f"w-{i:05d}" for i in range(n_works)]
    for i, w in enumerate(works):
        _write(
            base / "sources" / f"{w}.yaml",
            {"id": w, "title": f"Work {i}", "authors": [f"Author {i}"], "type": list(SourceType)[i % 4].value},
        )
    n_texts = max(2, findings // 50)
    texts: list[tuple[str, list[str]]] = []
    for i in range(n_texts):
        tid = f"t-{i:05d}"
        lines = [_sentence(rng, TEXT_WORDS, rng.randint(8, 20)) for _ in range(LINES_PER_TEXT)]
        data = ("\n".join(lines) + "\n").encode()
        (base / "texts" / f"{tid}.txt").write_bytes(data)
        _write(
            base / "texts" / f"{tid}.yaml",
            {
                "id": tid,
                "source": works[i % n_works],
                "path": f"{CLAIMS_DIR}/texts/{tid}.txt",
                "sha256": hashlib.sha256(data).hexdigest(),
                "lines": LINES_PER_TEXT,
            },
        )
        texts.append((tid, lines))
    for n in range(findings):
        cid = f"f-{n:06d}"
        tid, lines = texts[n % n_texts]
        start = rng.randint(1, LINES_PER_TEXT - 2)
        quote = lines[start - 1][: rng.randint(20, 60)].strip()
        study = f"s-{rng.randrange(findings // 3 + 1)}"
        work = works[rng.randrange(n_works)]
        claim: dict[str, Any] = {
            "id": cid,
            "title": f"Generated finding {n}",
            "statement": _sentence(rng, STATEMENT_WORDS, rng.randint(14, 30)),
            "kind": rng.choice(kinds).value,
            "stream": rng.choice(streams).value,
            "models": [{"model": rng.choice(models), "as_written": f"Model {n % 97}"} for _ in range(rng.randint(0, 2))],
            "method": {"design": rng.choice(list(Design)).value, "text": "Generated method."},
            "result": {
                "text": "Generated result.",
                "numbers": [{"measure": "accuracy", "value": round(rng.random(), 3), "n": rng.randint(10, 500)}],
            },
            "links": [
                {
                    "hypothesis": h,
                    "bearing": rng.choice(list(Bearing)).value,
                    "strength": rng.choice(list(Strength)[:3]).value,
                    "rationale": "Generated rationale.",
                }
                for h in rng.sample(hyps, rng.randint(1, 3))
            ],
            "confounds": [
                {"type": c, "detail": "Generated detail.", "controlled": ctl.value}
                | ({"reason": "Generated reason."} if ctl is Controlled.NOT_APPLICABLE else {})
                for c in rng.sample(confounds, rng.randint(1, 4))
                for ctl in [rng.choice(list(Controlled))]
            ],
            "provenance": {"tier": rng.choice(list(Tier)).value, "origin": work, "channel": work, "study": study},
            "locators": [{"text": tid, "lines": [start, start + 1], "quote": quote, "speaker": "Generated speaker"}],
            "status": rng.choice(["draft", "approved", "in-review"]),
        }
        _write(base / "findings" / f"{cid}.yaml", claim)
        if progress is not None and n % 500 == 0:
            progress(n, findings)
    if progress is not None:
        progress(findings, findings)
    return {
        "findings": findings,
        "hypotheses": HYPOTHESES,
        "confounds": CONFOUNDS,
        "models": n_models,
        "sources": n_works,
        "texts": n_texts,
    }
