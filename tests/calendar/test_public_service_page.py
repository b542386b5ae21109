"""A service's public booking page (issue 13 item 3): free times in the visitor's zone,
Request booking / Book now, the custom fields, and bad input as a message next to the
times with nothing written (a time outside the hours, in the past, off the grid, taken)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tentative.accounts.models import Customer
from tentative.bookings.models import Booking
from tentative.catalog.models import Question, WorkingHours
from tentative.core.states import State
from tests.factories import OrganisationFactory, service, staff_member

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)  # a Monday
TUESDAY = "2026-12-01"


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def working(resource, starts=time(9), ends=time(17)):  # type: ignore[no-untyped-def]
    for weekday in range(5):
        WorkingHours.objects.create(resource=resource, weekday=weekday, starts=starts, ends=ends)


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org = OrganisationFactory(slug="salon", time_zone="Europe/Paris", languages=["en", "fr", "es"])
    alice, bob = staff_member(org, "Alice"), staff_member(org, "Bob")
    working(alice)
    working(bob, time(13), time(17))
    cut = service(
        org,
        alice,
        bob,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="We confirm each request within a day.",
    )
    cut.name = "Consultation"
    cut.save()
    question = Question.objects.create(
        organisation=org, service=cut, label="What is it about?", required=True
    )
    return org, alice, bob, cut, question


def url(org, offer):  # type: ignore[no-untyped-def]
    return f"/o/{org.slug}/services/{offer.id}/"


def slot(moment, resource):  # type: ignore[no-untyped-def]
    return f"{moment.isoformat()}|{resource.id}"


def details(question, **extra):  # type: ignore[no-untyped-def]
    return {
        "mode": "request",
        "name": "Ann Visitor",
        "email": "ann@example.com",
        "language": "en",
        f"q_{question.id}": "My knee",
        **extra,
    }


def test_free_times_in_the_visitors_time_zone(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, cut, _q = world
    page = client.get(url(org, cut), {"staff": alice.id, "date": TUESDAY, "tz": "America/Montreal"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "America/Montreal" in html and "your time zone" in html
    # Alice works 9:00-17:00 in Paris: 3:00-11:00 in Montreal, the last start at 10:00.
    values = [v.split('"')[0] for v in html.split('name="slot" id="')[1:]]
    assert len(values) == 8
    assert ">3 a.m.<" in html and ">10 a.m.<" in html and ">11 a.m.<" not in html
    assert "Request booking" in html and "Book now" not in html
    assert "We confirm each request within a day." in html
    # The footer says the same, not the organiser's zone the other public pages use.
    footer = html.split('class="zone-note"')[1].split("</span>")[0]
    assert "Times are shown in your time zone, America/Montreal." in footer


def test_without_a_zone_the_organisers_is_used_and_said(client, world):  # type: ignore[no-untyped-def]
    org, _alice, _bob, cut, _q = world
    html = client.get(url(org, cut), {"date": TUESDAY, "tz": "Not/AZone"}).content.decode()
    assert "the organiser&#x27;s time zone" in html or "the organiser's time zone" in html
    assert ">9 a.m.<" in html and ">4 p.m.<" in html
    footer = html.split('class="zone-note"')[1].split("</span>")[0]
    assert "Europe/Paris" in footer and "your time zone" not in footer


def test_a_request_is_made_with_the_answers_and_no_payment(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, cut, question = world
    start = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    answer = client.post(
        url(org, cut) + "?tz=Europe/London",
        details(question, slot=slot(start, alice), staff=str(alice.id), date=TUESDAY),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.state == State.REQUEST
    assert booking.customer.email == "ann@example.com"
    line = booking.lines.get()
    assert (line.resource_id, line.starts_at) == (alice.id, start)
    assert booking.answers[str(question.id)]["value"] == "My knee"
    assert not booking.payments.exists()
    assert answer["Location"].endswith(f"/done/{booking.reference}/")


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (datetime(2026, 12, 1, 18, 0, tzinfo=PARIS), "within their working hours"),
        (datetime(2026, 11, 30, 7, 0, tzinfo=PARIS), "started"),
        (datetime(2026, 12, 1, 10, 10, tzinfo=PARIS), "is not one of its start times"),
        (datetime(2026, 12, 5, 10, 0, tzinfo=PARIS), "Alice is not working on"),
        (datetime(2027, 6, 1, 10, 0, tzinfo=PARIS), "days ahead"),
    ],
)
def test_a_bad_time_is_refused_next_to_the_times(client, world, start, message):  # type: ignore[no-untyped-def]
    org, alice, _bob, cut, question = world
    answer = client.post(url(org, cut), details(question, slot=slot(start, alice), date=TUESDAY))
    assert answer.status_code == 422
    html = answer.content.decode().replace("&#x27;", "'")
    assert 'id="slot-error"' in html and message in html
    assert 'value="Ann Visitor"' in html  # what was typed stays
    assert not Booking.objects.exists() and not Customer.objects.exists()


def test_a_staff_member_who_does_not_offer_it(client, world):  # type: ignore[no-untyped-def]
    org, _alice, _bob, cut, question = world
    carol = staff_member(org, "Carol")
    working(carol)
    start = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    answer = client.post(url(org, cut), details(question, slot=slot(start, carol)))
    assert answer.status_code == 422
    assert "does not offer this service" in answer.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "bad", ["", "tomorrow|1", "2026-12-01T10:00:00|x", "2026-12-01T10:00:00|1"]
)
def test_a_missing_or_tampered_time(client, world, bad):  # type: ignore[no-untyped-def]
    org, _alice, _bob, cut, question = world
    answer = client.post(url(org, cut), details(question, slot=bad))
    assert answer.status_code == 422
    assert 'id="slot-error"' in answer.content.decode()
    assert not Booking.objects.exists()


def test_missing_details_and_answers_are_marked_next_to_their_fields(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, cut, question = world
    start = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    data = details(question, slot=slot(start, alice), email="not-an-email")
    data[f"q_{question.id}"] = ""
    answer = client.post(url(org, cut), data)
    html = answer.content.decode()
    assert answer.status_code == 422
    assert 'id="id_email-error"' in html and f'id="id_q_{question.id}-error"' in html
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, cut, question = world
    cut.requests_hold_capacity = True  # "several may request" off: a request takes the slot
    cut.save()
    start = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    first = client.post(url(org, cut), details(question, slot=slot(start, alice)))
    assert first.status_code == 302
    second = client.post(
        url(org, cut), details(question, slot=slot(start, alice), email="ben@example.com")
    )
    assert second.status_code == 409
    assert 'id="slot-error"' in second.content.decode()
    assert Booking.objects.count() == 1
    # and the taken time is no longer offered
    html = client.get(url(org, cut), {"staff": alice.id, "date": TUESDAY, "tz": "Europe/Paris"})
    assert slot(start, alice) not in html.content.decode()


def test_book_now_for_a_free_service_is_confirmed(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, _cut, _q = world
    free = service(org, alice, prices=(("Free", "0.00"),))
    start = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS)
    page = client.get(url(org, free), {"date": TUESDAY}).content.decode()
    assert "Book now" in page and "Request booking" not in page
    answer = client.post(
        url(org, free),
        {
            "mode": "buy",
            "name": "Ann",
            "email": "ann@example.com",
            "language": "en",
            "slot": slot(start, alice),
        },
    )
    assert answer.status_code == 302
    assert Booking.objects.get().state == State.CONFIRMED


def test_book_now_for_a_paid_service_goes_to_the_payment(client, world):  # type: ignore[no-untyped-def]
    org, alice, _bob, _cut, _q = world
    paid = service(org, alice, prices=(("Standard", "40.00"),))
    start = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS)
    answer = client.post(
        url(org, paid),
        {
            "mode": "buy",
            "name": "Ann",
            "email": "ann@example.com",
            "language": "en",
            "slot": slot(start, alice),
        },
    )
    assert answer.status_code == 302
    booking = Booking.objects.get()
    assert booking.state == State.OPTION and booking.total == Decimal("40.00")
    assert booking.deadline_enforced <= NOW + timedelta(minutes=30)
    assert "/simulated-card/" in answer["Location"]


def test_another_organisations_service_is_not_found(client, world):  # type: ignore[no-untyped-def]
    _org, _alice, _bob, cut, _q = world
    other = OrganisationFactory(slug="other")
    assert client.get(f"/o/{other.slug}/services/{cut.id}/").status_code == 404
    assert client.get("/o/salon/services/999999/").status_code == 404


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_page_speaks_the_visitors_language(client, world, language):  # type: ignore[no-untyped-def]
    org, _alice, _bob, cut, _q = world
    client.cookies["django_language"] = language
    html = client.get(url(org, cut), {"date": TUESDAY}).content.decode()
    assert f'lang="{language}"' in html
    assert {"fr": "Demander une réservation", "es": "Solicitar reserva"}[language] in html


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This time is no longer free"),
        ("fr", "Ce créneau n’est plus libre"),
        ("es", "Esta hora ya no está libre"),
    ],
)
def test_a_request_for_a_time_a_booking_holds_is_refused(client, world, language, message):  # type: ignore[no-untyped-def]
    """*Several may request* on: a request holds nothing, but a time a confirmed booking
    holds cannot be asked for (it could never be approved)."""
    from tentative.bookings import actions
    from tests.factories import staff

    org, alice, _bob, cut, question = world
    start = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[actions.SlotRequest(cut.id, alice.id, start)],
    )
    client.cookies["django_language"] = language
    answer = client.post(
        url(org, cut), details(question, slot=slot(start, alice), language=language)
    )
    assert answer.status_code == 409
    html = answer.content.decode().replace("&#x27;", "'")
    assert 'id="slot-error"' in html and message in html
    assert Booking.objects.count() == 1 and not Customer.objects.exists()
