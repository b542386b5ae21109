"""The emails, as a real SMTP server receives them: who, which language, what they carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from tentative.bookings import actions, errors
from tentative.bookings.models import Booking, BookingLine
from tentative.core.states import State
from tentative.notifications import emails
from tentative.notifications.models import EmailTemplate
from tentative.outbox import events as outbox
from tentative.outbox.models import OutboxMessage
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, book, on_sale, staff
from tests.notifications.helpers import decode_qr, html_of, parts, text_of

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def org(org):  # type: ignore[no-untyped-def]
    org.default_language = "fr"
    org.save()
    return org


def customer(org, language="", email=None):  # type: ignore[no-untyped-def]
    extra = {"email": email} if email else {}
    return CustomerFactory(organisation=org, language=language, **extra)


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "we have received your request"),
        ("fr", "nous avons bien reçu votre demande"),
        ("es", "hemos recibido tu solicitud"),
    ],
)
def test_a_request_tells_the_customer_in_their_language(org, smtp, language, subject):
    date, ticket = on_sale(org, requires_approval=True)
    who = customer(org, language)
    booking = book(staff(org), date, ticket, mode=State.REQUEST, customer_id=who.id)
    drain()
    [message] = smtp.received
    assert message["To"] == who.email
    colon = "\u00a0:" if language == "fr" else ":"  # French: a non-breaking space before
    assert message["Subject"] == f"{org.name}{colon} {subject} {booking.reference}"
    assert message["Content-Language"] == language
    assert booking.reference in text_of(message) and booking.reference in html_of(message)


def test_without_a_language_the_customer_reads_the_organisations(org, smtp):
    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket, customer_id=customer(org).id)
    assert booking.language == "fr"
    drain()
    [message] = smtp.received
    assert "votre réservation" in message["Subject"]
    assert message["Content-Language"] == "fr"


def test_an_option_states_its_deadline_per_item_in_the_organisations_time_zone(org, smtp):
    starts = datetime(2027, 3, 20, 19, 30, tzinfo=UTC)
    date, ticket = on_sale(org, starts_at=starts, deadline_days_after_booking=5)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        booking = book(staff(org), date, ticket, quantity=2, customer_id=customer(org, "en").id)
        drain()
    body = text_of(smtp.received[0])
    # 5 calendar days later at the same wall-clock time in Paris (10:00 CET).
    assert booking.deadline_shown == datetime(2027, 3, 6, 9, 0, tzinfo=UTC)
    assert f"2 × {ticket.name} — {date.event.name}" in body
    assert "confirm by March 6, 2027, 10 a.m. (Europe/Paris)" in body


def test_the_confirmation_carries_a_qr_code_per_ticket_and_an_ics_in_the_right_zone(org, smtp):
    # A date just after the spring change: the .ics must say 20:30 Paris time (CEST, UTC+2).
    starts = datetime(2027, 3, 28, 18, 30, tzinfo=UTC)
    date, ticket = on_sale(org, starts_at=starts)
    who = customer(org, "es")
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED, quantity=3, customer_id=who.id)
    drain()
    [message] = smtp.received
    line = BookingLine.objects.get(booking=booking)
    codes = [f"{booking.reference}-{line.id}-{n}" for n in (1, 2, 3)]

    images = parts(message, "image/png")
    assert [decode_qr(p.get_content()) for p in images] == [[code] for code in codes]
    html = html_of(message)
    for image in images:
        assert f"cid:{image['Content-ID'].strip('<>')}" in html
    assert "está confirmada" in message["Subject"]
    assert all(code in text_of(message) for code in codes)

    [attachment] = [p for p in message.walk() if p.get_filename() == f"{booking.reference}.ics"]
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 3, 28, 20, 30)
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(event["UID"]) == f"{booking.reference}-{line.id}@tentative"


def test_declined_carries_the_staff_message_and_staff_hear_of_new_requests(org, smtp):
    date, ticket = on_sale(org, requires_approval=True)
    owner = staff(org)
    manager = MembershipFactory(organisation=org, user=UserFactory(email="boss@example.org"))
    assert manager.user.email
    who = customer(org, "en")
    request = book(owner, date, ticket, mode=State.REQUEST, customer_id=who.id)
    actions.decline_booking(request.id, actor=owner, reason="This show is 18+ only.")
    drain()
    to_staff = [m for m in smtp.received if m["To"] == "boss@example.org"]
    to_customer = [m for m in smtp.received if m["To"] == who.email]
    assert [m["Subject"] for m in to_staff] == [
        f"Nouvelle demande {request.reference} en attente d'acceptation"
    ]
    assert len(to_customer) == 2
    declined = to_customer[1]
    assert "was not accepted" in declined["Subject"]
    assert "Message from the organiser: This show is 18+ only." in text_of(declined)


def test_a_customer_cancelling_tells_them_and_the_staff(org, smtp):
    from tentative.shared.actor import Actor

    date, ticket = on_sale(org)
    MembershipFactory(organisation=org, user=UserFactory(email="desk@example.org"))
    who = customer(org, "fr")
    booking = book(staff(org), date, ticket, customer_id=who.id)
    actions.cancel_booking(booking.id, actor=Actor.customer(who), reason="Empêchement")
    drain()
    subjects = {m["To"]: m["Subject"] for m in smtp.received[1:]}
    assert subjects == {
        who.email: f"{org.name}\u00a0: votre réservation {booking.reference} est annulée",
        "desk@example.org": f"{who.name} a annulé {booking.reference}",
    }
    assert "Motif\u00a0: Empêchement" in text_of(smtp.by_subject("est annulée")[0])


def test_moved_and_payment_request_read_their_event_payload(org, smtp):
    date, ticket = on_sale(org)
    owner = staff(org)
    booking = book(owner, date, ticket, mode=State.CONFIRMED, customer_id=customer(org, "en").id)
    expires = datetime(2027, 1, 10, 17, 0, tzinfo=UTC)
    outbox.emit(
        booking,
        "booking.moved",
        actor=owner,
        at=booking.created_at,
        data={"message": "Room 2 is closed; see you in room 3."},
    )
    outbox.emit(
        booking,
        "payment.requested",
        actor=owner,
        at=booking.created_at,
        data={
            "amount": "20.00",
            "currency": "EUR",
            "url": "https://pay.example/x1",
            "expires_at": expires.isoformat(),
        },
    )
    drain()
    moved = smtp.by_subject("has changed")[0]
    assert "Message from the organiser: Room 2 is closed; see you in room 3." in text_of(moved)
    assert len(parts(moved, "image/png")) == 1  # still firm: the ticket comes again
    payment = text_of(smtp.by_subject("payment for")[0])
    assert "Please pay 20.00 EUR" in payment and "https://pay.example/x1" in payment
    assert "Jan. 10, 2027, 6 p.m. (Europe/Paris)" in payment


def test_an_organisation_writes_its_own_template(org, smtp):
    EmailTemplate.objects.create(
        organisation=org,
        name="option_created",
        language="en",
        subject="Held for you: {{ reference }}",
        body=(
            "Dear {{ customer }},\n"
            "{% for item in items %}{{ item.event }} until {{ item.deadline }}\n{% endfor %}"
        ),
    )
    date, ticket = on_sale(org)
    who = customer(org, "en")
    booking = book(staff(org), date, ticket, customer_id=who.id)
    other_language = book(staff(org), date, ticket, customer_id=customer(org, "es").id)
    drain()
    mine = smtp.by_subject("Held for you")
    assert [m["Subject"] for m in mine] == [f"Held for you: {booking.reference}"]
    assert text_of(mine[0]).startswith(f"Dear {who.name},\n{date.event.name} until ")
    assert smtp.by_subject(other_language.reference)[0]["Subject"].endswith("está registrada")


@pytest.mark.parametrize(
    "source",
    ["{% load static %}", "{% include 'x.html' %}", "{% debug %}", "{{ x|no_such_filter }}"],
)
def test_templates_that_could_reach_further_are_refused(source):
    with pytest.raises(emails.TemplateRejected):
        emails.compile_text(source)


def test_every_email_exists_in_every_language_and_renders(org):
    date, ticket = on_sale(org)
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED, customer_id=customer(org).id)
    lines = list(
        BookingLine.objects.filter(booking=booking).select_related(
            "event_date__event", "ticket_type"
        )
    )
    overrides = emails.Overrides({org.id})
    booking = Booking.objects.select_related("organisation", "customer").get(id=booking.id)
    for name in {**emails.CUSTOMER_EMAILS, **emails.STAFF_EMAILS}:
        subjects = set()
        for language in emails.LANGUAGES:
            rendered = emails.render(
                booking,
                lines,
                name,
                language,
                {"state": "confirmed", "reason": "r"},
                overrides=overrides,
                with_tickets=True,
                now=booking.created_at,
            )
            assert rendered.subject and booking.reference in rendered.text
            assert "{{" not in rendered.text and "{%" not in rendered.text
            subjects.add(rendered.subject)
        assert len(subjects) == 3, name  # really three languages


def test_nothing_is_sent_for_a_change_that_rolled_back(org, smtp):
    date, ticket = on_sale(org, capacity=2)
    owner = staff(org)
    quote = book(owner, date, ticket, mode=State.QUOTE, quantity=2, customer_id=customer(org).id)
    book(owner, date, ticket, mode=State.CONFIRMED, quantity=1)
    events = OutboxMessage.objects.count()
    with pytest.raises(errors.SoldOut):
        actions.convert_booking(quote.id, actor=owner, target=State.OPTION)
    assert OutboxMessage.objects.count() == events
    drain()
    assert [m["Subject"] for m in smtp.received] == [
        f"{org.name}\u00a0: votre devis {quote.reference}"
    ]


def test_the_message_id_comes_from_the_outbox_row(org, smtp):
    date, ticket = on_sale(org)
    book(staff(org), date, ticket, customer_id=customer(org).id)
    drain()
    row = OutboxMessage.objects.get(kind="email")
    assert smtp.received[0]["Message-ID"] == f"<{row.message_id}@localhost>"
    assert row.status == "sent" and row.tries.get().ok


def test_what_customers_typed_is_escaped_in_the_html_part(org, smtp):
    date, ticket = on_sale(org)
    who = CustomerFactory(organisation=org, language="en", name="<script>alert(1)</script>")
    book(staff(org), date, ticket, customer_id=who.id)
    drain()
    html = html_of(smtp.received[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Hello <script>alert(1)</script>," in text_of(smtp.received[0])  # plain text as is


def test_a_rescheduled_appointment_emails_the_new_time_and_the_message_not_the_note(org, smtp):
    from tests.factories import service, staff_member

    alice, bob = staff_member(org, "Alice"), staff_member(org, "Bob")
    haircut = service(org, alice, bob)
    owner = staff(org)
    nine = datetime(2031, 3, 3, 9, 0, tzinfo=PARIS)
    who = customer(org, "en")
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        customer_id=who.id,
        lines=[actions.SlotRequest(haircut.id, alice.id, nine)],
    )
    actions.move_booking(
        booking.id,
        actor=owner,
        to=actions.Destination(starts_at=nine.replace(hour=14), resource_id=bob.id),
        reason="Alice is ill (private)",
        message="Bob will see you at 2 pm instead.",
    )
    drain()
    moved = text_of(smtp.by_subject("has changed")[0])
    assert "Bob will see you at 2 pm instead." in moved
    assert "Alice is ill" not in moved
    assert "(Bob)" in moved and "2 p.m." in moved


def test_a_move_without_notice_sends_nothing(org, smtp):
    from tests.factories import service, staff_member

    alice = staff_member(org, "Alice")
    haircut = service(org, alice)
    owner = staff(org)
    nine = datetime(2031, 3, 3, 9, 0, tzinfo=PARIS)
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        customer_id=customer(org, "en").id,
        lines=[actions.SlotRequest(haircut.id, alice.id, nine)],
    )
    drain()
    sent = len(smtp.received)
    actions.move_booking(
        booking.id,
        actor=owner,
        to=actions.Destination(starts_at=nine.replace(hour=11)),
        notify=False,
    )
    drain()
    assert len(smtp.received) == sent
    assert OutboxMessage.objects.filter(booking=booking, topic="booking.moved").count() == 1


def test_the_customer_and_the_staff_hear_of_a_late_refund(org, smtp):
    from tentative.payments import actions
    from tests.payments.helpers import notification

    MembershipFactory(organisation=org, user=UserFactory(email="desk@example.org"))
    date, ticket = on_sale(org, capacity=2)
    owner = staff(org)
    who = CustomerFactory(organisation=org, language="fr")
    option = book(owner, date, ticket, quantity=2, customer_id=who.id)
    payment = actions.record_payment(option.id, actor=owner, amount=Decimal("40"), method="card")
    later = option.deadline_enforced + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        book(owner, date, ticket, quantity=2, mode=State.CONFIRMED, now=later)
        body, headers = notification(payment, "captured", event_id="evt_told", at=later)
        actions.receive_notification("simulated", body, headers, now=later)
        drain()
    subjects = {m["To"]: m["Subject"] for m in smtp.received if "rembours" in m["Subject"]}
    assert subjects[who.email] == f"{org.name}\u00a0: remboursement pour {option.reference}"
    assert subjects["desk@example.org"].startswith("Paiement tardif remboursé")
