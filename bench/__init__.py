"""Benchmarks: how fast hierc's models sample, against hand-written PyMC models and Bambi's defaults.

    python -m bench                 # the full run: writes BENCHMARKS.md and bench/results.csv
    python -m bench --quick         # small sizes and short chains, to check that it all runs

See `bench/run.py` for what is measured and how.
"""
