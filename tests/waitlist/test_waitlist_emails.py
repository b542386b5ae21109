"""The waiting list's emails, as the fan-out writes them: "you are number N" in the
visitor's language with their link; the offer with its deadline and link, instead of the
usual "reservation held" email; neither reads like a request pending approval."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tentative.bookings.actions import cancel_booking
from tentative.notifications.fanout import fan_out
from tentative.outbox.models import OutboxMessage
from tentative.waitlist.actions import offer_freed_places
from tests.factories import staff
from tests.waitlist.factories import full_date, join

pytestmark = pytest.mark.django_db


def emails() -> list[dict[str, object]]:
    fan_out(now=timezone.now(), limit=500)
    rows = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.EMAIL).order_by("id")
    return [row.payload for row in rows]


def test_joined_in_french_and_spanish_then_the_offer_in_french(org, settings):
    settings.PUBLIC_URL = "https://tickets.example.org"
    date, _t, held = full_date(org, capacity=1)
    zoe = join(org, date, "Zoe", language="fr")
    luis = join(org, date, "Luis", language="es")
    sent = emails()
    joined = [e for e in sent if e["template"] == "waitlist_joined"]
    assert [e["to"] for e in joined] == [["zoe@example.org"], ["luis@example.org"]]
    assert joined[0]["language"] == "fr"
    assert "Vous êtes numéro 1 sur la liste." in joined[0]["text"]  # type: ignore[operator]
    assert "Es el número 2" not in joined[1]["text"]  # type: ignore[operator]
    assert "Eres el número 2 de la lista." in joined[1]["text"]  # type: ignore[operator]
    assert f"https://tickets.example.org/o/{org.slug}/waiting-list/{luis.token}/" in str(
        joined[1]["text"]
    )
    for text in (e["text"] for e in joined):
        assert "approval" not in str(text) and "validation" not in str(text)

    OutboxMessage.objects.filter(kind=OutboxMessage.Kind.EMAIL).delete()
    cancel_booking(held[0].id, actor=staff(org), reason="r")
    offer_freed_places(now=timezone.now())
    zoe.refresh_from_db()
    sent = [e for e in emails() if e["to"] == ["zoe@example.org"]]
    assert [e["template"] for e in sent] == ["waitlist_offer"]  # not "option_created"
    text = str(sent[0]["text"])
    assert zoe.offer.reference in text and zoe.token in text
    assert "en attente de validation" in text  # "…pas une demande en attente de validation"
