"""Temporal activities of phancong: the workflows' only way to touch the database and the outside world."""
