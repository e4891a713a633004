"""Temporal workflows of phancong (deterministic code only: see STYLE.md, rule 3)."""
