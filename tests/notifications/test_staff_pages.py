"""The staff pages: counters, sent mail (with the demo's catch-all), webhooks, templates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.models import CaughtMail, EmailTemplate, WebhookEndpoint
from tentative.notifications.selectors import dashboard_counts
from tentative.outbox.models import OutboxMessage
from tentative.worker.loop import drain
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrganisationFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    membership = MembershipFactory(organisation=org, role=role)
    client.force_login(membership.user)
    return client


def test_the_counters_count_what_is_there_now(org):
    owner = staff(org)
    now = timezone.now()
    soon, _ = on_sale(org, starts_at=now + timedelta(days=30), deadline_days_after_booking=1)
    ticket = soon.event.ticket_types.get()
    request_date, request_ticket = on_sale(org, requires_approval=True)
    book(owner, request_date, request_ticket, mode=State.REQUEST)
    book(owner, soon, ticket, now=now)  # deadline in 24 h
    book(owner, soon, ticket, now=now - timedelta(days=2))  # overdue (not yet swept)
    other = OrganisationFactory()
    book(staff(other), *on_sale(other), mode=State.REQUEST)  # not ours: not counted
    assert dashboard_counts(org.id, now=now) == {
        "pending_requests": 1,
        "pending_appointments": 0,  # a ticket request is with no staff member
        "expiring_soon": 1,
        "overdue": 1,
    }


def test_the_demo_keeps_mail_and_staff_read_it(client, org, settings):
    settings.EMAIL_BACKEND = "tentative.notifications.backends.CatchAllBackend"
    date, ticket = on_sale(org)
    customer = CustomerFactory(organisation=org, language="en")
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED, customer_id=customer.id)
    drain()
    caught = CaughtMail.objects.get()
    row = OutboxMessage.objects.get(kind="email")
    assert str(row.message_id) in caught.message_id and caught.to == customer.email
    signed_in(client, org)
    listing = client.get("/staff/notifications/mail/").content.decode()
    assert booking.reference in listing and customer.email in listing
    page = client.get(f"/staff/notifications/mail/{row.id}/").content.decode()
    assert "is confirmed" in page and "Download as .eml" in page
    raw = client.get(f"/staff/notifications/mail/{row.id}/raw/")
    assert raw["Content-Type"] == "message/rfc822" and booking.reference.encode() in raw.content


def test_staff_see_only_their_organisations_mail(client, org):
    other = OrganisationFactory()
    date, ticket = on_sale(other)
    book(staff(other), date, ticket, customer_id=CustomerFactory(organisation=other).id)
    drain()
    row = OutboxMessage.objects.get(kind="email")
    signed_in(client, org)
    assert client.get(f"/staff/notifications/mail/{row.id}/").status_code == 404
    assert row.payload["subject"] not in client.get("/staff/notifications/mail/").content.decode()


def test_a_manager_registers_an_endpoint_and_resends_a_delivery(client, org, receiver):
    signed_in(client, org, Role.MANAGER)
    answer = client.post(
        "/staff/notifications/webhooks/",
        {"url": receiver.url, "description": "CRM", "topics": ["booking.created"], "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get(organisation=org)
    assert answer.status_code == 302 and endpoint.topics == ["booking.created"]
    date, ticket = on_sale(org)
    book(staff(org), date, ticket)
    drain()
    delivery = OutboxMessage.objects.get(kind="webhook")
    log = client.get(f"/staff/notifications/webhooks/{endpoint.id}/").content.decode()
    assert "booking.created" in log and "sent" in log
    detail = client.get(f"/staff/notifications/webhooks/deliveries/{delivery.id}/").content.decode()
    assert str(delivery.message_id) in detail and "delivered" in detail
    assert client.post(f"/staff/notifications/messages/{delivery.id}/resend/").status_code == 302
    drain()
    assert len(receiver.requests) == 2
    assert {h["Tentative-Message-Id"] for h, _ in receiver.requests} == {str(delivery.message_id)}


def test_an_agent_may_look_but_not_change_endpoints(client, org):
    signed_in(client, org, Role.AGENT)
    assert client.get("/staff/notifications/webhooks/").status_code == 200
    denied = client.post("/staff/notifications/webhooks/", {"url": "https://example.org/h"})
    assert denied.status_code == 403 and not WebhookEndpoint.objects.exists()


def test_an_endpoint_must_be_http(client, org):
    signed_in(client, org)
    page = client.post("/staff/notifications/webhooks/", {"url": "ftp://example.org/x"})
    assert page.status_code == 200 and not WebhookEndpoint.objects.exists()


def test_staff_edit_a_template_and_reset_it(client, org):
    signed_in(client, org)
    url = "/staff/notifications/templates/reminder/fr/"
    assert "Rappel" in client.get(url).content.decode()
    refused = client.post(url, {"subject": "{% load static %}", "body": "x"})
    assert refused.status_code == 200 and not EmailTemplate.objects.exists()
    client.post(url, {"subject": "Rappel {{ reference }}", "body": "Avant le {{ deadline }}."})
    assert EmailTemplate.objects.get().subject == "Rappel {{ reference }}"
    client.post(url, {"reset": "1", "subject": "x", "body": "x"})
    assert not EmailTemplate.objects.exists()
    assert client.get("/staff/notifications/templates/nope/fr/").status_code == 404


def test_the_dashboard_shows_the_counters(client, org):
    date, ticket = on_sale(org, requires_approval=True)
    book(staff(org), date, ticket, mode=State.REQUEST)
    signed_in(client, org)
    page = client.get("/staff/notifications/").content.decode()
    assert '<span class="n" id="pending-requests">1</span>' in page


def test_a_manager_sets_the_reminder_schedule(client, org):
    from tentative.notifications.models import NotificationSettings

    signed_in(client, org, Role.MANAGER)
    page = client.get("/staff/notifications/settings/").content.decode()
    assert 'value="7d, 2d, 6h"' in page
    bad = client.post(
        "/staff/notifications/settings/", {"reminders": "7 days", "staff_warning_hours": 24}
    )
    assert bad.status_code == 200 and "d, h or m" in bad.content.decode()
    client.post(
        "/staff/notifications/settings/",
        {"reminders": "90m, 3d", "staff_warning_hours": 12, "staff_addresses": "a@example.org"},
    )
    own = NotificationSettings.objects.get(organisation=org)
    assert own.reminder_schedule == [3 * 86400, 90 * 60]
    assert own.staff_warning == timedelta(hours=12) and own.staff_addresses == "a@example.org"
