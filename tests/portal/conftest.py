"""The personal space's emails go to the same real SMTP server as the notifications' tests:
one fixture, shared (tests/notifications/conftest.py)."""

import pytest
from django.utils import translation

from tests.notifications.conftest import Inbox, free_port, receiver, smtp

__all__ = ["Inbox", "free_port", "receiver", "smtp"]


@pytest.fixture(autouse=True)
def language_left_as_found():  # type: ignore[no-untyped-def]
    """A page in Spanish activates Spanish in the test's thread (LocaleMiddleware does not
    deactivate it after the response): later tests (tests/bookings run after these when
    named after them) must not read Spanish, as in tests/public/conftest.py."""
    yield
    translation.deactivate()
