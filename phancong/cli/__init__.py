"""The `phancong` command line (typer)."""
