"""The personal space's emails go to the same real SMTP server as the notifications' tests:
one fixture, shared (tests/notifications/conftest.py)."""

from tests.notifications.conftest import Inbox, free_port, receiver, smtp

__all__ = ["Inbox", "free_port", "receiver", "smtp"]
