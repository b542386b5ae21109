"""The demo a new user sees first: built through the actions, every state present, no drift."""

from datetime import timedelta

import pytest

from tentative.bookings.models import Booking
from tentative.catalog.models import Service
from tentative.core.states import State
from tentative.demo import create_demo
from tentative.inventory.models import Reserve, TimeClaim

pytestmark = pytest.mark.django_db


def test_the_demo_has_bookings_in_every_state_and_can_be_loaded_twice():
    logins = create_demo()
    assert logins["owner"].startswith("owner /") and logins["api token (owner)"].startswith("tnt_")
    states = set(Booking.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    assert Reserve.objects.count() == 2
    # Every kind of offer, and every state on each of the timed kinds but the expired one.
    for kind in (Service.Kind.APPOINTMENT, Service.Kind.ROOM_SESSION):
        kind_states = set(
            Booking.objects.filter(lines__service__kind=kind).values_list("state", flat=True)
        )
        assert len(kind_states) >= 4, (kind, kind_states)
    assert TimeClaim.objects.filter(active=True).exists()
    assert create_demo() == {"status": "demo data already present"}


def test_the_demo_shows_money_paid_in_full_and_in_part():
    from tentative.payments.models import Payment

    create_demo()
    taken = Payment.objects.filter(capture_later=False).exclude(provider="voucher")
    # The room sessions' paid booking (rooms_demo.py, issue 14) is counted in its own test.
    taken = taken.exclude(booking__lines__service__kind=Service.Kind.ROOM_SESSION)
    assert taken.count() == 2
    assert {p.booking.state for p in taken.select_related("booking")} == {
        "confirmed",
        "option",
    }


def test_the_demo_has_coupons_sent_and_not_partly_used_and_a_gift_voucher():
    from tentative.payments.models import Voucher
    from tentative.payments.selectors import voucher_balance

    create_demo()
    coupons = Voucher.objects.filter(kind="coupon")
    assert coupons.filter(sent_at__isnull=False).exists()
    assert coupons.filter(sent_at__isnull=True).exists()
    assert any(0 < voucher_balance(v).amount < v.entries.get(kind="issue").amount for v in coupons)
    assert Voucher.objects.filter(kind="gift", method="terminal").count() == 1


def test_the_demo_has_an_open_payment_link_and_an_expired_one():
    from django.utils import timezone

    from tentative.payments.models import PaymentRequest

    create_demo()
    now = timezone.now()
    shown = sorted(r.shown_state(now) for r in PaymentRequest.objects.all())
    assert shown == ["expired", "open"]
    assert all(
        r.sent_count == 1 and r.booking.state == "option" for r in PaymentRequest.objects.all()
    )


def test_the_demo_charges_after_approval_in_each_mode():
    """Issue 10 item 4: a pending request of each mode, one with its card authorised; the
    worker's pass sends the approved gala booking its payment request."""
    from django.utils import timezone

    from tentative.payments import actions, selectors
    from tentative.payments.models import Payment, PaymentRequest

    create_demo()
    for mode in ("after_approval", "authorise"):
        assert Booking.objects.filter(
            state=State.REQUEST, lines__ticket_type__approval_charge=mode
        ).exists(), mode
    held = Payment.objects.get(capture_later=True)
    assert held.state == "authorised" and held.booking.state == State.REQUEST
    assert selectors.decide_by(held.booking) is not None
    before = list(PaymentRequest.objects.values_list("id", flat=True))
    assert actions.collect_after_approval(now=timezone.now()) == 1
    requested = PaymentRequest.objects.exclude(id__in=before).get()
    assert requested.booking.state == State.OPTION and requested.sent_count == 1


def test_the_demo_has_a_sold_out_date_with_three_on_its_waiting_list_one_offered():
    from tentative.waitlist.models import WaitlistEntry

    create_demo()
    entries = WaitlistEntry.objects.order_by("created_at", "id")
    assert [e.state for e in entries] == ["offered", "waiting", "waiting"]
    offer = entries[0].offer
    assert offer is not None and offer.state == State.OPTION and offer.holds_capacity


def test_the_demo_has_rooms_with_a_week_of_sessions_in_every_state():
    from django.utils import timezone

    from tentative.bookings import selectors
    from tentative.catalog.models import Resource
    from tentative.payments.selectors import balance

    create_demo()
    org = Booking.objects.first().organisation
    vault = Resource.objects.get(name="The Vault")
    assert Resource.objects.filter(name="Lost Temple", kind="room").exists()
    today = timezone.localtime(timezone.now(), org.zone).date()
    grid = selectors.planning(
        org.id, first=today, last=today + timedelta(days=7), zone=org.zone, now=timezone.now()
    )
    statuses = {cell.status for row in grid.rows for cell in row.cells}
    assert {"free", "confirmed", "option"} <= statuses
    assert any(cell.quotes and cell.bookable for row in grid.rows for cell in row.cells)
    sessions = Booking.objects.filter(lines__resource=vault).distinct()
    assert any(balance(b).outstanding.amount < 0 for b in sessions)  # an overpayment to keep


def test_the_demo_s_rooms_are_on_its_public_pages_with_free_sessions(client):  # type: ignore[no-untyped-def]
    from tentative.catalog.models import Resource

    create_demo()
    shop = client.get("/o/demo/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("The Vault", "Lost Temple"):
        room = Resource.objects.get(name=name)
        assert f"/o/demo/rooms/{room.id}/" in shop, name
        page = client.get(f"/o/demo/rooms/{room.id}/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        week = page.content.decode()
        assert 'name="session"' in week or "No session on this day." in week


def test_the_demo_s_public_pages_speak_english_french_and_spanish(client):  # type: ignore[no-untyped-def]
    create_demo()
    for language in ("en", "fr", "es"):
        page = client.get("/o/demo/", HTTP_ACCEPT_LANGUAGE=language)
        assert f'<html lang="{language}"' in page.content.decode(), language


def test_the_demo_has_a_room_that_sells_places_partly_sold():
    from django.utils import timezone

    from tentative.bookings import selectors
    from tentative.catalog.models import Resource

    create_demo()
    org = Booking.objects.first().organisation
    lab = Resource.objects.get(name="The Observatory")
    assert lab.services.get().places_per_session == 12
    today = timezone.localtime(timezone.now(), org.zone).date()
    grid = selectors.planning(
        org.id,
        first=today,
        last=today + timedelta(days=8),
        zone=org.zone,
        now=timezone.now(),
        room_ids=[lab.id],
    )
    counts = [c.places.taken for c in grid.rows[0].cells if c.places is not None]
    assert 12 in counts and any(0 < n < 12 for n in counts) and 0 in counts
