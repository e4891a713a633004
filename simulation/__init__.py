"""Simulations: a generated province lives through a directive on the time-skipping server (demo and load)."""
