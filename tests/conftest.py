"""Shared fixtures. After every test that touched the database, `reconcile` must find no drift."""

from __future__ import annotations

import pytest
from django.db import connection

from tentative.inventory.capacity import reconcile
from tests.factories import OrganisationFactory

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, real concurrency)"
)


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Hashing a persona's password properly costs ~0.3 s; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return OrganisationFactory()


@pytest.fixture(autouse=True)
def no_drift(request):  # type: ignore[no-untyped-def]
    """DESIGN §2.2 #1 through the ledger: every pool equals what its holders hold."""
    yield
    if "django_db_setup" in request.fixturenames:
        assert reconcile() == [], "capacity drift after test"


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """`postgres_only` tests skip on SQLite with the reason the marker gives."""
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(on_postgres)
