"""Schemathesis against /api/v1/openapi.json: whatever the schema allows (or not), no 5xx.

The app is called in-process through WSGI, inside the test's database transaction, with a
valid owner token and demo-like data (bookings in every state, customers, another
organisation). Generated ids are random numbers that exist nowhere, so part of the cases
are pointed at real rows (chosen from the generated value, so runs stay deterministic) to
reach the actions themselves, not only the 404 path. Bounded for CI: a fixed number of
examples per operation, derandomized (the same cases on every run), no example database.
Besides "no 5xx", schemathesis's own checks run: status codes, content types and bodies
conform to the schema, invalid input is refused, valid input is not, and auth is enforced.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tentative.api.schemas import MAX_ID
from tentative.bookings import actions
from tentative.core.permissions import Role
from tentative.core.states import State
from tests.factories import CustomerFactory, OrganisationFactory, api_token, book, on_sale, staff

pytestmark = pytest.mark.django_db  # the ledger check after the test needs the database still

EXAMPLES = 20  # per operation: ~500 requests over the ~30 operations, ~15 s


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = OrganisationFactory()
    owner = staff(org)
    concert, full_price = on_sale(org, capacity=300, deadline_days_before_start=2)
    gala, gala_entry = on_sale(org, capacity=120, quota=40, requires_approval=True)
    customers = [CustomerFactory(organisation=org) for _ in range(3)]

    def make(mode, date, ticket, **extra):  # type: ignore[no-untyped-def]
        return book(owner, date, ticket, mode=mode, quantity=2, **extra)

    bookings = [
        make(State.QUOTE, concert, full_price, customer_id=customers[0].id),
        make(State.OPTION, concert, full_price, customer_id=customers[1].id),
        make(State.CONFIRMED, concert, full_price),
        make(State.REQUEST, gala, gala_entry),
        make(State.REQUEST, gala, gala_entry),
    ]
    expired, cancelled, declined = (
        make(State.OPTION, concert, full_price),
        make(State.CONFIRMED, concert, full_price),
        make(State.REQUEST, gala, gala_entry),
    )
    actions.expire_booking(expired.id, actor=owner)
    actions.cancel_booking(cancelled.id, actor=owner, reason="demo")
    actions.decline_booking(declined.id, actor=owner)
    bookings += [expired, cancelled, declined]
    other = OrganisationFactory()
    other_date, other_ticket = on_sale(other)
    foreign = book(staff(other), other_date, other_ticket, mode=State.REQUEST)
    return {
        "token": api_token(org, Role.OWNER),
        "references": [b.reference for b in bookings] + [foreign.reference],
        "dates": [concert.id, gala.id, other_date.id],
        "events": [concert.event_id, gala.event_id, other_date.event_id],
        "tickets": {
            concert.id: full_price.id,
            gala.id: gala_entry.id,
            other_date.id: other_ticket.id,
        },
        "customers": [c.id for c in customers],
    }


@pytest.fixture
def api_schema(demo):  # type: ignore[no-untyped-def]
    # As Django's test client does: a request must not close the test's connection (and
    # with it the transaction that holds the demo data).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        config = schemathesis.Config.from_dict(
            {
                "auth": {"openapi": {"StaffToken": {"bearer": demo["token"]}}},
                "generation": {
                    "max-examples": EXAMPLES,
                    "deterministic": True,
                    "database": "none",
                    "with-security-parameters": False,
                },
                # The coverage phase adds ~1,000 boundary cases (minutes on two databases);
                # test_bad_input.py sends those boundaries deterministically instead.
                "phases": {"coverage": {"enabled": False}},
                "checks": {
                    # 422 is also how a domain rule the schema cannot state refuses valid
                    # JSON: a reason to cancel a firm booking, a deadline in the future.
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
                    }
                },
            }
        )
        loaded = schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application(), config=config
        )
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def pick(generated: Any, choices: list[Any]) -> Any:
    """One of `choices`, or the generated value itself one time in (len + 1)."""
    index = zlib.crc32(repr(generated).encode()) % (len(choices) + 1)
    return generated if index == len(choices) else choices[index]


def is_id(value: Any) -> bool:
    # Only values the schema allows are aimed: a negative case must stay negative.
    return type(value) is int and 1 <= value <= MAX_ID  # `type`: True is an int to Python


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9]{1,12}", value) is not None


def aim(case, demo) -> None:  # type: ignore[no-untyped-def]
    """Point part of the generated ids at real rows, and make idempotency keys per request."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and 0 < len(key) <= 255 and key.isascii() and key.isprintable():
        # Generated keys repeat across different requests (a 422, rightly): make each key
        # follow its request, so a repeat is a true replay and answers the stored response.
        request = f"{case.method} {case.formatted_path} {case.body!r}".encode()
        case.headers["Idempotency-Key"] = f"{key[:240]}-{zlib.crc32(request):08x}"
    params = case.path_parameters or {}
    if is_reference(params.get("reference")):
        params["reference"] = pick(params["reference"], demo["references"])
    for name, rows in (("event_id", demo["events"]), ("date_id", demo["dates"])):
        if name in params and is_id(_int(params[name])):
            params[name] = pick(params[name], rows)
    body = case.body
    if not isinstance(body, dict):
        return
    if is_id(body.get("customer_id")):
        body["customer_id"] = pick(body["customer_id"], demo["customers"])
    lines = body.get("lines")
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict) and is_id(line.get("event_date_id")):
            date_id = line["event_date_id"] = pick(line["event_date_id"], demo["dates"])
            if date_id in demo["tickets"] and is_id(line.get("ticket_type_id")):
                line["ticket_type_id"] = pick(line["ticket_type_id"], [demo["tickets"][date_id]])


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@schema.parametrize()
def test_no_server_error_and_responses_match_the_schema(case, demo):
    aim(case, demo)
    response = case.call()
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        case.body,
        response.text[:500],
    )
    case.validate_response(response)
