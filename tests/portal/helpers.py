"""Personas and steps for the personal space's tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils import timezone

from tentative.notifications.fanout import fan_out
from tentative.outbox.models import OutboxMessage


def space(org) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{org.slug}/me/"


def ask_link(client, org, email: str, **headers):  # type: ignore[no-untyped-def]
    return client.post(f"{space(org)}sign-in/", {"email": email}, **headers)


def emailed_link(email: str) -> str:
    """The sign-in link of the latest email to `email`, as the fan-out rendered it."""
    fan_out(now=timezone.now())
    row = (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.EMAIL, payload__template="sign_in_link"
        )
        .order_by("-id")
        .first()
    )
    assert row is not None and row.payload["to"] == [email]
    found = re.search(r"https?://\S+", row.payload["text"])
    assert found
    return found.group(0)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, org, email: str) -> None:  # type: ignore[no-untyped-def]
    """Ask a link, open it, press the button: signed in."""
    assert ask_link(client, org, email).status_code == 200
    link = path_of(emailed_link(email))
    page = client.get(link)
    assert page.status_code == 200
    token = re.search(r'name="sesame" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
    done = client.post(link.split("?")[0], {"sesame": token})
    assert done.status_code == 302, done.content


def token_of(url: str) -> str:
    return re.search(r"sesame=([^&]+)", url).group(1)  # type: ignore[union-attr]
