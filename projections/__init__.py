"""Read models kept from the event log by a catch-up projector (exactly once per event, checkpointed)."""
