"""Fan an event out into the emails and webhook deliveries it causes, in one transaction.

The event row and the rows it produces change together: either the event is marked done
and its emails and webhooks exist, or neither (a worker killed half-way leaves the event
pending and nothing else). The rendered email is stored in its row, so a retry sends the
very same message.

Topics and what they send (customer emails go to the booking's customer, staff emails to
the organisation's staff with an address plus `NotificationSettings.staff_addresses`):

    booking.created      request → request_received + staff_new_request, and
                         staff_appointment_request to the staff member an appointment
                         is with (when they have an account with an address);
                         option → option_created; confirmed → confirmed; quote → quote
    booking.converted    option → option_created; confirmed → confirmed
    booking.approved     approved (with the tickets when it went straight to confirmed)
    booking.declined     declined (the staff's reason is the message)
    booking.confirmed    confirmed (tickets, a QR code each, .ics)
    booking.extended     extended
    booking.expired      expired
    booking.cancelled    cancelled; + staff_customer_cancelled when the customer did it
    booking.reinstated   option → option_created; confirmed → confirmed
    booking.moved, booking.rescheduled   moved (payload "message": the staff's message)

An appointment's emails (request_received, approved, confirmed, moved, declined,
cancelled, expired) carry its .ics in every state: TENTATIVE, CONFIRMED or CANCELLED.

    booking.reminder     reminder                       (written by the sweep)
    booking.expiring     staff_expiring                 (written by the sweep); for a
                         request, staff_request_expiring to the staff member whose
                         time it asks (their account's address), else the managers
    booking.overdue      staff_overdue                  (written by the sweep)
    payment.requested    payment_request (payload: amount, currency, url, expires_at)
    refund.done          refunded; + staff_late_refund when a late payment was refunded;
                         none when the money went onto a coupon or a cancellation told it
    voucher.sent         coupon, to the voucher's address or its booking's customer
    reserve.release_soon reserve_release_soon to the reserve's users (`reserve_users`), the
                         day before its undrawn places return to general sale
    waitlist.joined      waitlist_joined to the visitor: their position, their link
    waitlist.offered     waitlist_offer: places held for them until a deadline, the link to
                         accept or decline (the offer's own booking.created sends nothing)
    customer.sign_in_link sign_in_link to the customer who asked it (a private topic: never
                         posted to a webhook)

Every event also goes to each active webhook endpoint of the organisation that chose it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime

from tentative.accounts.models import Organisation, StaffMembership
from tentative.bookings.models import LINE_WORDS, Booking, BookingLine
from tentative.catalog.models import EventDate, Resource
from tentative.core.money import minor_units
from tentative.inventory.selectors import reserve_users
from tentative.notifications import emails, webhooks
from tentative.notifications.models import NotificationSettings, WebhookEndpoint
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.outbox.retries import MAX_ATTEMPTS, backoff
from tentative.waitlist import selectors as waitlist_selectors
from tentative.waitlist.models import WaitlistEntry

log = logging.getLogger(__name__)

CUSTOMER, STAFF = "customer", "staff"

_BY_STATE = {
    "request": ["request_received", "staff_new_request"],
    "option": ["option_created"],
    "confirmed": ["confirmed"],
    "quote": ["quote"],
}
_FIXED = {
    topics.BOOKING_APPROVED: ["approved"],
    topics.BOOKING_DECLINED: ["declined"],
    topics.BOOKING_CONFIRMED: ["confirmed"],
    topics.BOOKING_EXTENDED: ["extended"],
    topics.BOOKING_EXPIRED: ["expired"],
    topics.BOOKING_MOVED: ["moved"],
    topics.BOOKING_RESCHEDULED: ["moved"],
    topics.BOOKING_REMINDER: ["reminder"],
    topics.BOOKING_EXPIRING: ["staff_expiring"],
    topics.BOOKING_OVERDUE: ["staff_overdue"],
    topics.PAYMENT_REQUESTED: ["payment_request"],
    topics.REFUND_DONE: ["refunded"],
    topics.WAITLIST_OFFERED: ["waitlist_offer"],
}
# Emails that carry the tickets when the booking is firm.
_WITH_TICKETS = {"confirmed", "approved", "moved"}
# An appointment's emails carry its .ics in every state (issue 13 item 5): the request,
# each confirmation or change, and the end, so the customer's calendar follows.
_WITH_CALENDAR = {
    "request_received",
    "approved",
    "confirmed",
    "moved",
    "declined",
    "cancelled",
    "expired",
}


def emails_for(topic: str, payload: dict[str, Any]) -> list[str]:
    state = payload.get("state", "")
    if topic == topics.BOOKING_CREATED and payload.get("notify") is False:
        return []  # staff chose not to send the confirmation now (seed 004)
    if topic in (topics.BOOKING_CREATED, topics.BOOKING_CONVERTED, topics.BOOKING_REINSTATED):
        names = _BY_STATE.get(state, [])
        if topic != topics.BOOKING_CREATED:
            names = [n for n in names if n in ("option_created", "confirmed")]
        return list(names)
    if payload.get("notify") is False:  # staff chose not to tell the customer (a move)
        return []
    if topic == topics.REFUND_DONE and payload.get("late"):
        return ["refunded", "staff_late_refund"]
    if topic == topics.BOOKING_EXPIRING and state == "request":
        return ["staff_request_expiring"]
    if topic == topics.BOOKING_CANCELLED:
        names = ["cancelled"]
        if payload.get("actor") == "customer":
            names.append("staff_customer_cancelled")
        return names
    return list(_FIXED.get(topic, []))


class Batch:
    """What a batch of events needs, loaded once: bookings, lines, staff, endpoints, templates."""

    def __init__(self, events: list[OutboxMessage]) -> None:
        booking_ids = {e.booking_id for e in events if e.booking_id}
        org_ids = {e.organisation_id for e in events}
        self.bookings = Booking.objects.select_related("organisation", "customer").in_bulk(
            booking_ids
        )
        self.lines: dict[int, list[BookingLine]] = defaultdict(list)
        for line in BookingLine.objects.filter(booking_id__in=booking_ids).select_related(
            *LINE_WORDS
        ):
            self.lines[line.booking_id].append(line)
        self.staff: dict[int, list[str]] = defaultdict(list)
        for org_id, address in StaffMembership.objects.filter(
            organisation_id__in=org_ids, user__is_active=True
        ).values_list("organisation_id", "user__email"):
            if address and address not in self.staff[org_id]:
                self.staff[org_id].append(address)
        for settings in NotificationSettings.objects.filter(organisation_id__in=org_ids):
            for address in settings.staff_addresses.split():
                if address not in self.staff[settings.organisation_id]:
                    self.staff[settings.organisation_id].append(address)
        self.endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
        for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=org_ids, active=True):
            self.endpoints[endpoint.organisation_id].append(endpoint)
        # The staff member with an account behind each appointment of a new request, who
        # is told in person (issue 13 item 4): resource id -> (address, name).
        requested = {
            line.resource_id
            for e in events
            if e.topic == topics.BOOKING_CREATED and e.payload.get("state") == "request"
            for line in self.lines.get(e.booking_id or 0, [])
            if line.resource_id
        }
        self.resource_staff: dict[int, tuple[str, str]] = {}
        if requested:
            for rid, address, name in Resource.objects.filter(
                id__in=requested, kind=Resource.Kind.STAFF, membership__user__is_active=True
            ).values_list("id", "membership__user__email", "name"):
                if address:
                    self.resource_staff[rid] = (address, name)
        self.overrides = emails.Overrides(org_ids)
        self.organisations = Organisation.objects.in_bulk(org_ids)
        # The bookings that are a waiting list's offers: their offer email says it all.
        created = {e.booking_id for e in events if e.topic == topics.BOOKING_CREATED}
        self.offers = (
            set(
                WaitlistEntry.objects.filter(offer_id__in=created).values_list(
                    "offer_id", flat=True
                )
            )
            if created
            else set()
        )


def plan(event: OutboxMessage, batch: Batch, *, now: datetime) -> list[OutboxMessage]:
    """The email and webhook rows one event causes (unsaved)."""
    rows = []
    booking = batch.bookings.get(event.booking_id) if event.booking_id else None
    if event.topic == topics.VOUCHER_SENT:
        rows.extend(_voucher_email(event, batch, booking, now=now))
    elif booking is not None:
        lines = batch.lines.get(booking.id, [])
        names = emails_for(event.topic, event.payload)
        if event.topic == topics.BOOKING_CREATED and booking.id in batch.offers:
            names = []
        for name in names:
            staff = name.startswith("staff_")
            if name == "staff_request_expiring":
                to = _deciders(booking, lines)
                language = emails.language_for_staff(booking.organisation)
            elif staff:
                to = batch.staff.get(booking.organisation_id, [])
                language = emails.language_for_staff(booking.organisation)
            else:
                to = [booking.customer.email] if booking.customer and booking.customer.email else []
                language = emails.language_for(booking)
            if not to:
                continue
            rendered = emails.render(
                booking,
                lines,
                name,
                language,
                event.payload,
                overrides=batch.overrides,
                with_tickets=name in _WITH_TICKETS and event.payload.get("state") == "confirmed",
                with_calendar=name in _WITH_CALENDAR and any(ln.is_timed for ln in lines),
                now=now,
            )
            rows.append(
                _row(
                    event,
                    OutboxMessage.Kind.EMAIL,
                    rendered.as_payload(to, name=name, language=language),
                    now,
                )
            )
        if event.topic == topics.BOOKING_CREATED and event.payload.get("state") == "request":
            rows.extend(_staff_member_emails(event, batch, booking, lines, now=now))
    elif event.topic == topics.CUSTOMER_SIGN_IN_LINK:
        rows.extend(_sign_in_link(event, batch, now=now))
    elif event.topic in _NOTICES:
        rows.extend(_notices(event, batch, now=now))
    elif event.topic == topics.WAITLIST_JOINED:
        rows.extend(_waitlist_joined(event, batch, now=now))
    organisation = batch.organisations[event.organisation_id]
    for endpoint in batch.endpoints.get(event.organisation_id, []):
        # A private topic (a sign-in link) goes to its one reader, never to a webhook.
        if event.topic not in topics.PRIVATE and endpoint.wants(event.topic):
            row = _row(event, OutboxMessage.Kind.WEBHOOK, {}, now)
            row.endpoint = endpoint
            body = webhooks.body_for(event, row, booking, batch.lines, organisation=organisation)
            row.payload = {"body": body}
            rows.append(row)
    return rows


_NOTICES = {topics.RESERVE_RELEASE_SOON: "reserve_release_soon"}


def _staff_member_emails(
    event: OutboxMessage,
    batch: Batch,
    booking: Booking,
    lines: list[BookingLine],
    *,
    now: datetime,
) -> list[OutboxMessage]:
    """A new appointment request, to the staff member it is with (if they have an account
    with an address), in the organisation's language, linking to the calendar."""
    rows = []
    seen: set[str] = set()
    language = emails.language_for_staff(booking.organisation)
    for line in lines:
        person = batch.resource_staff.get(line.resource_id or 0)
        if person is None or person[0] in seen:
            continue
        seen.add(person[0])
        extra = {
            "staff_name": person[1],
            "calendar_url": f"{django_settings.PUBLIC_URL}{reverse('calendar:calendar')}"
            f"?staff={line.resource_id}&show=pending",
        }
        rendered = emails.render(
            booking,
            lines,
            "staff_appointment_request",
            language,
            {**event.payload, **extra},
            overrides=batch.overrides,
            now=now,
        )
        payload = rendered.as_payload(
            [person[0]], name="staff_appointment_request", language=language
        )
        rows.append(_row(event, OutboxMessage.Kind.EMAIL, payload, now))
    return rows


def _deciders(booking: Booking, lines: list[BookingLine]) -> list[str]:
    """Who must decide on a request (issue 13): the staff members whose time it asks, by
    their accounts' addresses; when none has one, the owners and managers."""
    resource_ids = [line.resource_id for line in lines if line.resource_id]
    own = list(
        StaffMembership.objects.filter(
            id__in=Resource.objects.filter(id__in=resource_ids).values("membership_id"),
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if own:
        return sorted(set(own))
    return sorted(
        set(
            StaffMembership.objects.filter(
                organisation_id=booking.organisation_id,
                role__in=["owner", "manager"],
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _notices(event: OutboxMessage, batch: Batch, *, now: datetime) -> list[OutboxMessage]:
    """A reserve's notice: one email to the staff who may book from it, in the organisation's
    language, with the times in its zone."""
    organisation = batch.organisations[event.organisation_id]
    to = [u.email for u in reserve_users(event.payload["reserve"]) if u.email]
    if not to:
        return []
    language = emails.language_for_staff(organisation)
    date = EventDate.objects.select_related("event").get(id=event.payload["event_date"])
    with translation.override(language):
        context = {
            "reserve_name": event.payload["reserve_name"],
            "event": date.event.name,
            "starts_at": _local(date.starts_at, organisation),
            "release_at": _local(parse_datetime(event.payload["release_at"]), organisation),
            "left": event.payload.get("left", 0),
        }
    name = _NOTICES[event.topic]
    rendered = emails.render_notice(
        organisation, name, language, context, overrides=batch.overrides
    )
    payload = rendered.as_payload(to, name=name, language=language)
    return [_row(event, OutboxMessage.Kind.EMAIL, payload, now)]


def _waitlist_joined(event: OutboxMessage, batch: Batch, *, now: datetime) -> list[OutboxMessage]:
    """The visitor's "you are on the waiting list" email, in their language, with their
    position as it is when the email is written and the link to their page."""
    organisation = batch.organisations[event.organisation_id]
    entry = (
        WaitlistEntry.objects.select_related("event_date__event", "ticket_type", "organisation")
        .filter(id=event.payload.get("entry"))
        .first()
    )
    if entry is None:
        return []
    language = entry.language if entry.language in emails.LANGUAGES else "en"
    with translation.override(language):
        context = {
            "organisation": organisation.name,
            "customer": entry.name,
            "event": entry.event_date.event.name,
            "ticket": entry.ticket_type.name if entry.ticket_type else "",
            "date": _local(entry.event_date.starts_at, organisation),
            "quantity": entry.quantity,
            "partial": entry.accepts_partial,
            "position": waitlist_selectors.position(entry) or "",
            "url": waitlist_selectors.entry_url(entry),
        }
    rendered = emails.render_notice(
        organisation, "waitlist_joined", language, context, overrides=batch.overrides
    )
    payload = rendered.as_payload([entry.email], name="waitlist_joined", language=language)
    return [_row(event, OutboxMessage.Kind.EMAIL, payload, now)]


def _sign_in_link(event: OutboxMessage, batch: Batch, *, now: datetime) -> list[OutboxMessage]:
    """The personal space's sign-in link, in the language the visitor asked it in."""
    organisation = batch.organisations[event.organisation_id]
    payload = event.payload
    language = payload.get("language", "")
    if language not in emails.LANGUAGES:
        language = emails.language_for_staff(organisation)
    with translation.override(language):
        context = {
            "organisation": organisation.name,
            "customer": payload.get("name", ""),
            "url": payload["url"],
            "minutes": payload.get("minutes", 30),
        }
    rendered = emails.render_notice(
        organisation, "sign_in_link", language, context, overrides=batch.overrides
    )
    out = rendered.as_payload([payload["to"]], name="sign_in_link", language=language)
    return [_row(event, OutboxMessage.Kind.EMAIL, out, now)]


def _voucher_email(
    event: OutboxMessage, batch: Batch, booking: Booking | None, *, now: datetime
) -> list[OutboxMessage]:
    """The coupon email: its code, what is left on it and its expiry, in the customer's
    language when it came from a booking, else the organisation's."""
    organisation = batch.organisations[event.organisation_id]
    payload = event.payload
    language = emails.language_for(booking) if booking else emails.language_for_staff(organisation)
    with translation.override(language):
        amount = Decimal(payload["amount"])
        context = {
            "organisation": organisation.name,
            "customer": booking.customer.name if booking and booking.customer else "",
            "reference": booking.reference if booking else "",
            "code": payload["voucher"],
            "gift": payload.get("voucher_kind") == "gift",
            "amount": formats.number_format(amount, minor_units(payload["currency"])),
            "currency": payload["currency"],
            "expires": _local(parse_datetime(payload.get("expires_at") or ""), organisation),
        }
    rendered = emails.render_notice(
        organisation, "coupon", language, context, overrides=batch.overrides
    )
    payload_out = rendered.as_payload([payload["to"]], name="coupon", language=language)
    return [_row(event, OutboxMessage.Kind.EMAIL, payload_out, now)]


def _local(moment: datetime | None, organisation: Organisation) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment, organisation.zone), "DATETIME_FORMAT")


def _row(event: OutboxMessage, kind: str, payload: dict[str, Any], now: datetime) -> OutboxMessage:
    return OutboxMessage(
        organisation_id=event.organisation_id,
        booking_id=event.booking_id,
        event=event,
        kind=kind,
        topic=event.topic,
        payload=payload,
        available_at=now,
        created_at=now,
    )


def fan_out(*, now: datetime, limit: int = 50) -> int:
    """Fan out up to `limit` pending events; returns how many were handled.

    Events are locked with SKIP LOCKED (PostgreSQL), so several workers share the work; on
    SQLite the transaction takes the write lock at BEGIN, which serialises them. An event
    that cannot be rendered is retried with backoff like a delivery, then given up on.
    """
    due = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.EVENT, status=OutboxMessage.Status.PENDING, available_at__lte=now
    )
    if not due.exists():
        return 0  # a plain read: no write lock taken on SQLite while idle
    with transaction.atomic():
        events = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(kind=OutboxMessage.Kind.EVENT, status=OutboxMessage.Status.PENDING)
            .filter(available_at__lte=now)
            .order_by("available_at", "id")[:limit]
        )
        if not events:
            return 0
        batch = Batch(events)
        produced, done, failed = [], [], []
        for event in events:
            try:
                produced.extend(plan(event, batch, now=now))
                done.append(event.id)
            except Exception as error:  # a bad template must not block every other event
                log.exception("could not fan out event %s", event.id)
                failed.append((event, error))
        OutboxMessage.objects.bulk_create(produced, batch_size=500)
        OutboxMessage.objects.filter(id__in=done).update(
            status=OutboxMessage.Status.SENT, sent_at=now, last_error=""
        )
        for event, error in failed:
            event.attempts += 1
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
            if event.attempts >= MAX_ATTEMPTS[OutboxMessage.Kind.EVENT]:
                event.status = OutboxMessage.Status.DEAD
            else:
                event.available_at = now + backoff(event.attempts, event.message_id)
            event.save(update_fields=["attempts", "last_error", "status", "available_at"])
    return len(events)
