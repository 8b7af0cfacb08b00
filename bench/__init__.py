"""Benchmarks: pipeway next to its reference, in one run. Figures go to docs/benchmarks.md."""
