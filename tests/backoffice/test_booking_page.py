"""The booking page: summary, lines, history as sentences, emails, and every action."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, BookingLine
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tests.factories import (
    CustomerFactory,
    EventDateFactory,
    MembershipFactory,
    OrganisationFactory,
    book,
    book_slot,
    on_sale,
    service,
    staff_member,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def english():
    """Pages activate the reader's language; put the test's back after each."""
    with translation.override("en"):
        yield


def _signed_in(client, org, role=Role.OWNER):
    membership = MembershipFactory(organisation=org, role=role)
    client.force_login(membership.user)
    return Actor.staff(membership)


def _page(client, booking, language="en"):
    response = client.get(
        f"/staff/bookings/{booking.reference}/", headers={"accept-language": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def _snapshot(booking):
    """What must not change when an action is refused."""
    fresh = Booking.objects.get(id=booking.id)
    return (
        fresh.state,
        fresh.deadline_enforced,
        fresh.total,
        [(line.quantity, line.event_date_id) for line in fresh.lines.order_by("id")],
        AuditEntry.objects.filter(booking=fresh).count(),
        OutboxMessage.objects.filter(booking=fresh).count(),
    )


def test_the_page_shows_summary_lines_customer_and_history(client, org):
    owner = _signed_in(client, org)
    evening = datetime(2031, 12, 20, 20, 30, tzinfo=PARIS)
    date, ticket = on_sale(org, starts_at=evening, name="Tarif plein")
    customer = CustomerFactory(organisation=org, name="Zoé Martin", email="zoe@example.org")
    booking = book(owner, date, ticket, quantity=2, customer_id=customer.id)
    page = _page(client, booking)
    assert booking.reference in page and "Zoé Martin" in page and "zoe@example.org" in page
    assert "Tarif plein" in page and "12/20/2031 8:30 p.m." in page
    assert 'class="badge state-option"' in page
    assert booking.deadline_rule in page
    assert "Booked as option" in page
    assert "40.00 EUR due" in page


def _line(booking):
    return BookingLine.objects.get(booking_id=booking.id)


def _post(client, booking, verb, data=None, language="en", follow=False):
    return client.post(
        f"/staff/bookings/{booking.reference}/do/{verb}/",
        data or {},
        headers={"accept-language": language},
        follow=follow,
    )


def _request(org, owner, **kwargs):
    date, ticket = on_sale(org, requires_approval=True, **kwargs)
    customer = CustomerFactory(organisation=org, email="ana.client@example.org")
    return book(owner, date, ticket, mode=State.REQUEST, customer_id=customer.id)


def test_a_reference_typed_in_lower_case_opens_the_booking(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket)
    response = client.get(f"/staff/bookings/{booking.reference.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/bookings/{booking.reference}/"


def test_approve_with_a_message_from_the_page(client, org):
    owner = _signed_in(client, org)
    booking = _request(org, owner)
    page = _page(client, booking)
    assert 'id="do-approve"' in page and 'id="do-decline"' in page
    assert 'id="do-confirm"' not in page and 'id="do-reinstate"' not in page  # not for a request
    response = _post(client, booking, "approve", {"reason": "See you there!"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    entry = AuditEntry.objects.get(booking=booking, action="approve")
    assert entry.reason == "See you there!"
    page = _page(client, booking)
    assert f"Booking {booking.reference} approved." in page
    assert "Approved" in page and "See you there!" in page


def test_decline_with_a_message(client, org):
    owner = _signed_in(client, org)
    booking = _request(org, owner)
    assert _post(client, booking, "decline", {"reason": "Sold to members only"}).status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.DECLINED
    assert OutboxMessage.objects.get(booking=booking, topic="booking.declined").payload[
        "reason"
    ] == ("Sold to members only")
    page = _page(client, booking)
    assert 'id="do-' not in page  # nothing left to do on a declined booking


def test_confirm_an_option(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket)
    assert _post(client, booking, "confirm", {"reason": "Paid at the desk"}).status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED


def test_convert_a_quote_into_an_option(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket, mode=State.QUOTE)
    assert _post(client, booking, "convert", {"target": "option"}).status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.OPTION and booking.holds_capacity


def test_extend_with_a_new_date_in_the_organisations_time_zone(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org, starts_at=timezone.now() + timedelta(days=60))
    booking = book(owner, date, ticket)
    until = (
        (timezone.now() + timedelta(days=20))
        .astimezone(PARIS)
        .replace(hour=18, minute=0, second=0, microsecond=0)
    )
    response = _post(client, booking, "extend", {"until": until.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.deadline_enforced == until  # 18:00 in Paris, not in UTC
    assert "Deadline moved from" in _page(client, booking)


def test_cancel_a_firm_booking_needs_a_reason_next_to_the_field(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket, mode=State.CONFIRMED)
    before = _snapshot(booking)
    response = _post(client, booking, "cancel", {"reason": "  "})
    assert response.status_code == 422
    page = response.content.decode()
    form = page[page.index('id="do-cancel"') :]
    assert "Please give a reason." in form[: form.index("</form>")]
    assert "data-reopen" in form[: form.index("</form>")]  # the dialog opens again
    assert _snapshot(booking) == before
    assert _post(client, booking, "cancel", {"reason": "Customer moved away"}).status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED


def test_reinstate_an_expired_booking(client, org):
    from tentative.bookings import actions

    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket)
    actions.expire_booking(booking.id, actor=owner)
    response = _post(client, booking, "reinstate", {"target": "confirmed", "reason": "Paid late"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED


def test_move_a_ticket_to_another_date(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    later = EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=7))
    from tentative.inventory.models import CapacityPool

    CapacityPool.objects.create(organisation=org, event_date=later, capacity=10)
    booking = book(owner, date, ticket, quantity=2)
    page = _page(client, booking)
    assert f'value="{later.id}"' in page
    response = _post(client, booking, "move", {"event_date": later.id, "notify": "on"})
    assert response.status_code == 302
    assert _line(booking).event_date_id == later.id
    assert "Moved: " in _page(client, booking)


def test_move_to_a_full_date_is_refused_next_to_the_field_and_nothing_changes(client, org):
    from tentative.inventory.models import CapacityPool

    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    full = EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=7))
    CapacityPool.objects.create(organisation=org, event_date=full, capacity=1)
    booking = book(owner, date, ticket, quantity=2)
    before = _snapshot(booking)
    response = _post(
        client, booking, "move", {"event_date": full.id, "reason": "<script>x</script>"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    form = page[page.index('id="do-move"') :]
    form = form[: form.index("</form>")]
    assert 'class="field-error"' in form
    assert "&lt;script&gt;x&lt;/script&gt;" in form and "<script>x" not in page  # kept, escaped
    assert _snapshot(booking) == before


def test_move_a_line_to_another_ticket_type_shows_the_new_total_and_balance(client, org):
    from decimal import Decimal

    from tentative.catalog.models import TicketType

    owner = _signed_in(client, org)
    date, full = on_sale(org, capacity=10, name="Tarif plein", price=Decimal("20.00"))
    reduced = TicketType.objects.create(event=date.event, name="Tarif réduit", price=12)
    booking = book(owner, date, full, quantity=2, mode=State.CONFIRMED)
    page = _page(client, booking)
    form = page[page.index('id="do-move"') :]
    assert f'<option value="{reduced.id}">Tarif réduit (' in form  # offered, with its price
    response = _post(client, booking, "move", {"ticket_type": reduced.id}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "New total: 24.00 EUR (was 40.00 EUR). Left to pay: 24.00 EUR." in html
    assert (_line(booking).ticket_type_id, Booking.objects.get(id=booking.id).total) == (
        reduced.id,
        Decimal("24.00"),
    )
    assert "(Tarif plein) → " in html and "(Tarif réduit); total 40.00 EUR → 24.00 EUR" in html


def test_a_full_ticket_type_is_refused_next_to_its_field(client, org):
    from tentative.catalog.models import TicketType
    from tentative.inventory.models import CapacityPool

    owner = _signed_in(client, org)
    date, full = on_sale(org, capacity=10)
    reduced = TicketType.objects.create(event=date.event, name="Tarif réduit", price=12)
    CapacityPool.objects.create(organisation=org, event_date=date, ticket_type=reduced, capacity=1)
    booking = book(owner, date, full, quantity=2)
    before = _snapshot(booking)
    response = _post(client, booking, "move", {"ticket_type": reduced.id})
    assert response.status_code == 409
    page = response.content.decode()
    form = page[page.index('id="do-move"') :]
    around = form[form.index('name="ticket_type"') :]
    assert "Not enough places left: 1 available." in around[: around.index("</form>")]
    assert _snapshot(booking) == before and _line(booking).ticket_type_id == full.id


def test_move_an_appointment_to_another_time(client, org):
    owner = _signed_in(client, org)
    alice = staff_member(org, "Alice")
    haircut = service(org, alice)
    start = (
        (timezone.now() + timedelta(days=10))
        .astimezone(PARIS)
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    booking = book_slot(owner, haircut, alice, start)
    later = start + timedelta(hours=2)
    response = _post(client, booking, "move", {"starts_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _line(booking).starts_at == later


def test_change_quantity_and_a_refusal(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org, capacity=3, name="Tarif plein")
    booking = book(owner, date, ticket, quantity=2)
    line = _line(booking)
    before = _snapshot(booking)
    refused = _post(client, booking, "change_quantity", {"line": line.id, "quantity": 9})
    assert refused.status_code == 409
    assert _snapshot(booking) == before
    assert (
        _post(client, booking, "change_quantity", {"line": line.id, "quantity": 3}).status_code
        == 302
    )
    line.refresh_from_db()
    assert line.quantity == 3
    assert "Places: 2 → 3, Tarif plein" in _page(client, booking)


@pytest.mark.parametrize(
    ("verb", "data", "field"),
    [
        ("change_quantity", {"quantity": ""}, "quantity"),
        ("change_quantity", {"quantity": "-4"}, "quantity"),
        ("change_quantity", {"quantity": "99999999999999999999"}, "quantity"),
        ("change_quantity", {"quantity": "<script>"}, "quantity"),
        ("extend", {"until": ""}, "until"),
        ("extend", {"until": "2001-01-01T10:00"}, "until"),
        ("extend", {"until": "<script>alert(1)</script>"}, "until"),
        ("move", {"event_date": "99999999"}, "event_date"),
        ("move", {}, "event_date"),
    ],
)
def test_bad_input_comes_back_next_to_the_field_with_the_values_kept(
    client, org, verb, data, field
):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=7))
    booking = book(owner, date, ticket, quantity=2)
    data = {"line": _line(booking).id, **data}
    before = _snapshot(booking)
    response = _post(client, booking, verb, data)
    assert 400 <= response.status_code < 500
    page = response.content.decode()
    form = page[page.index(f'id="do-{verb}"') :]
    form = form[: form.index("</form>")]
    around = form[form.index(f'name="{field}"') :]
    assert 'class="field-error"' in around[:1500], around[:1500]
    assert "<script>alert" not in page  # typed back, escaped
    assert _snapshot(booking) == before


def test_no_move_is_offered_when_the_event_has_no_other_date(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket)
    page = _page(client, booking)
    assert 'id="do-move"' not in page and 'id="do-extend"' in page


def test_an_unknown_verb_is_not_found(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    booking = book(owner, date, ticket)
    assert _post(client, booking, "expire").status_code == 404
    assert _post(client, booking, "nonsense").status_code == 404


@pytest.mark.parametrize(
    ("role", "page", "confirm_status", "cancel_firm_status"),
    [
        (Role.OWNER, 200, 302, 302),
        (Role.MANAGER, 200, 302, 302),
        (Role.AGENT, 200, 302, 403),
        ("other organisation", 404, 404, 404),
    ],
)
def test_permissions(client, org, role, page, confirm_status, cancel_firm_status):
    owner = Actor.staff(MembershipFactory(organisation=org))
    date, ticket = on_sale(org)
    option = book(owner, date, ticket)
    firm = book(owner, date, ticket, mode=State.CONFIRMED)
    if role == "other organisation":
        _signed_in(client, OrganisationFactory())
    else:
        _signed_in(client, org, role)
    assert client.get(f"/staff/bookings/{option.reference}/").status_code == page
    before = _snapshot(firm)
    assert _post(client, firm, "cancel", {"reason": "x"}).status_code == cancel_firm_status
    if cancel_firm_status != 302:
        assert _snapshot(firm) == before
    if role == Role.AGENT:  # the button is not offered either
        assert 'id="do-cancel"' not in _page(client, firm)
    before = _snapshot(option)
    assert _post(client, option, "confirm").status_code == confirm_status
    if confirm_status != 302:
        assert _snapshot(option) == before


def test_signed_out_is_sent_to_the_login(client, org):
    date, ticket = on_sale(org)
    booking = book(Actor.staff(MembershipFactory(organisation=org)), date, ticket)
    assert client.get(f"/staff/bookings/{booking.reference}/").status_code == 302
    assert _post(client, booking, "confirm").status_code == 302
    booking.refresh_from_db()
    assert booking.state == State.OPTION


def _emailed(org, owner):
    from tentative.notifications.fanout import fan_out

    booking = _request(org, owner)
    fan_out(now=timezone.now())
    return booking, OutboxMessage.objects.get(
        booking=booking, kind="email", payload__template="request_received"
    )


def test_the_emails_of_the_booking_and_resend(client, org):
    owner = _signed_in(client, org)
    booking, email = _emailed(org, owner)
    OutboxMessage.objects.filter(id=email.id).update(status="sent")
    page = _page(client, booking)
    assert email.payload["subject"] in page and "ana.client@example.org" in page
    response = client.post(f"/staff/bookings/{booking.reference}/emails/{email.id}/resend/")
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == "pending"


def test_an_agent_may_not_resend_nor_resend_another_bookings_email(client, org):
    owner = Actor.staff(MembershipFactory(organisation=org))
    booking, email = _emailed(org, owner)
    OutboxMessage.objects.filter(id=email.id).update(status="sent")
    _signed_in(client, org, Role.AGENT)
    assert (
        client.post(f"/staff/bookings/{booking.reference}/emails/{email.id}/resend/").status_code
        == 403
    )
    _signed_in(client, org)
    date, ticket = on_sale(org)
    other = book(owner, date, ticket)
    assert (
        client.post(f"/staff/bookings/{other.reference}/emails/{email.id}/resend/").status_code
        == 404
    )
    email.refresh_from_db()
    assert email.status == "sent"


def test_search_by_reference_name_or_email(client, org):
    owner = _signed_in(client, org)
    date, ticket = on_sale(org)
    zoe = CustomerFactory(organisation=org, name="Zoé Martin", email="zoe@example.org")
    bob = CustomerFactory(organisation=org, name="Bob Durand", email="BOB@Example.org")
    of_zoe = book(owner, date, ticket, customer_id=zoe.id)
    of_bob = book(owner, date, ticket, customer_id=bob.id)
    stranger = CustomerFactory(organisation=OrganisationFactory(), name="Zoé Martin")
    assert stranger.id

    def found(text):
        page = client.get("/staff/bookings/", {"q": text}).content.decode()
        return {b.reference for b in (of_zoe, of_bob) if b.reference in page}

    assert found("martin") == {of_zoe.reference}
    assert found("bob@example") == {of_bob.reference}
    assert found("EXAMPLE.ORG") == {of_zoe.reference, of_bob.reference}
    assert found(of_bob.reference[:4].lower()) >= {of_bob.reference}
    assert found("nobody") == set()
    assert (
        "No booking matches this search."
        in client.get("/staff/bookings/", {"q": "nobody"}).content.decode()
    )
    exact = client.get("/staff/bookings/", {"q": of_zoe.reference.lower()})
    assert exact.status_code == 302 and exact["Location"] == f"/staff/bookings/{of_zoe.reference}/"
    assert client.get("/staff/bookings/", {"q": "a\x00b"}).status_code == 200


def test_another_organisations_bookings_are_never_found(client, org):
    other = OrganisationFactory()
    theirs_owner = Actor.staff(MembershipFactory(organisation=other))
    date, ticket = on_sale(other)
    customer = CustomerFactory(organisation=other, name="Hidden Person")
    theirs = book(theirs_owner, date, ticket, customer_id=customer.id)
    _signed_in(client, org)
    assert theirs.reference not in client.get("/staff/bookings/", {"q": "hidden"}).content.decode()
    assert client.get("/staff/bookings/", {"q": theirs.reference}).status_code == 200  # no redirect


def test_the_page_reads_a_fixed_number_of_queries(client, org):
    """However long the history, however many lines, emails and payments."""
    from tentative.bookings import actions
    from tentative.notifications.fanout import fan_out

    owner = _signed_in(client, org)
    booking = _request(org, owner)
    date = _line(booking).event_date
    later = EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=7))

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            _page(client, booking)
        return len(queries)

    few = count()
    actions.approve_booking(booking.id, actor=owner, target=State.OPTION)
    for quantity in (2, 3, 4, 5):
        actions.change_quantity(
            booking.id, actor=owner, line_id=_line(booking).id, quantity=quantity
        )
    fan_out(now=timezone.now())
    assert later.id
    many = count()
    # Session, user, membership, booking, lines, participants, balance, decide-by, audit,
    # the lines the history names, emails, the move's dates and ticket types: 13, pinned.
    assert few == many == 13, (few, many)


def test_an_option_past_its_limit_can_only_be_ended(client, org):
    """Ask the core, as the action does: no confirm, extend or move button once lapsed, and
    a stale form posted anyway is refused with nothing written."""
    import time_machine

    owner = _signed_in(client, org)
    date, ticket = on_sale(org, starts_at=timezone.now() + timedelta(days=30))
    booking = book(owner, date, ticket)
    with time_machine.travel(booking.deadline_enforced + timedelta(minutes=1), tick=False):
        client.force_login(owner_user(owner))
        page = _page(client, booking)
        assert 'id="do-cancel"' in page
        assert 'id="do-confirm"' not in page and 'id="do-extend"' not in page
        before = _snapshot(booking)
        refused = _post(client, booking, "confirm")
        assert refused.status_code == 409
        assert "deadline" in refused.content.decode().lower()
        assert _snapshot(booking) == before


def owner_user(actor):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(id=actor.user_id)
