"""The synthetic corpus generator: families, slots, register styles, evasions and splits."""

DEFAULT_ROWS = 60_000  # the corpus `make data` writes; twice 30,000 gave +0.02 dev macro-F1 (bench/gpu_sweep.py)
DEFAULT_SEED = 13
