"""Dependent evidence, pooled so that it saturates. Pure numpy.

A group of links whose errors correlate with correlation rho counts as its strongest weight m
plus the rest r = s - m (s the group's sum), discounted as the rest grows:

    P = m + r / (1 + (r / m) * rho / (1 - rho))         that is  m * g(s / m),  g(x) = 1 + (x - 1) / (1 + (x - 1) rho / (1 - rho))

- rho -> 0 (independent): P -> s, the plain sum; rho = 1 (one reading repeated): P = m.
- bounded: P < m / rho however many links, the limit of Kish's design effect
  n w / (1 + (n - 1) rho) for n equal weights w.
- monotone: raising any weight, or adding a link, never lowers the pool (dP/dr = (m(1-rho))^2 /
  den^2 > 0; dP/dm at fixed r > 1; at a change of strongest member the two readings agree).
- symmetric: no order of the links, so no tie-breaking rule and nothing that depends on ids; and no
  transcendental function, so it costs a few arithmetic passes per group and draw.

Levels nest (a result within a study within a work within a research group): each level pools the
pooled values of the level below. The channel (who told us) and the kind of evidence cut across
that hierarchy, so a side of the evidence is pooled under two trees (kind > research group > work
> study > result, and kind > channel) and the smaller total counts; the minimum of monotone,
bounded pools is monotone and bounded. The kind of evidence is the outermost level of both: every
link of one kind shares a floor correlation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.floating]
I = npt.NDArray[np.intp]  # noqa: E741 - index arrays

# the correlation parameters, as rows of the table every pool reads (kind floors follow, one per kind)
RESULT, STUDY, WORK, GROUP, CHANNEL, KIND0 = range(6)


def coefficients(rho: F) -> tuple[F, F]:
    """The two coefficients of the pool for a table of correlations: rho and 1 - rho."""
    return rho, 1 - rho


def saturate(m: F, s: F, a: F, b: F) -> F:
    """m + r (1 - rho) m / ((1 - rho) m + rho r) elementwise, r = s - m, with a = rho and
    b = 1 - rho (0 where m is 0)."""
    r = s - m
    mb = m * b
    den = r * a
    den += mb
    np.maximum(den, np.finfo(m.dtype).tiny, out=den)
    r *= mb
    r /= den
    r += m
    return r


@dataclass(frozen=True)
class Level:
    """One level of a tree over the items of the level below (contiguous runs): where each run
    starts, its size, and the row of the correlation table it uses."""

    starts: I
    sizes: I
    rho: I

    @property
    def trivial(self) -> bool:
        return bool((self.sizes == 1).all())


@dataclass(frozen=True)
class Tree:
    """A pooling tree over the rows of one side: the order that makes every level's groups
    contiguous, and the levels from innermost to outermost. Above the last level the groups are
    independent and add up."""

    perm: I
    levels: tuple[Level, ...]
    identity: bool = False  # rows already in this tree's order: no gather


def _runs(codes: npt.NDArray[np.int64]) -> tuple[I, I]:
    """Starts and sizes of the runs of equal rows in `codes` (items x columns, already sorted)."""
    n = codes.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    change = np.ones(n, dtype=bool)
    change[1:] = (codes[1:] != codes[:-1]).any(axis=1)
    starts = np.flatnonzero(change).astype(np.intp)
    return starts, np.diff(np.append(starts, n)).astype(np.intp)


def tree(keys: list[npt.NDArray[np.int64]], rho_of_level: list[int | npt.NDArray[np.intp]]) -> Tree:
    """A tree whose levels group rows by keys[0], then (keys[0], keys[1]) ... from the innermost
    level outwards: `keys` runs outermost first (e.g. group, work, study, result), `rho_of_level`
    names each level's correlation row in the same order (an array gives one per row, e.g. the kind's
    floor). Rows are sorted by the keys, so every group at every level is contiguous."""
    n = len(keys[0]) if keys else 0
    if n == 0:
        return Tree(np.zeros(0, dtype=np.intp), ())
    perm = np.lexsort(tuple(reversed(keys))).astype(np.intp)
    cols = np.stack([k[perm] for k in keys], axis=1)
    levels: list[Level] = []
    current = cols  # the key columns of the current level's items
    for depth in range(len(keys), 0, -1):  # innermost first
        starts, sizes = _runs(current[:, :depth])
        rho = rho_of_level[depth - 1]
        rho_rows = np.full(len(starts), rho, dtype=np.intp) if isinstance(rho, int) else np.asarray(rho)[perm][_first_rows(levels, starts)]
        levels.append(Level(starts, sizes, rho_rows.astype(np.intp)))
        current = current[starts]
    return Tree(perm, tuple(levels), bool((perm == np.arange(n)).all()))


def _first_rows(levels: list[Level], starts: I) -> I:
    """Index (in sorted row order) of the first row under each item of the next level."""
    idx = starts
    for level in reversed(levels):
        idx = level.starts[idx]
    return idx


SMALL = 16  # groups up to this size are reduced together, batched by size; larger ones one slice at a time


def _max_and_sum(values: F, starts: I, sizes: I) -> tuple[F, F]:
    """Per group (a run of rows), the largest row and the sum, draws in columns. Faster than
    ufunc.reduceat along rows, which takes no fast path."""
    m = np.empty((len(starts), values.shape[1]), dtype=values.dtype)
    s = np.empty_like(m)
    for k in np.unique(sizes):
        which = np.flatnonzero(sizes == k)
        if k <= SMALL:
            block = values[starts[which][:, None] + np.arange(k)]  # groups x k x draws
            m[which], s[which] = block.max(axis=1), block.sum(axis=1)
        else:
            for g in which:
                part = values[starts[g] : starts[g] + k]
                m[g], s[g] = part.max(axis=0), part.sum(axis=0)
    return m, s


def pool_level(values: F, level: Level, coef: tuple[F, F]) -> F:
    """Pool one level: items (rows of `values`, draws in columns) -> one row per group. Singleton
    groups pass through (g(1) = 1). `coef`: `coefficients` of the correlation table."""
    if level.trivial:
        return values
    out = values[level.starts]
    multi = np.flatnonzero(level.sizes > 1)
    m, s = _max_and_sum(values, level.starts[multi], level.sizes[multi])
    rows = level.rho[multi]
    if (rows == rows[0]).all():  # one correlation for the whole level: broadcast, no gather
        a, b = coef[0][rows[0]][None, :], coef[1][rows[0]][None, :]
    else:
        a, b = coef[0][rows], coef[1][rows]
    out[multi] = saturate(m, s, a, b)
    return out


def pool_tree(values: F, t: Tree, coef: tuple[F, F]) -> F:
    """The total of one tree, per column. `values`: rows x columns (>= 0), in the rows' own order;
    `coef`: `coefficients` of the correlation table (parameters x columns, or x 1)."""
    if values.shape[0] == 0:
        return np.zeros(values.shape[1:], dtype=values.dtype)
    items = values if t.identity else values[t.perm]
    for level in t.levels:
        items = pool_level(items, level, coef)
    total: F = np.add.reduce(items, axis=0, dtype=np.float64)  # row by row, in float64
    return total


def pool(values: F, trees: tuple[Tree, ...], coef: tuple[F, F]) -> F:
    """The pooled weight of one side: the smallest total over the trees."""
    if not trees or values.shape[0] == 0:
        return np.zeros(values.shape[1:], dtype=np.float64)
    out = pool_tree(values, trees[0], coef)
    for t in trees[1:]:
        out = np.minimum(out, pool_tree(values, t, coef))
    return np.asarray(out, dtype=np.float64)


def shares(values: npt.NDArray[np.float64], trees: tuple[Tree, ...], rho: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's share of the pooled total (one column of values): the binding tree's total,
    split down every level in proportion to the members' values, so the shares add up to it."""
    if values.shape[0] == 0 or not trees:
        return np.zeros(values.shape[0])
    coef = coefficients(rho[:, :1])
    totals = [float(pool_tree(values[:, None], t, coef)[0]) for t in trees]
    t = trees[int(np.argmin(totals))]
    stack: list[npt.NDArray[np.floating]] = [values[t.perm]]
    for level in t.levels:
        stack.append(pool_level(stack[-1][:, None], level, coef)[:, 0])
    share = stack[-1].copy()  # the top: independent groups add up
    for level, below in zip(reversed(t.levels), reversed(stack[:-1]), strict=True):
        group_sum = np.add.reduceat(below, level.starts) if len(below) else below  # one column: reduceat is fine
        scale = np.divide(share, group_sum, out=np.zeros_like(share), where=group_sum > 0)
        share = below * np.repeat(scale, level.sizes)
    out = np.zeros(values.shape[0])
    out[t.perm] = share
    return out


def without_each(values: npt.NDArray[np.float64], t: Tree, rho: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The tree's total (one column of values) with each row in turn set to zero, all rows at
    once in O(rows x levels): a group keeps its max, the largest other member and its sum, so the
    pool without one member is known from those; the change then climbs the tree one group per
    level and the independent top groups add up. Equals `pool_tree` of the values with that row
    zeroed, up to rounding. `rho`: the point correlations (parameters x 1)."""
    n = values.shape[0]
    if n == 0:
        return np.zeros(0)
    a_all, b_all = coefficients(rho[:, 0])
    items = values[t.perm].astype(np.float64)
    pos = np.empty(n, dtype=np.intp)
    pos[t.perm] = np.arange(n)  # each row's item at the current level
    old, new = items[pos], np.zeros(n)
    for level in t.levels:
        g_of = np.repeat(np.arange(len(level.starts)), level.sizes)
        m = np.maximum.reduceat(items, level.starts)
        s = np.add.reduceat(items, level.starts)
        is_max = items == m[g_of]
        n_max = np.add.reduceat(is_max.astype(np.intp), level.starts)
        below = np.where(is_max, -np.inf, items)
        m_below = np.maximum.reduceat(below, level.starts)
        second = np.where(n_max >= 2, m, np.maximum(m_below, 0.0))  # the largest member but one
        a, b = a_all[level.rho], b_all[level.rho]
        pooled = np.where(level.sizes > 1, saturate(m, s, a, b), s)
        g = g_of[pos]
        others_max = np.where(old == m[g], second[g], m[g])
        m_new = np.maximum(others_max, new)
        s_new = s[g] - old + new
        new = np.where(level.sizes[g] > 1, saturate(m_new, s_new, a[g], b[g]), new)
        old = pooled[g]
        items, pos = pooled, g
    total = float(np.add.reduce(items))
    out: npt.NDArray[np.float64] = total - old + new
    return out
