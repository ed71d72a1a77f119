"""The whole check: every record (kb.store) and the aggregator's weights file (kb.weights)."""

from __future__ import annotations

from pathlib import Path

from kb.errors import Problem
from kb.files import UnreadableFile
from kb.store import KnowledgeBase, load
from kb.weights import InvalidWeights, load_weights, weights_path


def check(root: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Load and verify the knowledge base and validate claims/weights.yaml; every problem found."""
    kb, problems = load(root)
    if weights_path(root).is_file():
        try:
            load_weights(root)
        except InvalidWeights as exc:
            problems = [*problems, *exc.problems]
        except UnreadableFile as exc:
            problems = [*problems, Problem(exc.rel, 1, "(file)", exc.reason)]
    return kb, sorted(problems)
