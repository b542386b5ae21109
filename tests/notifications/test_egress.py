"""Webhooks go to public addresses only, checked when saved and on the connected socket."""

from __future__ import annotations

import pytest
from django.test import Client

from tentative.core.permissions import Role
from tentative.notifications import egress
from tentative.notifications.models import WebhookEndpoint
from tentative.outbox.models import OutboxMessage
from tentative.worker.loop import drain
from tests.factories import MembershipFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::6810:85e5", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not to bind
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4 in IPv6 clothing
        ("224.0.0.1", False),
    ],
)
def test_what_counts_as_public(address, public):
    assert egress.is_public(address) is public


def test_a_delivery_to_a_private_address_is_refused_for_good(org, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # the default: the receiver is on 127.0.0.1
    WebhookEndpoint.objects.create(organisation=org, url=receiver.url)
    date, ticket = on_sale(org)
    book(staff(org), date, ticket)
    drain()
    assert receiver.requests == []
    delivery = OutboxMessage.objects.get(kind="webhook")
    assert delivery.status == OutboxMessage.Status.DEAD  # not retried
    assert "not a public address" in delivery.last_error


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "https://169.254.169.254/latest", "http://[::1]/h"]
)
def test_staff_cannot_register_a_private_address(org, url):
    client = Client()
    client.force_login(MembershipFactory(organisation=org, role=Role.OWNER).user)
    page = client.post("/staff/notifications/webhooks/", {"url": url})
    assert page.status_code == 200
    assert "private address" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()
