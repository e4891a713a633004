"""The domain of phancong, as pure deterministic code shared by workflows, activities and the read side.

Nothing here does I/O or reads the clock: workflows import it inside Temporal's sandbox.
"""
