"""Waiting lists: when a date or ticket type is full, visitors queue for places; freed places
are offered to the next entry as a real option on the engine (issue 12)."""
