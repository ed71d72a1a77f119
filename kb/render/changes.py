"""What changed, commit by commit: for each commit that touched claims/ (the drift chart's last
HISTORY_COMMITS), which credences moved, by how much, and which claim files it added, edited or
removed. Shown on the changes page and as an Atom feed (changes.xml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from kb.git import GitUnavailable, Started
from kb.history import Point
from kb.paths import CLAIMS_DIR
from kb.pickled import keep, kept

MOVED = 0.005  # a credence that moved less than half a point is not listed
STATUS = {"A": "added", "M": "edited", "D": "removed", "R": "renamed"}


@dataclass(frozen=True)
class Move:
    hypothesis: str
    before: float
    after: float

    @property
    def points(self) -> float:
        return 100 * (self.after - self.before)


@dataclass
class Change:
    commit: str
    at: str
    moves: list[Move] = field(default_factory=list)
    claims: list[tuple[str, str]] = field(default_factory=list)  # (what happened, claim id)


def _claim_changes(root: Path, pairs: list[tuple[str, str]], cache: Path | None = None) -> list[list[tuple[str, str]]]:
    """The claim files each pair of commits added, edited or removed ([] where git cannot say):
    one `git diff` per pair, all started at once. With `cache` (a folder), each pair's diff is kept
    there under the two commits' names (what two commits hold never changes) and read back
    instead of asked again."""
    diffs = [_kept_diff(cache, pair) for pair in pairs]
    asked = {
        n: Started(root, "diff", "--name-status", before, after, "--", f"{CLAIMS_DIR}/findings")
        for n, (before, after) in enumerate(pairs)
        if diffs[n] is None
    }
    for n, started in asked.items():
        try:
            diffs[n] = started.output().decode()
        except GitUnavailable:
            continue
        if cache is not None:
            keep(_diff_file(cache, pairs[n]), diffs[n])
    return [_changed(diff or "") for diff in diffs]


def _changed(diff: str) -> list[tuple[str, str]]:
    """`git diff --name-status` as (what happened, claim id), by id."""
    changed = []
    for line in diff.splitlines():
        status, *paths = line.split("\t")
        changed.append((STATUS.get(status[:1], status), _stem(paths[-1])))
    return sorted(changed, key=lambda sc: sc[1])


def _stem(path: str) -> str:
    """Path(path).stem, without making a Path (a diff of 10k files made 10k of them: 0.06 s)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _diff_file(cache: Path, pair: tuple[str, str]) -> Path:
    return cache / f"diff-{pair[0]}-{pair[1]}.pickle"


def _kept_diff(cache: Path | None, pair: tuple[str, str]) -> str | None:
    if cache is None or not all(c.isalnum() for c in pair):  # commit names only: never a path
        return None
    diff = kept(_diff_file(cache, pair))
    return diff if isinstance(diff, str) else None


def changes(root: Path, by_commit: dict[str, list[Point]], cache: Path | None = None) -> list[Change]:
    """Newest first: one Change per commit after the first the drift chart shows (`cache`: where
    each pair of commits' diff is kept, _claim_changes)."""
    # history's order, oldest first (commits made in one second share a date): every hypothesis'
    # points are in that order, and the longest list has every commit any of them has
    commits = list(
        dict.fromkeys((p.at, p.commit) for points in sorted(by_commit.values(), key=len, reverse=True) for p in points if p.commit)
    )
    out = []
    steps = list(zip(commits, commits[1:], strict=False))
    claims = _claim_changes(root, [(str(before), str(after)) for (_, before), (_, after) in steps], cache)
    for ((_, before), (at, after)), changed in zip(steps, claims, strict=True):
        assert before is not None and after is not None
        change = Change(after, at, claims=changed)
        for hid, points in sorted(by_commit.items()):
            at_commit = {p.commit: p for p in points}
            if before in at_commit and after in at_commit:
                move = Move(hid, at_commit[before].posterior, at_commit[after].posterior)
                if abs(move.after - move.before) >= MOVED:
                    change.moves.append(move)
        change.moves.sort(key=lambda m: -abs(m.points))
        out.append(change)
    return out[::-1]


def atom(items: list[Change], title: str, link: str, built: str) -> str:
    """The changes as an Atom feed; `link` is the changes page (absolute when the site has a site_url)."""
    entries = []
    for c in items:
        moved = "; ".join(f"{m.hypothesis} {m.before:.0%} → {m.after:.0%} ({m.points:+.1f} points)" for m in c.moves) or "no credence moved"
        claims = "; ".join(f"{what} {cid}" for what, cid in c.claims) or "no claim file changed"
        entries.append(
            "<entry>"
            f"<id>urn:kb:commit:{escape(c.commit)}</id><title>Commit {escape(c.commit[:7])}: {len(c.moves)} credence(s) moved</title>"
            f'<updated>{escape(c.at)}</updated><link href="{escape(link)}#commit-{escape(c.commit)}"/>'
            f"<summary>{escape(moved)}. Claims: {escape(claims)}.</summary>"
            "</entry>"
        )
    updated = items[0].at if items else f"{built.replace(' ', 'T')}:00Z"  # RFC 3339, as Atom requires (`built` is UTC)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:kb:changes</id><title>{escape(title)}</title><updated>{escape(updated)}</updated>"
        f'<link href="{escape(link)}"/><author><name>{escape(title)}</name></author>' + "".join(entries) + "</feed>\n"
    )
