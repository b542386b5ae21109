"""Webhooks against a real HTTP server on 127.0.0.1: signed, retried, logged, re-sendable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tentative.bookings import actions
from tentative.notifications import webhooks
from tentative.notifications.actions import resend
from tentative.notifications.models import WebhookEndpoint
from tentative.outbox.models import OutboxMessage
from tentative.worker.loop import drain
from tests.factories import OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def confirmed_booking(org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=30))
    owner = staff(org)
    with time_machine.travel(T0, tick=False):
        booking = book(owner, date, ticket, quantity=2)
        actions.confirm_booking(booking.id, actor=owner)
    return booking


def test_a_delivery_is_signed_and_carries_a_stable_id(org, receiver):
    endpoint = WebhookEndpoint.objects.create(
        organisation=org, url=receiver.url, topics=["booking.confirmed"]
    )
    booking = confirmed_booking(org)
    with time_machine.travel(T0, tick=False):
        drain()
        [(headers, body)] = receiver.requests
        assert webhooks.verify(endpoint.secret, headers["Tentative-Signature"], body)
        assert not webhooks.verify("another secret", headers["Tentative-Signature"], body)
        assert not webhooks.verify(endpoint.secret, headers["Tentative-Signature"], body + b" ")
    # An old signature is refused: a replayed request.
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        assert not webhooks.verify(endpoint.secret, headers["Tentative-Signature"], body)
    row = OutboxMessage.objects.get(kind="webhook")
    assert headers["Tentative-Message-Id"] == str(row.message_id)
    assert headers["Tentative-Topic"] == "booking.confirmed"
    assert headers["Tentative-Signature"].startswith(f"t={int(T0.timestamp())},v1=")
    sent = receiver.json(0)
    assert sent["id"] == str(row.message_id) and sent["topic"] == "booking.confirmed"
    assert sent["data"]["booking"] == booking.reference
    assert (sent["data"]["state"], sent["data"]["from_state"]) == ("confirmed", "option")
    assert sent["data"]["lines"][0]["quantity"] == 2
    assert sent["organisation"] == org.slug


def test_failures_are_retried_with_backoff_under_the_same_id(org, receiver):
    WebhookEndpoint.objects.create(organisation=org, url=receiver.url, topics=["booking.created"])
    receiver.statuses = [500, 503]
    confirmed_booking(org)
    moments = [T0, T0 + timedelta(seconds=40), T0 + timedelta(minutes=3)]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            drain()
    created = OutboxMessage.objects.get(kind="webhook", topic="booking.created")
    assert created.status == "sent"
    assert list(created.tries.values_list("ok", "status_code")) == [
        (False, 500),
        (False, 503),
        (True, 200),
    ]
    ids = [h["Tentative-Message-Id"] for h, _ in receiver.requests]
    assert ids.count(str(created.message_id)) == 3
    stamps = {h["Tentative-Signature"].split(",")[0] for h, _ in receiver.requests}
    assert len(stamps) == 3  # each try signs with its own time


def test_a_client_error_gives_up_and_a_resend_delivers_it(org, receiver):
    WebhookEndpoint.objects.create(organisation=org, url=receiver.url, topics=["booking.created"])
    receiver.statuses = [410]
    confirmed_booking(org)
    with time_machine.travel(T0, tick=False):
        drain()
        row = OutboxMessage.objects.get(kind="webhook")
        assert (row.status, row.last_error) == ("dead", "HTTP 410")
        assert resend(row.id, now=T0)
        drain()
    row.refresh_from_db()
    assert row.status == "sent" and row.tries.count() == 2
    assert len(receiver.requests) == 2


def test_only_the_organisations_active_endpoints_that_chose_the_topic_receive_it(org, receiver):
    WebhookEndpoint.objects.create(organisation=org, url=receiver.url + "/all")
    WebhookEndpoint.objects.create(
        organisation=org, url=receiver.url + "/cancelled", topics=["booking.cancelled"]
    )
    WebhookEndpoint.objects.create(organisation=org, url=receiver.url + "/off", active=False)
    WebhookEndpoint.objects.create(organisation=OrganisationFactory(), url=receiver.url + "/other")
    confirmed_booking(org)
    with time_machine.travel(T0, tick=False):
        drain()
    topics = sorted(h["Tentative-Topic"] for h, _ in receiver.requests)
    assert topics == ["booking.confirmed", "booking.created"]
    assert OutboxMessage.objects.filter(kind="webhook").count() == 2


def test_payment_and_refund_webhooks_carry_the_money(org, receiver):
    """A receiver books the money from the webhook alone: amount, currency, provider."""
    from decimal import Decimal

    from tentative.payments import actions as payments

    WebhookEndpoint.objects.create(
        organisation=org, url=receiver.url, topics=["payment.captured", "refund.done"]
    )
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=30))
    owner = staff(org)
    with time_machine.travel(T0, tick=False):
        booking = book(owner, date, ticket, quantity=2)
        paid = payments.record_payment(booking.id, actor=owner, amount=Decimal("40.00"))
        payments.refund_payment(paid.reference, actor=owner, amount=Decimal("5.00"))
        drain()
    captured, refunded = receiver.json(0), receiver.json(1)
    assert captured["topic"] == "payment.captured"
    assert {k: captured["data"][k] for k in ("payment", "amount", "currency", "method")} == {
        "payment": paid.reference,
        "amount": "40.00",
        "currency": "EUR",
        "method": "cash",
    }
    assert refunded["topic"] == "refund.done"
    assert (refunded["data"]["amount"], refunded["data"]["currency"]) == ("5.00", "EUR")
    assert refunded["data"]["pay_back_yourself"] is True


def test_a_card_payment_webhook_says_the_amount_in_the_currencys_decimals(org, receiver):
    from decimal import Decimal

    from tentative.payments import actions as payments
    from tentative.payments.models import Payment
    from tests.payments.helpers import notification

    WebhookEndpoint.objects.create(organisation=org, url=receiver.url, topics=["payment.captured"])
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=30))
    owner = staff(org)
    with time_machine.travel(T0, tick=False):
        booking = book(owner, date, ticket, quantity=2)
        card = payments.record_payment(
            booking.id, actor=owner, amount=Decimal("40.00"), method=Payment.Method.CARD
        )
        payments.receive_notification("simulated", *notification(card, "captured", event_id="e1"))
        drain()
    data = receiver.json(0)["data"]
    assert (data["amount"], data["captured"], data["provider"]) == ("40.00", "40.00", "simulated")
    assert (data["from"], data["to"]) == ("created", "captured")
