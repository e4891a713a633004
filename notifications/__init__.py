"""Delivering notifications to people: channels (e-mail, webhook, the log), messages, the outbox."""
