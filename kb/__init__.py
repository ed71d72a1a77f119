"""The AI consciousness evidence portfolio: typed claims, a store, a database, an aggregator and a
site renderer. This package imports neither typer nor rich (only the site renderer uses jinja2)."""

import os

# One BLAS thread unless told otherwise (read when numpy loads, so set before any kb module imports
# it). The aggregator's matrix products are small and its work is shared out between processes
# (kb.bulk.beside) next to MkDocs: OpenBLAS's extra threads only spin against them. Explaining 20
# hypotheses at 1k findings took 0.6 s in one process and 1.7-5.7 s in two; with one thread each,
# 0.49 s and 0.33-0.42 s.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

__version__ = "0.1.0"
