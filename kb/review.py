"""The reviewer workflow, after Cochrane's RoB 2: signalling questions per confound, an algorithm
that proposes a control status, a reviewer's override with a written reason, verdicts, and the
claim's status lifecycle. Every step is appended to the claim's history; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kb.edit import find_claim_file, modify, read_claim_text
from kb.errors import InvalidInput, NotFound
from kb.ids import check_id, check_name
from kb.models import Claim, ConfoundJudgment, Event, LinkJudgment, Review
from kb.store import load
from kb.vocab import Answer, Bearing, Controlled, Status, Strength, Verdict

GOOD = {Answer.YES, Answer.PROBABLY_YES}
BAD = {Answer.NO, Answer.PROBABLY_NO}


def propose_control(answers: Sequence[Answer]) -> Controlled:
    """The control status the answers imply. Questions are phrased so that Yes means the study
    guards against the confound: all (probably) yes -> yes; all (probably) no -> no; no information
    at all -> not-reported; any mixture -> partial, except that no information plus (probably) no
    is still no."""
    given = set(answers)
    if not given or given == {Answer.NO_INFORMATION}:
        return Controlled.NOT_REPORTED
    if given <= GOOD:
        return Controlled.YES
    if given <= BAD | {Answer.NO_INFORMATION}:
        return Controlled.NO
    return Controlled.PARTIAL


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def _where(claim_id: str) -> str:
    return f"claims/findings/{claim_id}.yaml"


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_defaults=True)


def _event(data: Any, actor: str, event: str, detail: str = "") -> None:
    data.setdefault("history", []).append(_dump(Event(at=now(), actor=actor, event=event, detail=detail)))


def _set_status(data: Any, actor: str, new: Status, note: str = "") -> None:
    """Change the claim's status and record the change (with its note) in its history."""
    old = data.get("status", Status.DRAFT.value)
    data["status"] = new.value
    _event(data, actor, "status", f"{old} -> {new.value}{note}")


def _open_review(data: Any, reviewer: str, claim_id: str) -> Any:
    for review in data.get("reviews") or []:
        if review["reviewer"] == reviewer and not review.get("submitted"):
            return review
    raise InvalidInput(
        f"claims/findings/{claim_id}.yaml: reviews: {reviewer} has no open review of '{claim_id}'; run 'kb review start' first"
    )


def start(root: Path, claim_id: str, reviewer: str) -> Claim:
    check_id(claim_id)
    reviewer = check_name(reviewer)

    def change(data: Any) -> None:
        for review in data.get("reviews") or []:
            if review["reviewer"] == reviewer and not review.get("submitted"):
                raise InvalidInput(f"claims/findings/{claim_id}.yaml: reviews: {reviewer} already has an open review of '{claim_id}'")
        data.setdefault("reviews", []).append(_dump(Review(reviewer=reviewer, started=now())))
        if data.get("status", Status.DRAFT.value) in (Status.DRAFT.value, Status.APPROVED.value):
            _set_status(data, reviewer, Status.IN_REVIEW)
        _event(data, reviewer, "review-started")

    return modify(root, claim_id, change)


def judge_confound(
    root: Path,
    claim_id: str,
    confound: str,
    reviewer: str,
    answers: Sequence[Answer],
    override: Controlled | None = None,
    why: str = "",
) -> ConfoundJudgment:
    check_id(claim_id)
    check_id(confound, "confound type")
    reviewer = check_name(reviewer)
    kb, _ = load(root, verify=False, folders=("confounds",))
    if confound not in kb.confounds:
        raise NotFound("confound type", confound, kb.confounds)
    questions = kb.confounds[confound].signalling_questions
    if len(answers) != len(questions):
        raise InvalidInput(
            f"{kb.path_of('confounds', confound)}: signalling_questions: '{confound}' has {len(questions)} questions, "
            f"got {len(answers)} answers (claim {claim_id})"
        )
    if override is not None and not why.strip():
        raise InvalidInput(f"claims/findings/{claim_id}.yaml: reviews: an override of '{confound}' needs --why (a written justification)")
    judgment = ConfoundJudgment(confound=confound, answers=list(answers), proposed=propose_control(answers), override=override, why=why)

    def change(data: Any) -> None:
        review = _open_review(data, reviewer, claim_id)
        kept = [j for j in review.get("confounds") or [] if j["confound"] != confound]
        review["confounds"] = [*kept, _dump(judgment)]
        detail = f"{confound}: {' '.join(a.value for a in answers)} -> {judgment.proposed.value}"
        if override is not None:
            detail += f", overridden to {override.value}: {why}"
        _event(data, reviewer, "confound-judged", detail)

    modify(root, claim_id, change)
    return judgment


def judge_link(
    root: Path, claim_id: str, hypothesis: str, reviewer: str, bearing: Bearing, strength: Strength, why: str = ""
) -> LinkJudgment:
    check_id(claim_id)
    check_id(hypothesis, "hypothesis")
    reviewer = check_name(reviewer)
    kb, _ = load(root, verify=False, folders=("hypotheses",))
    if hypothesis not in kb.hypotheses:
        raise NotFound("hypothesis", hypothesis)
    judgment = LinkJudgment(hypothesis=hypothesis, bearing=bearing, strength=strength, why=why)

    def change(data: Any) -> None:
        review = _open_review(data, reviewer, claim_id)
        kept = [j for j in review.get("links") or [] if j["hypothesis"] != hypothesis]
        review["links"] = [*kept, _dump(judgment)]
        _event(data, reviewer, "link-judged", f"{hypothesis}: {bearing.value} {strength.value}")

    modify(root, claim_id, change)
    return judgment


def submit(root: Path, claim_id: str, reviewer: str, verdict: Verdict, comment: str = "") -> Claim:
    """Close the reviewer's open review. Approve -> approved; request changes or reject -> back to
    draft for the curator (a rejected claim is then retracted by the curator, with a reason).
    Approval is refused while the reviewer has left any of the claim's confounds or links
    unjudged."""
    check_id(claim_id)
    reviewer = check_name(reviewer)

    def change(data: Any) -> None:
        review = _open_review(data, reviewer, claim_id)
        if verdict is Verdict.APPROVE:
            confounds, links = _unjudged(data, review)
            if confounds or links:
                what = [f"confound {', '.join(confounds)}" if confounds else "", f"link {', '.join(links)}" if links else ""]
                raise InvalidInput(
                    f"{_where(claim_id)}: reviews: {reviewer} has not judged {' and '.join(w for w in what if w)} of "
                    f"'{claim_id}'; judge them ('kb review confound', 'kb review link') before approving"
                )
        review["submitted"] = now().isoformat()
        review["verdict"] = verdict.value
        if comment:
            review["comment"] = comment
        _event(data, reviewer, "review-submitted", verdict.value + (f": {comment}" if comment else ""))
        new = Status.APPROVED if verdict is Verdict.APPROVE else Status.DRAFT
        if data.get("status", Status.DRAFT.value) != new.value:
            _set_status(data, reviewer, new)

    return modify(root, claim_id, change)


def _unjudged(data: Any, review: Any) -> tuple[list[str], list[str]]:
    """The claim's confound types and linked hypotheses that `review` has not judged."""
    judged_c = {j.get("confound") for j in review.get("confounds") or []}
    judged_l = {j.get("hypothesis") for j in review.get("links") or []}
    confounds = [str(t) for t in dict.fromkeys(c.get("type") for c in data.get("confounds") or []) if t not in judged_c]
    links = [str(h) for h in dict.fromkeys(x.get("hypothesis") for x in data.get("links") or []) if h not in judged_l]
    return confounds, links


def status(root: Path, claim_id: str) -> list[dict[str, Any]]:
    """What each reviewer of a claim has and has not judged, one row per review."""
    path = find_claim_file(root, claim_id)
    claim = load_claim(root, path)
    data = claim.model_dump(mode="json")
    rows = []
    for review in data["reviews"]:
        confounds, links = _unjudged(data, review)
        rows.append(
            {
                "reviewer": review["reviewer"],
                "started": review["started"],
                "submitted": review.get("submitted"),
                "verdict": review.get("verdict"),
                "judged_confounds": [j["confound"] for j in review["confounds"]],
                "unjudged_confounds": confounds,
                "judged_links": [j["hypothesis"] for j in review["links"]],
                "unjudged_links": links,
            }
        )
    return rows


def load_claim(root: Path, path: Path) -> Claim:
    """The claim in `path`, or InvalidKnowledgeBase with its problems."""
    from kb.errors import InvalidKnowledgeBase
    from kb.store import parse_record

    claim, problems = parse_record(read_claim_text(root, path), Claim, path.relative_to(root).as_posix(), path.stem)
    if claim is None or problems:
        raise InvalidKnowledgeBase(problems)
    return claim


def supersede(root: Path, claim_id: str, successor: str, actor: str) -> Claim:
    """Mark `claim_id` superseded by `successor`. Refused: a claim superseding itself, a successor
    that does not exist, is retracted, or (through its own successors) leads back to the claim,
    and a claim already retracted or superseded."""
    check_id(claim_id)
    check_id(successor, "claim", "--by")
    actor = check_name(actor, "actor")
    where = _where(claim_id)
    if successor == claim_id:
        raise InvalidInput(f"{where}: superseded_by: a claim cannot supersede itself (id {claim_id})")
    seen, current = [claim_id], successor
    while True:
        try:
            nxt = load_claim(root, find_claim_file(root, current))
        except NotFound:
            raise InvalidInput(f"{where}: superseded_by: unknown claim '{current}' (id {claim_id})") from None
        if current == successor and nxt.status is Status.RETRACTED:
            raise InvalidInput(f"{where}: superseded_by: '{successor}' is retracted; it cannot succeed '{claim_id}'")
        if nxt.superseded_by is None:
            break
        if nxt.superseded_by in seen or len(seen) > 10_000:
            chain = " -> ".join([*seen, current, nxt.superseded_by])
            raise InvalidInput(f"{where}: superseded_by: '{successor}' would make a cycle ({chain})")
        seen.append(current)
        current = nxt.superseded_by

    def change(data: Any) -> None:
        state = data.get("status", Status.DRAFT.value)
        if state == Status.RETRACTED.value:
            raise InvalidInput(f"{where}: status: '{claim_id}' is retracted; a retracted claim cannot be superseded")
        if state == Status.SUPERSEDED.value:
            raise InvalidInput(f"{where}: status: '{claim_id}' is already superseded by '{data.get('superseded_by')}'")
        data["superseded_by"] = successor
        _set_status(data, actor, Status.SUPERSEDED, f" by {successor}")

    return modify(root, claim_id, change)


def retract(root: Path, claim_id: str, reason: str, actor: str) -> Claim:
    check_id(claim_id)
    actor = check_name(actor, "actor")
    if not reason.strip():
        raise InvalidInput(f"claims/findings/{claim_id}.yaml: retraction_reason: a retraction needs a reason (--why)")

    def change(data: Any) -> None:
        if data.get("status") == Status.RETRACTED.value:
            raise InvalidInput(f"{_where(claim_id)}: status: '{claim_id}' is already retracted")
        data["retraction_reason"] = reason
        _set_status(data, actor, Status.RETRACTED, f": {reason}")

    return modify(root, claim_id, change)
