"""The Monte Carlo's inner loop, compiled: for a block of draws, every row's magnitude, the drawn
readings of the links whose readings differ, and the saturating pools of kb.pooling, fused so that
no rows x draws temporary is written more than once (numba; single-threaded, no fast-math, so
every draw is the same arithmetic in the same order whatever else is in the portfolio).

The formulas are kb.aggregate's and kb.pooling's, which compute the point estimate:

- a row's magnitude is the product of its table entries (ln LR of its strength, kind weight, tier
  weight, each threatening confound's shrink) times its reading-error factor in that draw;
- a link whose readings differ draws one judgment and one status per disagreeing confound from
  frac(offset + v_d) (`aggregate.Specials`);
- each side is pooled under each of its trees, level by level (max and sum of each group, then
  `pooling.saturate`), the groups of the last level add up (in float64), the smallest tree total
  counts.

numba compiles it on first use (about 7 s) and caches the machine code beside this module (its own
__pycache__, as Python does bytecode); a later process loads it in about 0.3 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from kb.pooling import Tree

F = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I = npt.NDArray[np.intp]  # noqa: E741 - index arrays

BLOCK_BYTES = 1 << 20  # rows x draws x 4 bytes per block: the block and its pooling buffer stay in the L2 cache


class Rows(NamedTuple):
    """A layout's rows as the kernel reads them: table columns (at least three, padded with the row
    of ones) and how many count, and each row's reading-error offset, rate and factors (rate 0:
    never misread). (Named tuples: numba takes them as they are.)"""

    cols: I
    width: I
    frac: F
    rate: F
    down: F32
    up: F32


class Drawn(NamedTuple):
    """The links whose readings differ (see kb.aggregate.Specials), flat for the kernel, and the
    factors of a strength misread one level down or up (per strength level)."""

    rows: I  # links x 3
    base: I
    offset: F
    n_judgments: I
    strength: I  # links x max judgments
    side: I
    frac: F  # reading-error offset (binned, as the other rows')
    rate: F
    pairs: I  # links x max confounds x max statuses: shrink columns (-1: none)
    n_status: I
    down: F32
    up: F32


class Trees(NamedTuple):
    """Every pooling tree of the three sides, flat, as groups that merge rows in place. Tree k pools
    side `side[k]` (rows side_lo..side_hi of the layout): its working rows are those rows gathered in
    the order perm[perm_ptr[k]:perm_ptr[k+1]], or the rows themselves when that range is empty (the
    last tree of a side whose order is the rows' own). Levels level_ptr[k]..level_ptr[k+1], innermost
    first; level l's groups of more than one item are group_ptr[l]..group_ptr[l+1]; group g pools the
    working rows members[member_ptr[g]:member_ptr[g+1]] with correlation row rho[g] and writes the
    result into its first member's row (a singleton stays where it is). The tree's total adds up the
    working rows tops[top_ptr[k]:top_ptr[k+1]]."""

    side_lo: I
    side_hi: I
    side: I
    perm_ptr: I
    perm: I
    level_ptr: I
    group_ptr: I
    member_ptr: I
    members: I
    rho: I
    top_ptr: I
    tops: I


def flatten(side_rows: tuple[I, I, I], side_trees: tuple[tuple[Tree, ...], ...]) -> Trees:
    """The trees of the three sides (kb.pooling.Tree over each side's rows), flat for the kernel."""
    side_lo = np.array([idx[0] if idx.size else 0 for idx in side_rows], dtype=np.intp)
    side_hi = np.array([idx[-1] + 1 if idx.size else 0 for idx in side_rows], dtype=np.intp)
    side: list[int] = []
    perms: list[I] = []
    level_ptr, group_ptr, member_ptr, top_ptr = [0], [0], [0], [0]
    members: list[I] = []
    rho: list[I] = []
    tops: list[I] = []
    for s, trees in enumerate(side_trees):
        # a tree in the rows' own order goes last and works in place: nothing reads the rows after it
        order = sorted(range(len(trees)), key=lambda i: trees[i].identity)
        for i in order:
            tr = trees[i]
            in_place = tr.identity and i == order[-1]
            side.append(s)
            perms.append(np.zeros(0, dtype=np.intp) if in_place else tr.perm)
            pos = np.arange(len(tr.perm), dtype=np.intp)  # working row of each item of the current level
            for lvl in tr.levels:
                multi = np.flatnonzero(lvl.sizes > 1)
                sizes = lvl.sizes[multi]
                first = np.repeat(lvl.starts[multi], sizes)
                offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
                members.append(pos[first + offset])
                member_ptr.extend((member_ptr[-1] + np.cumsum(sizes)).tolist())
                rho.append(lvl.rho[multi])
                group_ptr.append(group_ptr[-1] + len(multi))
                pos = pos[lvl.starts]
            level_ptr.append(level_ptr[-1] + len(tr.levels))
            tops.append(pos)
            top_ptr.append(top_ptr[-1] + len(pos))
    perm_ptr = np.cumsum([0] + [len(p) for p in perms])

    def cat(parts: list[I]) -> I:
        return np.concatenate(parts).astype(np.intp) if parts else np.zeros(0, dtype=np.intp)

    return Trees(
        side_lo, side_hi, np.array(side, dtype=np.intp), perm_ptr.astype(np.intp), cat(perms), np.array(level_ptr, dtype=np.intp),
        np.array(group_ptr, dtype=np.intp), np.array(member_ptr, dtype=np.intp), cat(members), cat(rho), np.array(top_ptr, dtype=np.intp),
        cat(tops),
    )  # fmt: skip


# --- the kernel ---------------------------------------------------------------------------------


def _frac(x: float, v: float) -> float:
    """frac(x + v) for x, v in [0, 1): exact."""
    y = x + v
    return y - 1.0 if y >= 1.0 else y


def _misread(x: float, rate: float, dn: np.float32, upf: np.float32) -> np.float32:
    """The reading-error factor at position x of a row's window: down, up or none."""
    if x < rate * 0.5:
        return dn
    if x < rate:
        return upf
    return np.float32(1.0)


def _magnitudes(mags: F32, tab: F32, rows: Rows, v: F, d0: int, nb: int) -> None:
    """mags[r, b] for draw d0 + b: the product of the row's table entries (the first three, its
    reading-error factor, then the rest), written once per row and draw."""
    cols, vv = rows.cols, v[d0 : d0 + nb]
    for r in range(cols.shape[0]):
        out = mags[r]
        c0, c1, c2 = tab[cols[r, 0], d0 : d0 + nb], tab[cols[r, 1], d0 : d0 + nb], tab[cols[r, 2], d0 : d0 + nb]
        fr, rt, dn, upf = rows.frac[r], rows.rate[r], rows.down[r], rows.up[r]
        for b in range(nb):
            out[b] = c0[b] * c1[b] * c2[b] * _misread(_frac(fr, vv[b]), rt, dn, upf)
        for k in range(3, rows.width[r]):
            ck = tab[cols[r, k], d0 : d0 + nb]
            for b in range(nb):
                out[b] *= ck[b]


def _specials(mags: F32, tab: F32, drawn: Drawn, v_read: F, v_pick: F, d0: int, nb: int) -> None:
    """Overwrite the rows of the links whose readings differ: in each draw one judgment (strength,
    misread or not, and side) and one status per disagreeing confound."""
    for i in range(drawn.rows.shape[0]):
        nj = drawn.n_judgments[i]
        for b in range(nb):
            d = d0 + b
            u = np.float32(_frac(drawn.offset[i], v_pick[d]))
            pick = min(int(np.float64(u) * nj), nj - 1)
            s = drawn.strength[i, pick]
            misread = _misread(_frac(drawn.frac[i], v_read[d]), drawn.rate[i], drawn.down[s], drawn.up[s])
            mag = mags[drawn.base[i], b] * (tab[s, d] * misread)
            for k in range(drawn.pairs.shape[1]):
                if drawn.pairs[i, k, 0] < 0:
                    continue
                n = drawn.n_status[i, k]
                which = min(int(((np.float64(u) * (k + 2)) % 1.0) * n), n - 1)
                mag *= tab[drawn.pairs[i, k, which], d]
            side = drawn.side[i, pick]
            for x in range(3):
                row = drawn.rows[i, x]
                if row >= 0:
                    mags[row, b] = mag if side == x else np.float32(0.0)


def _pool_groups(work: F32, trees: Trees, rho: F32, g0: int, g1: int, d0: int, nb: int, mx: F32, sm: F32) -> None:
    """Groups g0..g1 of one level: work[first member] = the pool of the members' rows (the max and
    the sum, then kb.pooling.saturate)."""
    tiny = np.float32(np.finfo(np.float32).tiny)
    m_, s_ = mx[:nb], sm[:nb]
    members = trees.members
    for g in range(g0, g1):
        m0, m1 = trees.member_ptr[g], trees.member_ptr[g + 1]
        first = work[members[m0], :nb]
        for b in range(nb):
            m_[b] = first[b]
            s_[b] = first[b]
        for i in range(m0 + 1, m1):
            row = work[members[i], :nb]
            for b in range(nb):
                x = row[b]
                s_[b] += x
                m_[b] = x if x > m_[b] else m_[b]
        a = rho[trees.rho[g], d0 : d0 + nb]
        for b in range(nb):
            m = m_[b]
            r = s_[b] - m
            mb = m * (np.float32(1.0) - a[b])
            den = r * a[b] + mb
            den = den if den > tiny else tiny
            first[b] = r * mb / den + m


def _pool_tree(mags: F32, trees: Trees, k: int, rho: F32, d0: int, nb: int, buf: F32, mx: F32, sm: F32, total: F) -> None:
    """total[b] = tree k's pooled total in draw d0 + b."""
    side = trees.side[k]
    lo, hi = trees.side_lo[side], trees.side_hi[side]
    p0, p1 = trees.perm_ptr[k], trees.perm_ptr[k + 1]
    if p1 > p0:
        for i in range(p1 - p0):
            buf[i, :nb] = mags[lo + trees.perm[p0 + i], :nb]
        work = buf
    else:
        work = mags[lo:hi]
    for lvl in range(trees.level_ptr[k], trees.level_ptr[k + 1]):
        _pool_groups(work, trees, rho, trees.group_ptr[lvl], trees.group_ptr[lvl + 1], d0, nb, mx, sm)
    tot = total[:nb]
    tot[:] = 0.0
    for i in range(trees.top_ptr[k], trees.top_ptr[k + 1]):
        row = work[trees.tops[i], :nb]
        for b in range(nb):
            tot[b] += np.float64(row[b])


def _kernel(tab: F32, rows: Rows, drawn: Drawn, trees: Trees, rho: F32, v_read: F, v_pick: F, block: int, pools: F) -> None:
    """pools[s, d]: the pooled weight of side s in every draw d (the smallest over its trees), block by block."""
    n_draws = pools.shape[1]
    most = 1
    for s in range(3):
        most = max(most, trees.side_hi[s] - trees.side_lo[s])
    mags = np.empty((rows.cols.shape[0], block), dtype=np.float32)
    buf = np.empty((most, block), dtype=np.float32)
    mx = np.empty(block, dtype=np.float32)
    sm = np.empty(block, dtype=np.float32)
    total = np.empty(block, dtype=np.float64)
    for d0 in range(0, n_draws, block):
        nb = min(block, n_draws - d0)
        _magnitudes(mags, tab, rows, v_read, d0, nb)
        _specials(mags, tab, drawn, v_read, v_pick, d0, nb)
        for k in range(trees.side.shape[0]):
            s = trees.side[k]
            first = k == 0 or trees.side[k - 1] != s  # a side's trees come together
            _pool_tree(mags, trees, k, rho, d0, nb, buf, mx, sm, total)
            for b in range(nb):
                if first or total[b] < pools[s, d0 + b]:
                    pools[s, d0 + b] = total[b]


Fn = TypeVar("Fn", bound=Callable[..., object])


def _jit(fn: Fn) -> Fn:
    """Compiled, and cached beside this module where it can be written (else compiled per process)."""
    try:
        return cast(Fn, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # numba finds no writable cache location
        return cast(Fn, numba.njit(nogil=True)(fn))


_frac = _jit(_frac)
_misread = _jit(_misread)
_magnitudes = _jit(_magnitudes)
_specials = _jit(_specials)
_pool_groups = _jit(_pool_groups)
_pool_tree = _jit(_pool_tree)
_compiled_kernel = _jit(_kernel)


def side_pools(tab: F32, rows: Rows, drawn: Drawn, trees: Trees, rho: F32, v_read: F, v_pick: F) -> F:
    """3 x draws: the pooled supporting, undermining and mixed weight in every draw. `tab`: the
    linear tables (columns of the rows' incidence) as float32, parameters x draws; `rho`: the
    correlation table, float32; `v_read`, `v_pick`: one uniform per draw for reading errors and for
    picking a reading."""
    n_draws = tab.shape[1]
    pools = np.zeros((3, n_draws))
    if rows.cols.shape[0] == 0:
        return pools
    block = int(max(16, min(n_draws, BLOCK_BYTES // (4 * rows.cols.shape[0]))))
    _compiled_kernel(tab, rows, drawn, trees, rho, v_read, v_pick, block, pools)
    return pools
