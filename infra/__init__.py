"""Infrastructure that knows nothing of the programme: the PostgreSQL pool, reading files, clocks."""
