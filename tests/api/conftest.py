"""An API caller with a staff token, and a ledger of every table an API call can write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from tentative.accounts.models import Customer
from tentative.api.models import IdempotencyKey
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.core.permissions import Role
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox.models import OutboxMessage
from tests.factories import OrganisationFactory, api_token, on_sale

PREFIX = "/api/v1"


class Api:
    """Calls /api/v1 as one staff token. Exceptions are not swallowed: a crash fails the test."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None, key: str | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key is not None:
            out["Idempotency-Key"] = key
        return {**out, **(headers or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any):  # type: ignore[no-untyped-def]
        return self.client.get(PREFIX + path, params, headers=self._headers(headers, None))

    def post(  # type: ignore[no-untyped-def]
        self,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        raw: str | bytes | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ):
        data = raw if raw is not None else json.dumps({} if body is None else body)
        return self.client.post(
            PREFIX + path,
            data=data,
            content_type=content_type,
            headers=self._headers(headers, key),
        )


def error(response, status: int, code: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The response is the given 4xx, in JSON, with a machine code and a human message."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def rows() -> dict[str, int]:
    """Everything an API call can write, counted; equal before and after means no write."""
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Booking,
            BookingLine,
            Participant,
            Hold,
            AuditEntry,
            OutboxMessage,
            IdempotencyKey,
            Customer,
        )
    }
    counts["taken"] = CapacityPool.objects.aggregate(n=Sum("taken"))["n"] or 0
    states = Booking.objects.values_list("reference", "state", "updated_at")
    counts["states"] = hash(tuple(sorted(states)))
    return counts


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Personas get passwords; the production hasher costs ~0.3 s each, for nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def token(org) -> str:  # type: ignore[no-untyped-def]
    return api_token(org, Role.OWNER)


@pytest.fixture
def api(token) -> Api:  # type: ignore[no-untyped-def]
    return Api(token)


@pytest.fixture
def agent(org) -> Api:  # type: ignore[no-untyped-def]
    return Api(api_token(org, Role.AGENT))


@pytest.fixture
def offer(org):  # type: ignore[no-untyped-def]
    """One date with 10 places and one reservable ticket type."""
    return on_sale(org, capacity=10, deadline_days_before_start=2)


@pytest.fixture
def other():  # type: ignore[no-untyped-def]
    """Another organisation, with its own offer: nothing of it may show through."""
    org = OrganisationFactory()
    date, ticket = on_sale(org, capacity=10)
    return org, date, ticket


def line(date, ticket, quantity: int = 1, **extra: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": quantity, **extra}
