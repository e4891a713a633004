"""Directive files: what HQ writes, checked against the directory, and issuing them."""
