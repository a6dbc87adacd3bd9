"""Reproducible performance runs: `make bench` (python -m benchmarks)."""
