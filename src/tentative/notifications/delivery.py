"""Talking to the outside world: SMTP and HTTP. Never called inside a transaction.

`deliver_email` and `deliver_webhook` make one attempt and say how it went; the worker
records the attempt and decides on a retry. Failures that retrying cannot fix (an SMTP 5xx
refusal, an HTTP 4xx other than 408/429) are reported as permanent.
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import time
import urllib.error
import urllib.request
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection

from tentative.notifications import egress, webhooks
from tentative.outbox.models import OutboxMessage
from tentative.outbox.retries import Outcome

RESPONSE_KEPT = 1000  # characters of a receiver's answer kept in the log


def message_id_header(message: OutboxMessage) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "tentative.invalid"
    return f"<{message.message_id}@{domain}>"


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The message exactly as stored at fan-out, with its stable Message-ID."""
    payload: dict[str, Any] = message.payload
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        headers={
            "Message-ID": message_id_header(message),
            "Content-Language": payload.get("language", "en"),
            "Auto-Submitted": "auto-generated",
        },
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    if payload.get("inline"):
        # The QR images are referenced from the HTML by Content-ID.
        email.mixed_subtype = "related"
        for part in payload["inline"]:
            image = MIMEImage(base64.b64decode(part["content"]), _subtype="png")
            image.add_header("Content-ID", f"<{part['cid']}>")
            image.add_header("Content-Disposition", "inline", filename=part["filename"])
            email.attach(image)
    for part in payload.get("attachments", []):
        maintype, subtype = part["mimetype"].split("/", 1)
        if maintype == "text":
            email.attach(
                part["filename"], base64.b64decode(part["content"]).decode(), part["mimetype"]
            )
        else:
            attachment = MIMEBase(maintype, subtype)
            attachment.set_payload(base64.b64decode(part["content"]))
            email.attach(attachment)
    return email


def deliver_email(message: OutboxMessage, connection_: Any) -> Outcome:
    """One SMTP attempt over a connection of Django's email backend (opened on first use)."""
    _not_in_a_transaction()
    try:
        email = build_email(message)
    except Exception as error:  # a malformed row: retrying cannot fix it
        return Outcome(ok=False, permanent=True, error=f"cannot build: {error!r}"[:2000])
    try:
        if getattr(connection_, "connection", True) is None:
            connection_.open()  # kept open for the rest of the batch
        sent = connection_.send_messages([email])
    except smtplib.SMTPResponseException as error:
        return Outcome(
            ok=False,
            permanent=500 <= error.smtp_code < 600,
            status_code=error.smtp_code,
            error=f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:2000],
        )
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        return Outcome(
            ok=False,
            permanent=all(500 <= c < 600 for c in codes),
            status_code=codes[0] if codes else None,
            error=f"recipients refused: {error.recipients!r}"[:2000],
        )
    except (OSError, smtplib.SMTPException) as error:
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:2000])
    if not sent:
        return Outcome(ok=False, error="the backend sent nothing")
    return Outcome(ok=True, status_code=250)


def deliver_webhook(message: OutboxMessage, *, timeout: float) -> Outcome:
    """One signed POST to the endpoint; any 2xx is a success."""
    _not_in_a_transaction()
    endpoint = message.endpoint
    if endpoint is None or not endpoint.active:
        return Outcome(ok=False, permanent=True, error="the endpoint was removed or disabled")
    try:
        body = json.dumps(message.payload["body"], separators=(",", ":"), sort_keys=True).encode()
    except (KeyError, TypeError, ValueError) as error:
        return Outcome(ok=False, permanent=True, error=f"cannot build: {error!r}"[:2000])
    request = urllib.request.Request(  # noqa: S310 - staff-registered http(s) URL, checked on save
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Tentative-Webhooks/1",
            "Tentative-Topic": message.topic,
            "Tentative-Message-Id": str(message.message_id),
            webhooks.SIGNATURE_HEADER: webhooks.signature(endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with egress.urlopen(request, timeout=timeout) as answer:
            text = answer.read(RESPONSE_KEPT).decode("utf-8", "replace")
            return Outcome(ok=True, status_code=answer.status, response=text)
    except urllib.error.HTTPError as error:
        text = error.read(RESPONSE_KEPT).decode("utf-8", "replace")
        return Outcome(
            ok=False,
            permanent=400 <= error.code < 500 and error.code not in (408, 409, 425, 429),
            status_code=error.code,
            error=f"HTTP {error.code}",
            response=text,
        )
    except urllib.error.URLError as error:
        # A private address stays private: retrying would not help (egress.py).
        permanent = isinstance(error.reason, egress.PrivateAddress)
        return Outcome(ok=False, permanent=permanent, error=f"URLError: {error.reason}"[:2000])
    except (TimeoutError, OSError) as error:
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:2000])


class EmailCourier:
    """The emails of one batch over one SMTP connection, opened at the first email and
    opened afresh after a failed one (the connection may be unusable after an error)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.smtp: Any = None

    def deliver(self, message: OutboxMessage) -> Outcome:
        if self.smtp is None:
            self.smtp = get_connection(timeout=self.timeout)
        outcome = deliver_email(message, self.smtp)
        if not outcome.ok:
            self.close()
        return outcome

    def close(self) -> None:
        if self.smtp is not None:
            # A broken connection may fail to close; there is nothing more to do with it.
            with contextlib.suppress(Exception):
                self.smtp.close()
            self.smtp = None


class WebhookCourier:
    """Webhooks one POST each: nothing is kept between them."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def deliver(self, message: OutboxMessage) -> Outcome:
        return deliver_webhook(message, timeout=self.timeout)

    def close(self) -> None:
        pass


def _not_in_a_transaction() -> None:
    # The rule (STYLE.md): no SMTP or HTTP while holding database locks. The atomic block
    # a Django TestCase wraps each test in is not a transaction of ours (Django's own
    # durable check skips it the same way).
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError("deliver_* must not run inside a transaction")
