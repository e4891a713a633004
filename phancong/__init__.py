"""phancong: the application shell (settings, logging, embedded services, command line).

The domain lives beside it: ``events`` (the event store), ``workflows`` and ``activities`` (Temporal),
``migrations`` (the database schema). This package stays import-light: nothing here runs at import.
"""
