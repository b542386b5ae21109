"""Payments over the API: the balance, recording, refunding, and signed notifications."""

import pytest

from tentative.payments.models import Payment, ProviderEvent
from tests.api.conftest import error, line, rows
from tests.payments.helpers import notification

pytestmark = pytest.mark.django_db


def option(api, offer):  # type: ignore[no-untyped-def]
    date, ticket = offer
    body = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}).json()
    return body["reference"]


def test_pay_at_the_desk_then_the_balance_and_the_state(api, offer):
    reference = option(api, offer)
    empty = api.get(f"/bookings/{reference}/payments").json()
    assert empty["balance"]["status"] == "unpaid" and empty["balance"]["outstanding"] == "40.00"
    paid = api.post(f"/bookings/{reference}/payments", {"amount": "40.00"}, key="pay-1")
    assert paid.status_code == 201, paid.content
    again = api.post(f"/bookings/{reference}/payments", {"amount": "40.00"}, key="pay-1")
    assert again.json() == paid.json() and Payment.objects.count() == 1
    after = api.get(f"/bookings/{reference}/payments").json()
    assert after["balance"]["status"] == "paid" and after["balance"]["outstanding"] == "0.00"
    assert api.get(f"/bookings/{reference}").json()["state"] == "confirmed"


@pytest.mark.parametrize("amount", ["0", "-1", "1.2345", "12.345", 12.5, True, "abc", ""])
def test_bad_amounts_are_a_422_and_write_nothing(api, offer, amount):
    reference = option(api, offer)
    before = rows()
    error(api.post(f"/bookings/{reference}/payments", {"amount": amount}), 422)
    assert rows() == before and Payment.objects.count() == 0


def test_refund_part_then_too_much(api, offer):
    reference = option(api, offer)
    payment = api.post(f"/bookings/{reference}/payments", {"amount": "40.00"}).json()
    done = api.post(f"/payments/{payment['reference']}/refund", {"amount": "15.00"})
    assert done.status_code == 201 and done.json()["pay_back_yourself"] is True
    body = error(
        api.post(f"/payments/{payment['reference']}/refund", {"amount": "25.01"}),
        409,
        "refund_too_large",
    )
    assert "25.00" in body["message"]
    error(api.post("/payments/pay_nope/refund", {"amount": "1.00"}), 404)


def test_the_simulated_processors_notification_over_http(api, client, offer):
    reference = option(api, offer)
    created = api.post(
        f"/bookings/{reference}/payments", {"amount": "40.00", "method": "card"}
    ).json()
    assert created["state"] == "created" and created["provider"] == "simulated"
    payment = Payment.objects.get(reference=created["reference"])
    body, headers = notification(payment, "captured", event_id="evt_http")
    url = "/api/v1/payments/notifications/simulated"
    first = client.post(url, data=body, content_type="application/json", headers=headers)
    second = client.post(url, data=body, content_type="application/json", headers=headers)
    assert (first.json(), second.json()) == ({"outcome": "applied"}, {"outcome": "duplicate"})
    bad = client.post(
        url,
        data=body.replace(b"evt_http", b"evt_x"),
        headers=headers,
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_signature"
    unknown = client.post(
        "/api/v1/payments/notifications/nope",
        data=body,
        headers=headers,
        content_type="application/json",
    )
    assert unknown.status_code == 404
    assert ProviderEvent.objects.count() == 1
    assert api.get(f"/bookings/{reference}").json()["state"] == "confirmed"


def test_another_organisations_booking_payments_are_not_found(api, other):
    org, date, ticket = other
    from tests.factories import book, staff

    booking = book(staff(org), date, ticket)
    error(api.get(f"/bookings/{booking.reference}/payments"), 404)
    error(api.post(f"/bookings/{booking.reference}/payments", {"amount": "1.00"}), 404)


def test_a_nul_in_a_payment_reference_is_not_found(api):
    error(api.post("/payments/pay%00x/refund", {"amount": "1.00"}), 404)


def test_every_booking_the_api_shows_carries_its_payment_state(api, offer):
    reference = option(api, offer)
    created = api.get(f"/bookings/{reference}").json()["payment"]
    assert created == {
        "currency": "EUR",
        "due": "40.00",
        "captured": "0.00",
        "refunded": "0.00",
        "outstanding": "40.00",
        "status": "unpaid",
    }
    api.post(f"/bookings/{reference}/payments", {"amount": "15.00"})
    listed = {b["reference"]: b for b in api.get("/bookings").json()["items"]}
    assert listed[reference]["payment"]["status"] == "partially_paid"
    assert listed[reference]["payment"]["outstanding"] == "25.00"
    assert api.get(f"/bookings/{reference}").json()["payment"]["captured"] == "15.00"


def test_the_list_reads_every_balance_in_its_own_query(api, offer, django_assert_max_num_queries):
    for _ in range(5):
        api.post(f"/bookings/{option(api, offer)}/payments", {"amount": "1.00"})
    with django_assert_max_num_queries(8):  # the same for 5 bookings as for 50
        assert len(api.get("/bookings").json()["items"]) == 5
