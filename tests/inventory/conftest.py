"""Personas get passwords; the production hasher costs ~0.3 s each, for nothing here."""

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
