"""The application layer: one use case per command and query, with the scope rules, over ports."""
