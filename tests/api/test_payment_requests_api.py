"""Payment requests over the API: list, create (idempotent), send by id or token, and
every refusal a 4xx with its code, writing nothing."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tentative.payments.models import PaymentRequest
from tests.api.conftest import error, line, rows
from tests.factories import book, staff

pytestmark = pytest.mark.django_db


def option(api, offer) -> str:  # type: ignore[no-untyped-def]
    date, ticket = offer
    body = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}).json()
    return body["reference"]


def test_create_list_and_send(api, offer, settings):
    settings.PUBLIC_URL = "https://book.example.org"
    reference = option(api, offer)
    created = api.post(f"/bookings/{reference}/payment-requests", {}, key="req-1")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["currency"], body["state"]) == ("40.00", "EUR", "open")
    token = PaymentRequest.objects.get().token
    assert body["url"] == f"https://book.example.org/pay/{token}/"
    again = api.post(f"/bookings/{reference}/payment-requests", {}, key="req-1")
    assert again.json() == body and PaymentRequest.objects.count() == 1
    listed = api.get(f"/bookings/{reference}/payment-requests").json()
    assert [r["id"] for r in listed] == [body["id"]]
    sent = api.post(f"/payment-requests/{body['id']}/send", {}, key="send-1")
    assert sent.status_code == 200 and sent.json()["sent_count"] == 1
    by_token = api.post(f"/payment-requests/{token}/send", {}, key="send-2")
    assert by_token.json()["sent_count"] == 2
    repeat = api.post(f"/payment-requests/{token}/send", {}, key="send-2")
    assert repeat.json()["sent_count"] == 2


def test_amount_expiry_and_send_at_once(api, offer):
    reference = option(api, offer)
    until = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    body = api.post(
        f"/bookings/{reference}/payment-requests",
        {"amount": "15.50", "expires_at": until.isoformat(), "send": True},
    ).json()
    assert (body["amount"], body["sent_count"]) == ("15.50", 1)
    assert datetime.fromisoformat(body["expires_at"]) == until


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"amount": "0"}, 422, "amount_invalid"),
        ({"amount": "-1"}, 422, "invalid"),
        ({"amount": "12.345"}, 422, "amount_invalid"),
        ({"amount": "40.01"}, 422, "amount_above_balance"),
        ({"amount": 12}, 422, "invalid"),
        ({"expires_at": "2020-01-01T00:00:00+00:00"}, 422, "expiry_invalid"),
        ({"expires_at": "2030-01-01T00:00:00"}, 422, "invalid"),
        ({"send": "yes please"}, 422, "invalid"),
    ],
)
def test_bad_input_is_a_4xx_and_writes_nothing(api, offer, payload, status, code):
    reference = option(api, offer)
    before = rows()
    error(api.post(f"/bookings/{reference}/payment-requests", payload), status, code)
    assert rows() == before and PaymentRequest.objects.count() == 0


def test_an_expired_or_paid_link_cannot_be_sent(api, offer):
    reference = option(api, offer)
    body = api.post(f"/bookings/{reference}/payment-requests", {}).json()
    link = PaymentRequest.objects.get(id=body["id"])
    with time_machine.travel(link.expires_at + timedelta(minutes=1), tick=False):
        error(api.post(f"/payment-requests/{link.id}/send", {}), 409, "request_expired")
        listed = api.get(f"/bookings/{reference}/payment-requests").json()
        assert listed[0]["state"] == "expired"
    api.post(f"/bookings/{reference}/payments", {"amount": "40.00"})
    error(api.post(f"/bookings/{reference}/payment-requests", {}), 409, "nothing_due")
    PaymentRequest.objects.filter(id=link.id).update(state="paid")
    error(api.post(f"/payment-requests/{link.id}/send", {}), 409, "request_paid")


def test_another_organisation_s_requests_are_not_found(api, other):
    org, date, ticket = other
    booking = book(staff(org), date, ticket)
    error(api.get(f"/bookings/{booking.reference}/payment-requests"), 404)
    error(api.post(f"/bookings/{booking.reference}/payment-requests", {}), 404)
    from tentative.payments import actions

    link = actions.create_payment_request(booking.id, actor=staff(org))
    error(api.post(f"/payment-requests/{link.id}/send", {}), 404)
    error(api.post(f"/payment-requests/{link.token}/send", {}), 404)
    error(api.post("/payment-requests/x%00y/send", {}), 404)
    error(api.post("/payment-requests/99999999999999999999999/send", {}), 404)


def test_withdraw_by_token_then_it_cannot_be_sent(api, offer):
    reference = option(api, offer)
    body = api.post(f"/bookings/{reference}/payment-requests", {}).json()
    token = PaymentRequest.objects.get(id=body["id"]).token
    withdrawn = api.post(f"/payment-requests/{token}/cancel", {}, key="w-1")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "cancelled"
    error(api.post(f"/payment-requests/{body['id']}/send", {}), 409, "request_cancelled")
    error(api.post(f"/payment-requests/{body['id']}/cancel", {}), 409, "request_cancelled")
