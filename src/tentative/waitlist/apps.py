"""Waiting lists: when a date or ticket type is full, visitors queue for places; freed places
are offered to the next entry as a real option on the engine (issue 12)."""

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "tentative.waitlist"

    def ready(self) -> None:
        from tentative.bookings import gates
        from tentative.waitlist.gate import keep_for_waiting_list

        gates.register(keep_for_waiting_list)
