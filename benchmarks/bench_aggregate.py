"""Benchmark of the aggregator's Monte Carlo: 10,000 synthetic claims linked to 20 hypotheses,
10,000 draws. Prints the time and its ratio to a baseline measured in the same run: numpy
generating and summing an array of draws x links random numbers (in chunks).

Both sides load their libraries before the clock starts (numpy; the aggregator's compiled kernel,
kb.montecarlo, with numba). numba compiles the kernel once per installation and caches it: if
that has not happened yet, a first process does it (its time is printed, not counted). The
aggregator's first call in a process then loads the kernel's machine code from that cache: timed on
its own, printed, and counted in the target; the ratio is given with it and without it.

    python benchmarks/bench_aggregate.py [--claims 10000] [--hypotheses 20] [--draws 10000]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread, set before numpy loads (the rule)

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import kb.montecarlo  # noqa: E402, F401 - the compiled kernel's library, loaded like numpy before the clock
from kb.aggregate import ConfoundEvidence, Dependence, HypothesisEvidence, Judgment, LinkEvidence, aggregate_all  # noqa: E402
from kb.vocab import Bearing, Controlled, Kind, Severity, Strength, Tier  # noqa: E402
from kb.weights import load_weights  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n_claims: int, n_hyp: int, seed: int = 1) -> list[HypothesisEvidence]:
    """Each claim links to 1-3 hypotheses, rests on one of n_claims/4 studies (in n_claims/8 works,
    n_claims/40 research groups, told through one of 50 channels), has 0-3 confounds; 5% of links
    carry a disagreeing reviewer judgment; a fifth of the hypotheses form four questions."""
    rng = np.random.default_rng(seed)
    kinds = [Kind.EMPIRICAL, Kind.ARGUMENT, Kind.TESTIMONY, Kind.ANECDOTE]
    bearings = [Bearing.SUPPORTS, Bearing.UNDERMINES, Bearing.MIXED, Bearing.NEUTRAL]
    links: dict[int, list[LinkEvidence]] = {h: [] for h in range(n_hyp)}
    for c in range(n_claims):
        kind, tier = kinds[rng.integers(4)], list(Tier)[rng.integers(5)]
        s = int(rng.integers(max(1, n_claims // 4)))
        study = f"study-{s}"
        deps = Dependence(f"claim-{c}", study, f"work-{s // 2}", f"group-{s // 10}", f"channel-{rng.integers(50)}")
        machine, approved = bool(rng.random() < 0.5), bool(rng.random() < 0.3)
        confounds = tuple(
            ConfoundEvidence(f"conf-{j}", f"group-{j % 6}", list(Severity)[rng.integers(3)], (list(Controlled)[rng.integers(6)],))
            for j in rng.choice(18, rng.integers(4), replace=False)
        )
        for h in rng.choice(n_hyp, rng.integers(1, 4), replace=False):
            judgments: tuple[Judgment, ...] = (
                Judgment(bearings[rng.choice(4, p=[0.45, 0.35, 0.1, 0.1])], list(Strength)[rng.integers(4)]),
            )
            if rng.random() < 0.05:
                judgments += (Judgment(Bearing.UNDERMINES, Strength.MODERATE),)
            links[int(h)].append(
                LinkEvidence(
                    f"claim-{c}", kind, tier, judgments, confounds, deps, (study,), approved=approved, machine=machine, key=f"k{c}"
                )
            )
    questions = {h: f"q-{h // 2}" for h in range(min(8, n_hyp // 5 * 2))}
    return [HypothesisEvidence(f"h-{h}", 0.5 if h in questions else 0.3, tuple(links[h]), question=questions.get(h)) for h in range(n_hyp)]


def baseline(draws: int, n_links: int) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    total = 0.0
    chunk = max(1, 20_000_000 // draws)
    for i in range(0, n_links, chunk):
        total += float(rng.random((draws, min(chunk, n_links - i))).sum())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--hypotheses", type=int, default=20)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--warm-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    weights = load_weights(ROOT)
    if args.warm_only:
        aggregate_all(synthetic(40, 5, seed=2), weights, draws=16)
        return
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--warm-only"], check=True)  # compiles and caches the kernel if it never was
    warm = time.perf_counter() - start
    hs = synthetic(args.claims, args.hypotheses)
    n_links = sum(len(h.links) for h in hs)
    start = time.perf_counter()
    aggregate_all(synthetic(40, 5, seed=2), weights, draws=16)  # loads (or compiles) the kernel's machine code
    load = time.perf_counter() - start
    start = time.perf_counter()
    runs = aggregate_all(hs, weights, draws=args.draws)
    took = time.perf_counter() - start
    base = baseline(args.draws, n_links)
    print(f"{args.claims} claims, {args.hypotheses} hypotheses, {n_links} links, {args.draws} draws")
    print(f"a first process (compiles and caches the kernel the first time after installation, not counted): {warm:.2f} s")
    print(f"kernel's machine code loaded from the cache (once per process, counted): {load:.2f} s")
    print(f"aggregator: {took:.2f} s (credences {runs[0].point:.3f} … {runs[-1].point:.3f})")
    print(f"baseline (generate and sum {args.draws} x {n_links} uniforms): {base:.2f} s")
    print(f"ratio aggregator / baseline: {took / base:.2f} ({(took + load) / base:.2f} with the load)")
    print(f"targets (<= 2 s, <= 1.5x): {'met' if took + load <= 2 and (took + load) / base <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
