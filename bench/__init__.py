"""Benchmarks: each prints phancong's figure beside the raw limit measured in the same run."""
