"""Rendering an email: which language, which words, the HTML around them, the attachments.

Each email is a subject line and a plain-text body, per language, written as a small
Django template: the file default `templates/notifications/email/<lang>/<name>.txt` (first
line the subject, then a blank line, then the body), or the organisation's own version
(`EmailTemplate`). The HTML part wraps that same text in one layout, adding the QR codes of
the tickets, so staff edit one text and both parts agree.

Templates see plain data only (strings, numbers, lists of dicts), never model instances, so
a template edited by staff cannot reach into the database. Rendering happens when the
worker fans an event out, and the result is stored in the email row: every retry sends the
same bytes under the same Message-ID.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking, BookingLine
from tentative.core.money import minor_units
from tentative.notifications import tickets as ticketing
from tentative.notifications.links import manage_url
from tentative.notifications.models import EmailTemplate

LANGUAGES = ("en", "fr", "es")
TEMPLATE_DIR = Path(__file__).parent / "templates" / "notifications" / "email"

# name -> what staff see when they pick a template to edit.
CUSTOMER_EMAILS = {
    "request_received": _("Request received, pending approval"),
    "approved": _("Request approved"),
    "declined": _("Request declined or not accepted"),
    "quote": _("Quote"),
    "option_created": _("Option or reservation created, with its deadline"),
    "extended": _("Deadline extended"),
    "reminder": _("Reminder before a deadline"),
    "expired": _("Expired, places released"),
    "confirmed": _("Confirmed, with tickets"),
    "cancelled": _("Cancelled"),
    "moved": _("Moved or rescheduled"),
    "payment_request": _("Payment request"),
    "refunded": _("Refund (also a late payment refunded)"),
    "waitlist_offer": _("Waiting list: places offered, with a deadline"),
}
STAFF_EMAILS = {
    "staff_new_request": _("Staff: new request awaiting approval"),
    "staff_appointment_request": _("Staff member: a new appointment request with them"),
    "staff_expiring": _("Staff: option about to expire"),
    "staff_request_expiring": _("Staff: a request awaits a decision before it expires"),
    "staff_overdue": _("Staff: option overdue"),
    "staff_customer_cancelled": _("Staff: customer cancelled"),
    "staff_late_refund": _("Staff: a late payment was refunded"),
}
# About no booking: rendered by `render_notice` with a context of their own.
NOTICE_EMAILS = {
    "reserve_release_soon": _("Staff: a reserve's unbooked places return to sale tomorrow"),
    "coupon": _("Coupon or gift voucher, with its code (sent from the coupon list)"),
    "waitlist_joined": _("Waiting list: joined, with the position in the queue"),
    "sign_in_link": _("Sign-in link to the customer's personal space"),
}
ALL_EMAILS = {**CUSTOMER_EMAILS, **STAFF_EMAILS, **NOTICE_EMAILS}

# Tags that would let an edited template reach other templates or the context's internals.
_FORBIDDEN = re.compile(r"{%\s*(load|include|extends|debug|ssi|block)\b")

_ENGINE = Engine(autoescape=False, string_if_invalid="", loaders=[])


class TemplateRejected(ValueError):
    pass


def compile_text(source: str) -> Template:
    """Compile a subject or body; refuses the tags staff must not use."""
    if _FORBIDDEN.search(source):
        raise TemplateRejected(_("load, include, extends, block and debug are not allowed."))
    try:
        return _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateRejected(str(error)) from None


@lru_cache(maxsize=256)
def default_source(name: str, language: str) -> tuple[str, str]:
    """(subject, body) of the file default."""
    text = (TEMPLATE_DIR / language / f"{name}.txt").read_text(encoding="utf-8")
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


@lru_cache(maxsize=256)
def _compiled_default(name: str, language: str) -> tuple[Template, Template]:
    subject, body = default_source(name, language)
    return compile_text(subject), compile_text(body)


def language_for(booking: Booking) -> str:
    """The customer's language, else the booking's, else the organisation's."""
    for candidate in (
        booking.customer.language if booking.customer else "",
        booking.language,
        booking.organisation.default_language,
    ):
        if candidate in LANGUAGES:
            return candidate
    return "en"


def language_for_staff(organisation: Organisation) -> str:
    """Staff read the organisation's language."""
    language = organisation.default_language
    return language if language in LANGUAGES else "en"


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    inline: list[dict[str, str]] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)

    def as_payload(self, to: list[str], *, name: str, language: str) -> dict[str, Any]:
        return {
            "to": to,
            "template": name,
            "language": language,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "inline": self.inline,
            "attachments": self.attachments,
        }


class Overrides:
    """The organisations' own templates, loaded once per fan-out batch."""

    def __init__(self, organisation_ids: set[int]) -> None:
        self._rows = {
            (t.organisation_id, t.name, t.language): t
            for t in EmailTemplate.objects.filter(organisation_id__in=organisation_ids)
        }
        self._compiled: dict[tuple[int, str, str], tuple[Template, Template]] = {}

    def templates(self, organisation_id: int, name: str, language: str) -> tuple[Template, ...]:
        key = (organisation_id, name, language)
        row = self._rows.get(key)
        if row is None:
            return _compiled_default(name, language)
        if key not in self._compiled:
            try:
                self._compiled[key] = (compile_text(row.subject), compile_text(row.body))
            except TemplateRejected:
                # Saved before a rule tightened: fall back rather than send nothing.
                self._compiled[key] = _compiled_default(name, language)
        return self._compiled[key]


def render(
    booking: Booking,
    lines: list[BookingLine],
    name: str,
    language: str,
    event: dict[str, Any],
    *,
    overrides: Overrides,
    with_tickets: bool = False,
    with_calendar: bool = False,
    now: datetime,
) -> Rendered:
    """`with_tickets`: the QR codes and the .ics of a firm booking; `with_calendar`: an
    appointment's .ics whatever its state, with that state (`tickets.ICS_STATUS`)."""
    context = context_for(booking, lines, language, event, with_tickets=with_tickets)
    subject, text = _texts(booking.organisation_id, name, language, context, overrides)
    rendered = Rendered(subject=subject, text=text, html="")
    codes = context["tickets"] if with_tickets else []
    images = []
    for index, code in enumerate(codes[: ticketing.MAX_QR_IMAGES], start=1):
        cid = f"ticket-{index}"
        images.append({"code": code, "cid": cid})
        rendered.inline.append(
            {
                "cid": cid,
                "filename": f"{code}.png",
                "mimetype": "image/png",
                "content": _b64(ticketing.qr_png(code)),
            }
        )
    if with_tickets and lines:
        rendered.attachments.append(
            {
                "filename": f"{booking.reference}.ics",
                "mimetype": "text/calendar",
                "content": _b64(
                    ticketing.ics(booking, lines, zone=booking.organisation.zone, now=now)
                ),
            }
        )
    elif with_calendar and lines:
        state = event.get("state", booking.state)
        rendered.attachments.append(
            {
                "filename": f"{booking.reference}.ics",
                "mimetype": "text/calendar",
                "content": _b64(
                    ticketing.ics(
                        booking,
                        lines,
                        zone=booking.organisation.zone,
                        now=now,
                        status=ticketing.ICS_STATUS.get(state, "TENTATIVE"),
                    )
                ),
            }
        )
    rendered.html = _html(language, booking.organisation.name, subject, text, images)
    return rendered


def render_notice(
    organisation: Organisation,
    name: str,
    language: str,
    context: dict[str, Any],
    *,
    overrides: Overrides,
) -> Rendered:
    """An email about no one booking (e.g. a reserve's release notice to its staff)."""
    subject, text = _texts(organisation.id, name, language, context, overrides)
    return Rendered(
        subject=subject, text=text, html=_html(language, organisation.name, subject, text, [])
    )


def _texts(
    organisation_id: int, name: str, language: str, context: dict[str, Any], overrides: Overrides
) -> tuple[str, str]:
    subject_t, body_t = overrides.templates(organisation_id, name, language)
    with translation.override(language):
        # Plain text: nothing is HTML-escaped here; the HTML part escapes it once.
        # One line; not str.split(), which would turn French's non-breaking spaces (before
        # ":" and "?") into ordinary ones.
        rendered = subject_t.render(Context(context, autoescape=False))
        subject = re.sub(r"[ \t\r\n\f\v]+", " ", rendered).strip()[:250]
        text = body_t.render(Context(context, autoescape=False)).strip() + "\n"
    return subject, text


def _html(
    language: str, organisation: str, subject: str, text: str, tickets: list[dict[str, str]]
) -> str:
    with translation.override(language):
        return render_to_string(
            "notifications/email/layout.html",
            {
                "language": language,
                "organisation": organisation,
                "subject": subject,
                "body": text,
                "tickets": tickets,
            },
        )


def context_for(
    booking: Booking,
    lines: list[BookingLine],
    language: str,
    event: dict[str, Any],
    *,
    with_tickets: bool,
) -> dict[str, Any]:
    org = booking.organisation
    with translation.override(language):

        def when(moment: datetime | str | None) -> str:
            if isinstance(moment, str):
                moment = datetime.fromisoformat(moment)
            if moment is None:
                return ""
            local = timezone.localtime(moment, org.zone)
            return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({org.time_zone})"

        def money(amount: Decimal | str | None) -> str:
            if amount in (None, ""):
                return ""
            places = minor_units(booking.currency)
            return formats.number_format(Decimal(amount), places)

        deadline = when(booking.deadline_shown)
        items = [
            {
                "quantity": line.quantity,
                "ticket": line.item,
                "event": line.title,
                "with": line.resource_name,
                "date": when(line.starts_at),
                "deadline": deadline,
            }
            for line in sorted(lines, key=lambda ln: ln.id)
        ]
        codes = [t.code for t in ticketing.ticket_codes(booking, lines)] if with_tickets else []
        return {
            "organisation": org.name,
            "reference": booking.reference,
            "customer": booking.customer.name if booking.customer else "",
            "customer_email": booking.customer.email if booking.customer else "",
            "state": event.get("state", booking.state),
            "total": money(booking.total),
            "currency": booking.currency,
            "items": items,
            "items_text": "\n".join(
                f"- {i['quantity']} × {i['ticket']} — {i['event']}"
                + (f" ({i['with']})" if i["with"] else "")
                + f", {i['date']}"
                for i in items
            ),
            "deadline": deadline,
            "deadline_rule": booking.deadline_rule,
            "from_state": event.get("from_state", ""),
            "reason": event.get("reason", ""),
            # A decline's reason is its message; a move's reason is a private note, so a
            # move always says which message (perhaps none) the customer reads.
            "message": event["message"] if "message" in event else event.get("reason", ""),
            "tickets": codes,
            "tickets_text": "\n".join(codes),
            "amount": money(event.get("amount")),
            "late": bool(event.get("late")),
            "url": event.get("url", ""),
            # The booking's page in the personal space (pay, cancel, tickets, receipt).
            "manage_url": manage_url(booking),
            # The link is paid with the simulated card processor: every email says so.
            "simulated": bool(event.get("simulated")),
            "expires": when(event.get("expires_at")),
            "actor": event.get("actor", ""),
            # A cancellation with money (payments.cancel_with_money).
            "refund": money(event.get("refund")),
            "coupon": event.get("coupon", ""),
            "coupon_amount": money(event.get("coupon_amount")),
            "coupon_expires": when(event.get("coupon_expires_at") or None),
            "recredited": money(event.get("recredited")),
            # An appointment request told to the staff member it is with (fanout).
            "staff_name": event.get("staff_name", ""),
            "calendar_url": event.get("calendar_url", ""),
        }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
