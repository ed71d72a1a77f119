"""Inline SVG charts, drawn in Python: a credence meter, a contribution (forest) plot,
sensitivity plots, a drift chart (credence over time) and a count chart. No JavaScript, no
network. Colours come from CSS classes (`kb-sup`, `kb-und`, `kb-mix`, `kb-neu`) and
`currentColor`, so the site's light and dark schemes both read well.
Every chart has a <title> and <desc> and an aria-label; the page shows the numbers in a table."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import count

_ids = count(1)
BEARING_CLASS = {"supports": "kb-sup", "undermines": "kb-und", "mixed": "kb-mix", "neutral": "kb-neu"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x - round(x)) > 1e-9 else str(int(round(x)))


def pct(p: float) -> str:
    """A credence as a percentage: one decimal below 1% and above 99%, else whole."""
    v = 100 * p
    return f"{v:.1f}%" if v < 1 or v > 99 else f"{v:.0f}%"


LEGIBLE = 0.82  # the least a chart with text may shrink: 11 px labels stay at 9 px or more on a phone
LINKED = frozenset({"forest", "counts"})  # charts whose bars are links: a group, since an image holds nothing focusable


def _open(width: int, height: int, title: str, desc: str, cls: str) -> tuple[str, str]:
    n = next(_ids)
    tid, did = f"kb-svg-{cls}-{n}-t", f"kb-svg-{cls}-{n}-d"
    role = "group" if cls in LINKED else "img"
    # below this width the chart's box scrolls sideways instead (kb.css: .kb-figure)
    floor = f' style="min-width:{round(width * LEGIBLE)}px"' if cls != "meter" else ""
    head = (
        f'<svg class="kb-chart kb-{cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"{floor} role="{role}" aria-labelledby="{tid} {did}" aria-label="{_e(title)}">'
        f'<title id="{tid}">{_e(title)}</title><desc id="{did}">{_e(desc)}</desc>'
    )
    return head, "</svg>"


def reset_ids() -> None:
    """Restart element ids (so a page renders identically however many pages came before)."""
    global _ids
    _ids = count(1)


def meter(prior: float, posterior: float, low: float, high: float, width: int = 240) -> str:
    """Credence meter: a 0-100% track, the 90% interval as a band, the prior as a hollow tick and
    the posterior as a filled dot, with an arrow from prior to posterior."""
    h, pad = 30, 8
    span = width - 2 * pad

    def x(p: float) -> float:
        return pad + span * min(max(p, 0.0), 1.0)

    title = f"Prior {pct(prior)}, posterior {pct(posterior)} (90% interval {pct(low)} to {pct(high)})"
    desc = "Credence meter from 0% (left) to 100% (right): the band is the 90% interval, the hollow tick the prior, the dot the posterior."
    head, tail = _open(width, h, title, desc, "meter")
    parts = [head, f'<line class="kb-axis" x1="{pad}" y1="15" x2="{width - pad}" y2="15"/>']
    for t in (0, 0.5, 1):
        parts.append(f'<line class="kb-axis" x1="{_f(x(t))}" y1="10" x2="{_f(x(t))}" y2="20"/>')
    parts.append(f'<rect class="kb-band" x="{_f(x(low))}" y="9" width="{_f(max(x(high) - x(low), 1.5))}" height="12" rx="3"/>')
    if abs(x(posterior) - x(prior)) > 6:
        parts.append(f'<line class="kb-arrow" x1="{_f(x(prior))}" y1="15" x2="{_f(x(posterior))}" y2="15"/>')
    parts.append(f'<line class="kb-prior" x1="{_f(x(prior))}" y1="5" x2="{_f(x(prior))}" y2="25"/>')
    parts.append(f'<circle class="kb-post" cx="{_f(x(posterior))}" cy="15" r="5"/>')
    parts.append(tail)
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One finding's contribution: label (claim id), href, bearing, cluster, decibans."""

    label: str
    href: str
    bearing: str
    cluster: str
    value: float


def _ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    span = hi - lo
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 6) for i in range(int((hi - first) / step + 1e-9) + 1)]


def forest(bars: Sequence[Bar], net: float, title: str) -> str:
    """Contribution chart: one horizontal bar per finding (decibans, coloured by bearing), grouped
    under its cluster (the study or work it rests on), and the net as a diamond at the bottom."""
    label_w, plot_w, right, row = 300, 380, 60, 20
    groups: dict[str, list[Bar]] = {}
    for b in bars:
        groups.setdefault(b.cluster, []).append(b)
    n_rows = len(bars) + sum(1 for c, m in groups.items() if len(m) > 1 or not c.startswith("claim:")) + 1
    height = 30 + row * n_rows + 28
    lim = max([abs(b.value) for b in bars] + [abs(net), 1.0]) * 1.1
    width = label_w + plot_w + right

    def x(v: float) -> float:
        return label_w + plot_w * (v + lim) / (2 * lim)

    desc = (
        f"Each finding's contribution to the net evidence in decibans (positive supports, negative undermines), "
        f"{len(bars)} findings in {len(groups)} clusters; net {net:+.2f} dB."
    )
    head, tail = _open(width, height, title, desc, "forest")
    parts = [head]
    y = 24
    parts.append(f'<text class="kb-label kb-muted" x="{label_w - 6}" y="14" text-anchor="end">finding</text>')
    parts.append(f'<text class="kb-label kb-muted" x="{width - 4}" y="14" text-anchor="end">dB</text>')
    for cluster, members in groups.items():
        parts.append(f'<line class="kb-grid" x1="0" y1="{y + 1}" x2="{width}" y2="{y + 1}"/>')
        if len(members) > 1 or not cluster.startswith("claim:"):  # a finding alone is its own cluster: no header
            parts.append(f'<text class="kb-label kb-cluster" x="4" y="{y + 13}">{_e(cluster)}</text>')
            y += row
        for b in members:
            x0, x1 = sorted((x(0), x(b.value)))
            cls = BEARING_CLASS.get(b.bearing, "kb-neu")
            label = b.label if len(b.label) <= 46 else b.label[:45] + "…"
            parts.append(
                f'<a href="{_e(b.href)}"><text class="kb-label" x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                f"<title>{_e(b.label)}</title>{_e(label)}</text></a>"
            )
            parts.append(
                f'<rect class="kb-bar {cls}" x="{_f(x0)}" y="{y + 4}" width="{_f(max(x1 - x0, 1.0))}" height="{row - 8}">'
                f"<title>{_e(b.label)}: {b.value:+.2f} dB ({_e(b.bearing)})</title></rect>"
            )
            parts.append(f'<text class="kb-label kb-num" x="{width - 4}" y="{y + 13}" text-anchor="end">{b.value:+.2f}</text>')
            y += row
    parts.append(f'<line class="kb-grid" x1="0" y1="{y + 1}" x2="{width}" y2="{y + 1}"/>')
    cx, cy = x(net), y + row / 2
    parts.append(f'<text class="kb-label kb-strong" x="{label_w - 6}" y="{y + 14}" text-anchor="end">net evidence</text>')
    parts.append(
        f'<polygon class="kb-net" points="{_f(cx - 7)},{_f(cy)} {_f(cx)},{_f(cy - 6)} {_f(cx + 7)},{_f(cy)} {_f(cx)},{_f(cy + 6)}"/>'
    )
    parts.append(f'<text class="kb-label kb-num kb-strong" x="{width - 4}" y="{y + 14}" text-anchor="end">{net:+.2f}</text>')
    y += row
    parts.append(f'<line class="kb-zero" x1="{_f(x(0))}" y1="20" x2="{_f(x(0))}" y2="{y}"/>')
    parts.append(f'<line class="kb-axis" x1="{label_w}" y1="{y}" x2="{label_w + plot_w}" y2="{y}"/>')
    for t in _ticks(-lim, lim):
        parts.append(f'<line class="kb-axis" x1="{_f(x(t))}" y1="{y}" x2="{_f(x(t))}" y2="{y + 4}"/>')
        parts.append(f'<text class="kb-label kb-muted" x="{_f(x(t))}" y="{y + 16}" text-anchor="middle">{_f(t)}</text>')
    parts.append(
        f'<text class="kb-label kb-muted" x="{label_w + 4}" y="{y + 27}">◀ undermines</text>'
        f'<text class="kb-label kb-muted" x="{label_w + plot_w - 4}" y="{y + 27}" text-anchor="end">supports ▶</text>'
    )
    parts.append(tail)
    return "".join(parts)


@dataclass(frozen=True)
class SweepPoint:
    prior: float
    posterior: float
    low: float
    high: float


def prior_sweep(points: Sequence[SweepPoint], current: float, title: str) -> str:
    """Posterior (median and 90% interval) against the prior, with the no-evidence diagonal and
    the hypothesis' own prior marked."""
    left, top, size, bottom = 62, 12, 260, 40
    width, height = left + size + 20, top + size + bottom

    def x(p: float) -> float:
        return left + size * p

    def y(p: float) -> float:
        return top + size * (1 - p)

    desc = (
        "Posterior credence (vertical) for each prior (horizontal); the dashed diagonal is where the posterior equals the prior. "
        + "; ".join(f"prior {pct(p.prior)}: {pct(p.posterior)} ({pct(p.low)} to {pct(p.high)})" for p in points)
    )
    head, tail = _open(width, height, title, desc, "sweep")
    parts = [head]
    for t in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line class="kb-grid" x1="{_f(x(0))}" y1="{_f(y(t))}" x2="{_f(x(1))}" y2="{_f(y(t))}"/>')
        parts.append(f'<text class="kb-label kb-muted" x="{left - 6}" y="{_f(y(t) + 4)}" text-anchor="end">{100 * t:.0f}%</text>')
        parts.append(f'<text class="kb-label kb-muted" x="{_f(x(t))}" y="{top + size + 16}" text-anchor="middle">{100 * t:.0f}%</text>')
    parts.append(f'<line class="kb-diag" x1="{_f(x(0))}" y1="{_f(y(0))}" x2="{_f(x(1))}" y2="{_f(y(1))}"/>')
    parts.append(f'<line class="kb-base" x1="{_f(x(current))}" y1="{top}" x2="{_f(x(current))}" y2="{top + size}"/>')
    parts.append(f'<text class="kb-label kb-muted" x="{_f(x(current) + 4)}" y="{top + 14}">this prior</text>')
    if points:
        band = [f"{_f(x(p.prior))},{_f(y(p.high))}" for p in points] + [f"{_f(x(p.prior))},{_f(y(p.low))}" for p in reversed(points)]
        parts.append(f'<polygon class="kb-band" points="{" ".join(band)}"/>')
        line = " ".join(f"{_f(x(p.prior))},{_f(y(p.posterior))}" for p in points)
        parts.append(f'<polyline class="kb-line" points="{line}"/>')
        for p in points:
            parts.append(
                f'<circle class="kb-post" cx="{_f(x(p.prior))}" cy="{_f(y(p.posterior))}" r="3.5">'
                f"<title>prior {pct(p.prior)}: posterior {pct(p.posterior)}</title></circle>"
            )
    parts.append(f'<rect class="kb-frame" x="{left}" y="{top}" width="{size}" height="{size}"/>')
    parts.append(f'<text class="kb-label" x="{_f(x(0.5))}" y="{height - 6}" text-anchor="middle">prior</text>')
    parts.append(
        f'<text class="kb-label" x="12" y="{_f(y(0.5))}" text-anchor="middle" transform="rotate(-90 12 {_f(y(0.5))})">posterior</text>'
    )
    parts.append(tail)
    return "".join(parts)


@dataclass(frozen=True)
class Scenario:
    label: str
    value: float
    group: str


def scenarios(items: Sequence[Scenario], base: float, title: str) -> str:
    """Net evidence (decibans) under each weighting profile and with each confound class dropped;
    a dotted line marks the default run."""
    label_w, plot_w, right, row = 230, 330, 56, 20
    height = 28 + row * (len(items) + len({s.group for s in items})) + 30
    width = label_w + plot_w + right
    lim = max([abs(s.value) for s in items] + [abs(base), 1.0]) * 1.1

    def x(v: float) -> float:
        return label_w + plot_w * (v + lim) / (2 * lim)

    desc = "Net evidence in decibans under each variation: " + "; ".join(f"{s.group} {s.label}: {s.value:+.2f} dB" for s in items)
    head, tail = _open(width, height, title, desc, "scenarios")
    parts = [head]
    y, group = 20, None
    for s in items:
        if s.group != group:
            group = s.group
            parts.append(f'<text class="kb-label kb-cluster" x="4" y="{y + 13}">{_e(group)}</text>')
            y += row
        x0, x1 = sorted((x(0), x(s.value)))
        cls = "kb-sup" if s.value > 0 else "kb-und" if s.value < 0 else "kb-neu"
        parts.append(f'<text class="kb-label" x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_e(s.label)}</text>')
        parts.append(
            f'<rect class="kb-bar {cls}" x="{_f(x0)}" y="{y + 4}" width="{_f(max(x1 - x0, 1.0))}" height="{row - 8}">'
            f"<title>{_e(s.label)}: {s.value:+.2f} dB</title></rect>"
        )
        parts.append(f'<text class="kb-label kb-num" x="{width - 4}" y="{y + 13}" text-anchor="end">{s.value:+.2f}</text>')
        y += row
    parts.append(f'<line class="kb-zero" x1="{_f(x(0))}" y1="16" x2="{_f(x(0))}" y2="{y}"/>')
    parts.append(f'<line class="kb-base" x1="{_f(x(base))}" y1="16" x2="{_f(x(base))}" y2="{y}"/>')
    parts.append(f'<line class="kb-axis" x1="{label_w}" y1="{y}" x2="{label_w + plot_w}" y2="{y}"/>')
    for t in _ticks(-lim, lim):
        parts.append(f'<line class="kb-axis" x1="{_f(x(t))}" y1="{y}" x2="{_f(x(t))}" y2="{y + 4}"/>')
        parts.append(f'<text class="kb-label kb-muted" x="{_f(x(t))}" y="{y + 16}" text-anchor="middle">{_f(t)}</text>')
    parts.append(f'<text class="kb-label kb-muted" x="{width - 4}" y="{y + 16}" text-anchor="end">dB</text>')
    parts.append(tail)
    return "".join(parts)


@dataclass(frozen=True)
class DriftPoint:
    """One point of a drift chart: its axis label, a tooltip, the median and the 90% interval."""

    label: str
    tip: str
    posterior: float
    low: float
    high: float


def _every(n: int, plot_w: float, label_w: float) -> int:
    """Label every k-th tick so that labels `label_w` wide never overlap."""
    return max(1, math.ceil(n * label_w / plot_w))


def drift(points: Sequence[DriftPoint], prior: float, title: str, x_label: str) -> str:
    """Credence over time: the posterior median (line and dots) and its 90% interval (band) at
    evenly spaced points, oldest left, with the prior as a dashed line. One point draws as a dot
    with an interval bar and says so."""
    left, top, plot_w, plot_h, bottom = 56, 16, 330, 170, 50
    width, height = left + plot_w + 44, top + plot_h + bottom
    n = len(points)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y(p: float) -> float:
        return top + plot_h * (1 - min(max(p, 0.0), 1.0))

    desc = f"{x_label}; posterior median and 90% interval at each of {n} point{'' if n == 1 else 's'}: " + "; ".join(
        f"{p.label}: {pct(p.posterior)} ({pct(p.low)} to {pct(p.high)})" for p in points
    )
    head, tail = _open(width, height, title, desc, "drift")
    parts = [head, *_drift_frame(left, top, plot_w, plot_h, y)]
    parts.append(f'<line class="kb-base" x1="{left}" y1="{_f(y(prior))}" x2="{left + plot_w}" y2="{_f(y(prior))}"/>')
    parts.append(f'<text class="kb-label kb-muted" x="{left + plot_w + 4}" y="{_f(y(prior) + 4)}">prior</text>')
    if n > 1:
        band = [f"{_f(x(i))},{_f(y(p.high))}" for i, p in enumerate(points)]
        band += [f"{_f(x(i))},{_f(y(p.low))}" for i, p in reversed(list(enumerate(points)))]
        parts.append(f'<polygon class="kb-band" points="{" ".join(band)}"/>')
        parts.append(f'<polyline class="kb-line" points="{" ".join(f"{_f(x(i))},{_f(y(p.posterior))}" for i, p in enumerate(points))}"/>')
    else:
        p = points[0]
        parts.append(
            f'<rect class="kb-band" x="{_f(x(0) - 7)}" y="{_f(y(p.high))}" width="14" height="{_f(max(y(p.low) - y(p.high), 1.5))}" rx="3"/>'
        )
        parts.append(f'<text class="kb-label kb-muted" x="{_f(x(0) + 12)}" y="{top + 14}">a single point: no trend yet</text>')
    every = _every(n, plot_w, 74)
    for i, p in enumerate(points):
        parts.append(f'<circle class="kb-post" cx="{_f(x(i))}" cy="{_f(y(p.posterior))}" r="4"><title>{_e(p.tip)}</title></circle>')
        if i % every == 0:
            parts.append(f'<line class="kb-axis" x1="{_f(x(i))}" y1="{top + plot_h}" x2="{_f(x(i))}" y2="{top + plot_h + 4}"/>')
            parts.append(
                f'<text class="kb-label kb-muted" x="{_f(x(i))}" y="{top + plot_h + 17}" text-anchor="middle">{_e(p.label)}</text>'
            )
    parts.append(f'<text class="kb-label" x="{_f(left + plot_w / 2)}" y="{height - 8}" text-anchor="middle">{_e(x_label)}</text>')
    mid = _f(y(0.5))
    parts.append(f'<text class="kb-label" x="12" y="{mid}" text-anchor="middle" transform="rotate(-90 12 {mid})">posterior credence</text>')
    parts.append(tail)
    return "".join(parts)


def _drift_frame(left: int, top: int, plot_w: int, plot_h: int, y: Callable[[float], float]) -> list[str]:
    parts = []
    for t in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line class="kb-grid" x1="{left}" y1="{_f(y(t))}" x2="{left + plot_w}" y2="{_f(y(t))}"/>')
        parts.append(f'<text class="kb-label kb-muted" x="{left - 6}" y="{_f(y(t) + 4)}" text-anchor="end">{100 * t:.0f}%</text>')
    parts.append(f'<rect class="kb-frame" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/>')
    return parts


@dataclass(frozen=True)
class Count:
    """One bar of a count chart: label, link, the count, and the total it is out of."""

    label: str
    href: str
    value: int
    total: int


def counts(items: Sequence[Count], title: str, unit: str) -> str:
    """Horizontal bars, one per item, scaled to the largest count, with 'count / total' at the
    right; labels link to the item's page."""
    label_w, plot_w, right, row = 330, 280, 110, 20
    height = 24 + row * len(items) + 30
    width = label_w + plot_w + right
    lim = max([i.value for i in items] + [1])

    def x(v: float) -> float:
        return label_w + plot_w * v / lim

    desc = f"{unit} per item, out of those naming it: " + "; ".join(f"{i.label}: {i.value} of {i.total}" for i in items)
    head, tail = _open(width, height, title, desc, "counts")
    parts = [head, f'<text class="kb-label kb-muted" x="{width - 4}" y="14" text-anchor="end">uncontrolled / named</text>']
    y = 20
    for i in items:
        label = i.label if len(i.label) <= 50 else i.label[:49] + "…"
        parts.append(
            f'<a href="{_e(i.href)}"><text class="kb-label" x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
            f"<title>{_e(i.label)}</title>{_e(label)}</text></a>"
        )
        parts.append(
            f'<rect class="kb-bar kb-und" x="{label_w}" y="{y + 4}" width="{_f(max(x(i.value) - label_w, 1.0))}" height="{row - 8}">'
            f"<title>{_e(i.label)}: {i.value} of {i.total}</title></rect>"
        )
        parts.append(f'<text class="kb-label kb-num" x="{width - 4}" y="{y + 13}" text-anchor="end">{i.value} / {i.total}</text>')
        y += row
    parts.append(f'<line class="kb-axis" x1="{label_w}" y1="{y}" x2="{label_w + plot_w}" y2="{y}"/>')
    for t in [v for v in _ticks(0, lim, 5) if v == int(v)]:
        parts.append(f'<line class="kb-axis" x1="{_f(x(t))}" y1="{y}" x2="{_f(x(t))}" y2="{y + 4}"/>')
        parts.append(f'<text class="kb-label kb-muted" x="{_f(x(t))}" y="{y + 16}" text-anchor="middle">{_f(t)}</text>')
    parts.append(f'<text class="kb-label kb-muted" x="{_f(label_w + plot_w / 2)}" y="{y + 28}" text-anchor="middle">{_e(unit)}</text>')
    parts.append(tail)
    return "".join(parts)
