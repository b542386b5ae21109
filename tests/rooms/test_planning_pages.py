"""The staff planning and the session pages: what each session says, booking from a free
session, players with the money they move, moves; refusals next to their field."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tentative.bookings import selectors
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.payments.models import Voucher
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory
from tests.rooms.factories import book, escape_room, in_days, prices

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return Actor.staff(membership)


@pytest.fixture
def vault(org, owner):
    return escape_room(org, owner)


def _cells(org, day):
    grid = selectors.planning(org.id, first=day, last=day, zone=org.zone, now=timezone.now())
    return {c.starts_at.astimezone(org.zone).strftime("%H:%M"): c for c in grid.rows[0].cells}


def test_each_session_says_free_firm_option_or_quote(org, owner, vault, client):
    firm = book(owner, vault, in_days(org, 2, "10:00"), 2, mode=State.CONFIRMED)
    option = book(owner, vault, in_days(org, 2, "11:30"), 3, mode=State.OPTION)
    book(owner, vault, in_days(org, 2, "14:00"), 4, mode=State.QUOTE)
    day = in_days(org, 2).date()
    cells = _cells(org, day)
    assert cells["10:00"].status == "confirmed" and cells["10:00"].blocking.booking == firm
    assert cells["11:30"].status == "option" and cells["11:30"].blocking.booking == option
    assert cells["14:00"].status == "free" and len(cells["14:00"].quotes) == 1
    assert cells["14:00"].bookable
    page = client.get(f"/staff/planning/?day={day}").content.decode()
    assert "session session-confirmed" in page and "session session-option" in page
    assert "1 quote" in page and "Free" in page and "until" in page
    assert f"/staff/bookings/{firm.reference}/" in page
    assert "/staff/planning/book/?room=" in page
    week = client.get(f"/staff/planning/?day={day}&view=week")
    assert week.status_code == 200
    assert "session session-confirmed" in week.content.decode()


def test_a_lapsed_option_no_longer_blocks_its_session(org, owner, vault):
    at = in_days(org, 6)
    option = book(owner, vault, at, 2, mode=State.OPTION)
    later = option.deadline_enforced + timedelta(minutes=1)
    grid = selectors.planning(org.id, first=at.date(), last=at.date(), zone=org.zone, now=later)
    cell = next(c for c in grid.rows[0].cells if c.starts_at == at)
    assert cell.status == "free" and cell.others[0].lapsed


@pytest.mark.parametrize("view", ["", "&view=week"])
def test_the_planning_runs_the_same_queries_for_3_and_30_bookings(org, owner, vault, client, view):
    other = escape_room(org, owner, "Lost Temple")
    day = in_days(org, 3).date()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/staff/planning/?day={day}{view}").status_code == 200
        return len(queries)

    for n in range(3):
        book(owner, vault, in_days(org, 3 + n, "10:00"), 2, mode=State.CONFIRMED)
    few = count()
    times = ["11:30", "14:00", "15:30", "17:00"]
    for n in range(27):  # rooms alternate, then times, then days: no two in one session
        room = vault if n % 2 else other
        book(owner, room, in_days(org, 3 + n // 8, times[(n // 2) % 4]), 2, 1)
    assert count() == few
    assert few <= 12


def test_booking_a_free_session_from_the_planning(org, owner, vault, client):
    customer = CustomerFactory(organisation=org)
    adult, child = prices(vault)
    at = in_days(org, 4, "15:30")
    url = f"/staff/planning/book/?room={vault.id}&start={at.isoformat()}"
    assert client.get(url).status_code == 200
    form = {
        "room": vault.id,
        "start": at.isoformat(),
        "customer": customer.id,
        f"players_{adult}": 2,
        f"players_{child}": 1,
        "mode": "option",
        "notify": "on",
    }
    response = client.post("/staff/planning/book/", form)
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{booking.reference}/")
    assert booking.state == State.OPTION and booking.total == Decimal("80.00")
    # The session is taken now: a second attempt is refused on the page, nothing written.
    refused = client.post("/staff/planning/book/", form)
    assert refused.status_code == 409
    assert "no longer free" in refused.content.decode()
    assert Booking.objects.count() == 1


def test_a_refused_form_keeps_what_was_typed_and_says_why_next_to_the_field(
    org, owner, vault, client
):
    adult, _child = prices(vault)
    at = in_days(org, 4, "17:00")
    response = client.post(
        "/staff/planning/book/",
        {
            "room": vault.id,
            "start": at.isoformat(),
            "new_name": "Zoé",
            f"players_{adult}": 9,
            "mode": "confirmed",
        },
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "between 2 and 6 players" in page and 'value="Zoé"' in page
    assert 'aria-invalid="true"' in page
    assert not Booking.objects.exists()
    nobody = client.post(
        "/staff/planning/book/",
        {"room": vault.id, "start": at.isoformat(), f"players_{adult}": 2, "mode": "quote"},
    )
    assert nobody.status_code == 422 and "Choose a customer" in nobody.content.decode()


def test_fewer_players_show_the_overpayment_and_the_coupon_is_made_on_confirmation(
    org, owner, vault, client
):
    adult, _child = prices(vault)
    booking = book(owner, vault, in_days(org, 5), 4, mode=State.CONFIRMED)
    payments.record_payment(booking.id, actor=owner, amount=Decimal("120.00"))
    url = f"/staff/bookings/{booking.reference}/players/"
    response = client.post(url, {f"players_{adult}": 3})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Overpaid" in page and "30.00" in page and "Create the coupon" in page
    assert not Voucher.objects.exists()  # proposed, not made
    made = client.post(f"/staff/bookings/{booking.reference}/money/coupon/", {"amount": "30.00"})
    assert made.status_code == 302
    coupon = Voucher.objects.get()
    assert coupon.kind == Voucher.Kind.COUPON and coupon.sent_at is None


def test_more_players_show_the_balance_due(org, owner, vault, client):
    adult, child = prices(vault)
    booking = book(owner, vault, in_days(org, 5), 2, mode=State.CONFIRMED)
    payments.record_payment(booking.id, actor=owner, amount=Decimal("60.00"))
    url = f"/staff/bookings/{booking.reference}/players/"
    client.post(url, {f"players_{adult}": 2, f"players_{child}": 2})
    page = client.get(url).content.decode()
    assert "Balance due" in page and "40.00" in page


def test_players_outside_the_limits_are_refused_next_to_the_field(org, owner, vault, client):
    adult, _child = prices(vault)
    booking = book(owner, vault, in_days(org, 5), 2, mode=State.CONFIRMED)
    response = client.post(f"/staff/bookings/{booking.reference}/players/", {f"players_{adult}": 8})
    assert response.status_code == 422
    assert "between 2 and 6 players" in response.content.decode()
    assert Booking.objects.get().total == Decimal("60.00")


def test_moving_a_session_from_its_page(org, owner, vault, client):
    booking = book(owner, vault, in_days(org, 5), 2, mode=State.CONFIRMED)
    book(owner, vault, in_days(org, 5, "15:30"), 2, mode=State.CONFIRMED)
    url = f"/staff/bookings/{booking.reference}/session/move/"
    page = client.get(url).content.decode()
    target = f"{vault.id}|{in_days(org, 5, '17:00').astimezone(UTC).isoformat()}"
    taken = f"{vault.id}|{in_days(org, 5, '15:30').astimezone(UTC).isoformat()}"
    assert target in page and taken not in page
    refused = client.post(url, {"to": taken, "notify": "on"})
    assert refused.status_code == 409
    assert Booking.objects.get(id=booking.id).lines.get().starts_at == in_days(org, 5)
    moved = client.post(url, {"to": target})
    assert moved.status_code == 302
    assert Booking.objects.get(id=booking.id).lines.get().starts_at == in_days(org, 5, "17:00")


def test_the_booking_page_of_a_session_links_its_tabs(org, owner, vault, client):
    booking = book(owner, vault, in_days(org, 5), 2, mode=State.CONFIRMED)
    page = client.get(f"/staff/bookings/{booking.reference}/").content.decode()
    assert f"/staff/bookings/{booking.reference}/players/" in page
    assert f"/staff/bookings/{booking.reference}/session/move/" in page
