"""Questions: hypotheses that are mutually exclusive and jointly exhaustive answers. What `kb
check` warns about them (the hard rules are in kb.store's checker)."""

from __future__ import annotations

from kb.errors import Problem
from kb.store import KnowledgeBase
from kb.vocab import Bearing, Strength

MODERATE_OR_ABOVE = frozenset({Strength.MODERATE, Strength.STRONG, Strength.OVERWHELMING})


def question_of(kb: KnowledgeBase) -> dict[str, str]:
    """The question each answer belongs to, by hypothesis id."""
    return {hid: qid for qid, q in sorted(kb.questions.items()) for hid in q.answers}


def warnings(kb: KnowledgeBase) -> list[Problem]:
    """A claim supporting two answers of one question at moderate or above: the answers exclude
    each other, so it can hardly be strong evidence for both."""
    owner = question_of(kb)
    out: list[Problem] = []
    for cid in sorted(kb.claims):
        c = kb.claims[cid]
        strong: dict[str, list[str]] = {}
        for link in c.links:
            if link.bearing is Bearing.SUPPORTS and link.strength in MODERATE_OR_ABOVE and link.hypothesis in owner:
                strong.setdefault(owner[link.hypothesis], []).append(link.hypothesis)
        for qid, hids in sorted(strong.items()):
            if len(hids) > 1:
                out.append(
                    Problem(
                        kb.path_of("findings", cid),
                        1,
                        "links",
                        f"supports {' and '.join(sorted(hids))}, answers of question '{qid}' that exclude each other, at moderate or above (id {cid})",
                    )
                )
    return out
