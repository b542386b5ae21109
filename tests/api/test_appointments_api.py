"""Appointments through the API (issue 13): services and their settings, hours and days
off, free slots (incl. the DST days of Paris and Montreal), requests and the bad-input
table (4xx with a code, nothing written), approve / decline / reschedule, idempotency."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.catalog.models import HoursException, WorkingHours
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.outbox.models import OutboxMessage
from tests.api.conftest import PREFIX, error, rows
from tests.appointments.factories import day_off, working_hours
from tests.factories import CustomerFactory, service, staff, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONTREAL = ZoneInfo("America/Montreal")
NOW = datetime(2031, 3, 1, 12, tzinfo=PARIS)  # Saturday
MONDAY = datetime(2031, 3, 3, tzinfo=PARIS)
H = timedelta(hours=1)


def at(h: int, m: int = 0, day: datetime = MONDAY) -> datetime:
    return day.replace(hour=h, minute=m)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alice(org):
    return working_hours(staff_member(org, "Alice"))


@pytest.fixture
def bob(org):
    return working_hours(staff_member(org, "Bob"))


@pytest.fixture
def haircut(org, alice, bob):
    return service(org, alice, bob, slot_step=timedelta(minutes=30), min_notice=timedelta(hours=2))


def send(api, method: str, path: str, body=None, key: str | None = None):
    headers = {"Authorization": f"Bearer {api.token}"}
    if key:
        headers["Idempotency-Key"] = key
    return getattr(api.client, method)(
        PREFIX + path,
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=headers,
    )


def slots_of(api, service_id: int, start: datetime, end: datetime, **extra):
    response = api.get(
        f"/services/{service_id}/availability",
        start=start.isoformat(),
        end=end.isoformat(),
        **extra,
    )
    assert response.status_code == 200, response.content
    return response.json()


def walls(body, zone=PARIS) -> list[str]:
    return [
        datetime.fromisoformat(s["starts_at"]).astimezone(zone).strftime("%H:%M")
        for s in body["slots"]
    ]


def test_create_read_and_update_a_service_with_its_settings(api, org, alice):
    settings = {
        "name": "Consultation",
        "duration_minutes": 45,
        "price": "60.00",
        "resource_ids": [alice.id],
        "requires_approval": True,
        "approval_note": "We confirm within a day.",
        "several_may_request": True,
        "approval_below_hours": 48,
        "min_notice_minutes": 120,
        "horizon_days": 30,
        "slot_step_minutes": 15,
        "buffer_after_minutes": 15,
    }
    made = api.post("/services", settings, key="svc-1")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["several_may_request"] is True and body["requests_hold_capacity"] is False
    assert body["resource_ids"] == [alice.id] and body["slot_step_minutes"] == 15
    again = api.post("/services", settings, key="svc-1")
    assert again.json() == body  # the same key: the first answer, nothing more
    changed = send(api, "post", f"/services/{body['id']}", {"slot_step_minutes": None}, "u1")
    assert changed.status_code == 200, changed.content
    assert changed.json()["slot_step_minutes"] is None
    assert api.get(f"/services/{body['id']}").json()["approval_below_hours"] == 48


def test_a_group_class_or_a_package_cannot_need_approval(api, alice):
    before = rows()
    refused = api.post(
        "/services",
        {
            "name": "Yoga",
            "duration_minutes": 60,
            "price": "10",
            "max_participants": 8,
            "requires_approval": True,
            "approval_note": "x",
        },
    )
    body = error(refused, 422, "invalid_terms")
    assert "Group classes" in json.dumps(body) or "Please correct" in body["message"]
    assert rows() == before


def test_hours_and_days_off_round_trip_and_bad_hours_are_refused(api, org):
    carol = staff_member(org, "Carol")
    put = send(
        api,
        "post",
        f"/resources/{carol.id}/hours",
        {
            "weekly": [
                {"weekday": 0, "starts": "09:00", "ends": "12:00"},
                {"weekday": 0, "starts": "14:00", "ends": "00:00"},
            ]
        },
        "h1",
    )
    assert put.status_code == 200, put.content
    assert put.json()["time_zone"] == "Europe/Paris"
    assert [(r["starts"], r["ends"]) for r in put.json()["weekly"]] == [
        ("09:00:00", "12:00:00"),
        ("14:00:00", "00:00:00"),
    ]
    overlap = send(
        api,
        "post",
        f"/resources/{carol.id}/hours",
        {
            "weekly": [
                {"weekday": 0, "starts": "09:00", "ends": "12:00"},
                {"weekday": 0, "starts": "11:00", "ends": "13:00"},
            ]
        },
    )
    error(overlap, 422, "invalid_terms")
    assert WorkingHours.objects.filter(resource=carol).count() == 2
    off = api.post(
        f"/resources/{carol.id}/exceptions",
        {"kind": "closed", "first_day": "2031-03-03", "note": "Holiday"},
        key="x1",
    )
    assert off.status_code == 201, off.content
    backwards = api.post(
        f"/resources/{carol.id}/exceptions",
        {"kind": "closed", "first_day": "2031-03-03", "last_day": "2031-03-01"},
    )
    error(backwards, 422, "invalid_terms")
    gone = send(api, "delete", f"/resources/{carol.id}/exceptions/{off.json()['id']}")
    assert gone.status_code == 204
    assert not HoursException.objects.filter(resource=carol).exists()


def test_availability_for_one_staff_member_or_any(api, org, alice, bob, haircut):
    one = slots_of(api, haircut.id, at(0), at(23, 59), resource_id=alice.id)
    assert one["time_zone"] == "Europe/Paris"
    assert walls(one)[:3] == ["09:00", "09:30", "10:00"]
    assert all(s["resource_id"] == alice.id for s in one["slots"])
    anyone = slots_of(api, haircut.id, at(0), at(23, 59))
    assert len(anyone["slots"]) == 2 * len(one["slots"])


def test_availability_is_written_as_json_dumps_of_the_schema_would(api, org, alice, bob):
    """The route writes its JSON itself (one text per distinct instant): byte for byte what
    json.dumps writes of the schema's shape, from `free_slots`, for several staff members
    with different hours, a day off, bookings and buffers."""
    from tentative.bookings import selectors

    day_off(bob, MONDAY.date() + timedelta(days=2))
    offer = service(
        org,
        alice,
        bob,
        duration=timedelta(minutes=45),
        slot_step=timedelta(minutes=15),
        buffer_after=timedelta(minutes=10),
    )
    WorkingHours.objects.filter(resource=bob, weekday=1).update(starts=time(10, 5))
    for resource, start in [(alice, at(10)), (bob, at(15, 15)), (alice, at(9, 45) + 24 * H)]:
        actions.create_booking(
            actor=staff(org),
            organisation_id=org.id,
            mode=State.CONFIRMED,
            lines=[actions.SlotRequest(offer.id, resource.id, start)],
        )
    start, end = at(7, 13), at(7, 13) + timedelta(days=5)
    response = api.get(
        f"/services/{offer.id}/availability", start=start.isoformat(), end=end.isoformat()
    )
    assert response.status_code == 200
    slots = selectors.free_slots(offer, start=start, end=end, now=NOW)
    assert len({s.resource_id for s in slots}) == 2 and len(slots) > 50

    def iso(moment: datetime) -> str:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

    expected = {
        "service_id": offer.id,
        "time_zone": "Europe/Paris",
        "start": iso(start),
        "end": iso(end),
        "slots": [
            {"starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at), "resource_id": s.resource_id}
            for s in slots
        ],
    }
    assert response.content.decode() == json.dumps(expected)


def twice(wall: str) -> list[str]:
    return [wall, wall]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Sunday 30 March 2031 in Paris: 02:00–03:00 never happens.
        ("Europe/Paris", datetime(2031, 3, 30), ["00:00", "01:00", "03:00", "04:00"]),
        # Sunday 26 October 2031 in Paris: 02:00–03:00 happens twice.
        ("Europe/Paris", datetime(2031, 10, 26), ["00:00", "01:00", *twice("02:00"), "03:00", "04:00"]),  # noqa: E501
        # Sunday 9 March 2031 in Montreal: 02:00–03:00 never happens.
        ("America/Montreal", datetime(2031, 3, 9), ["00:00", "01:00", "03:00", "04:00"]),
        # Sunday 2 November 2031 in Montreal: 01:00–02:00 happens twice.
        ("America/Montreal", datetime(2031, 11, 2), ["00:00", *twice("01:00"), "02:00", "03:00", "04:00"]),  # noqa: E501
    ],
)  # fmt: skip
def test_availability_on_the_23_and_25_hour_days(api, org, zone, day, expected):
    org.time_zone = zone
    org.save()
    night = working_hours(staff_member(org, "Night"), weekdays=[6], ranges=[(time(0), time(5))])
    offer = service(org, night, horizon_days=365)
    tz = ZoneInfo(zone)
    start = day.replace(tzinfo=tz)
    body = slots_of(api, offer.id, start, start + timedelta(days=1))
    assert body["time_zone"] == zone
    assert walls(body, tz) == expected
    # Each slot lasts one real hour, whatever the clock says.
    for slot in body["slots"]:
        length = datetime.fromisoformat(slot["ends_at"]) - datetime.fromisoformat(slot["starts_at"])
        assert length == timedelta(hours=1)


def test_a_request_then_approve_and_the_slot_is_gone(api, org, alice, haircut):
    who = CustomerFactory(organisation=org)
    made = api.post(
        "/appointments/requests",
        {
            "service_id": haircut.id,
            "resource_id": alice.id,
            "starts_at": at(10).isoformat(),
            "customer_id": who.id,
        },
        key="r1",
    )
    assert made.status_code == 201, made.content
    reference = made.json()["reference"]
    approved = api.post(f"/bookings/{reference}/approve", {}, key="a1")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == State.CONFIRMED
    assert "10:00" not in walls(slots_of(api, haircut.id, at(0), at(23), resource_id=alice.id))


def test_a_request_for_any_staff_member_takes_whoever_is_free(api, org, alice, bob, haircut):
    first = api.post(
        "/appointments/requests",
        {"service_id": haircut.id, "local_start": "2031-03-03T10:00"},
    )
    second = api.post(
        "/appointments/requests",
        {"service_id": haircut.id, "local_start": "2031-03-03T10:00"},
    )
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    staffed = set(TimeClaim.objects.values_list("resource_id", flat=True))
    assert staffed == {alice.id, bob.id}
    before = rows()
    third = api.post(
        "/appointments/requests",
        {"service_id": haircut.id, "local_start": "2031-03-03T10:00"},
    )
    error(third, 409, "no_free_staff")
    assert rows() == before


BAD_REQUESTS = [
    ("outside hours", {"local_start": "2031-03-03T12:30"}, 422, "outside_hours"),
    ("runs past the end", {"local_start": "2031-03-03T11:30"}, 422, "outside_hours"),
    ("off the grid", {"local_start": "2031-03-03T09:10"}, 422, "not_aligned"),
    ("Sunday", {"local_start": "2031-03-02T10:00"}, 422, "day_off"),
    ("below notice", {"local_start": "2031-03-01T13:00"}, 422, "notice"),
    ("beyond horizon", {"local_start": "2032-03-01T10:00"}, 422, "horizon"),
    ("in the past", {"starts_at": "2031-02-24T10:00:00+01:00"}, 422, "invalid"),
    ("skipped hour", {"local_start": "2031-03-30T02:30"}, 422, "nonexistent_time"),
    ("skipped, offset", {"starts_at": "2031-03-30T02:30:00+01:00"}, 422, "nonexistent_time"),
    ("repeated hour", {"local_start": "2031-10-26T02:30"}, 422, "ambiguous_time"),
    ("both", {"local_start": "2031-03-03T10:00", "starts_at": at(10).isoformat()}, 422, None),
    ("no start", {}, 422, None),
    ("naive starts_at", {"starts_at": "2031-03-03T10:00"}, 422, None),
    ("a number", {"starts_at": 1900000000}, 422, None),
]  # fmt: skip


@pytest.mark.parametrize(("why", "start", "status", "code"), BAD_REQUESTS)
def test_bad_requests_are_refused_and_write_nothing(
    api, org, alice, haircut, why, start, status, code
):
    day_off(alice, MONDAY.date() + timedelta(days=1))
    before = rows()
    response = api.post(
        "/appointments/requests",
        {"service_id": haircut.id, "resource_id": alice.id, **start},
    )
    body = error(response, status, code)
    assert body["message"] and body["message"] != body["code"]
    assert rows() == before
    assert not Booking.objects.exists()


@pytest.mark.parametrize("held_by", [State.CONFIRMED, State.OPTION])
def test_a_request_for_a_time_a_booking_holds_is_refused(api, org, alice, held_by):
    """*Several may request* on: a request holds nothing, yet a time that a confirmed
    booking or an option holds is refused (409 slot_taken, translated), nothing written."""
    several = service(
        org,
        alice,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="x",
        slot_step=timedelta(minutes=30),
    )
    actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=held_by,
        lines=[actions.SlotRequest(several.id, alice.id, at(10))],
    )
    pending = api.post(
        "/appointments/requests",
        {"service_id": several.id, "resource_id": alice.id, "local_start": "2031-03-03T15:00"},
    )
    assert pending.status_code == 201, pending.content  # another time: fine
    before = rows()
    for start, language, words in [
        ("2031-03-03T10:00", "en", "no longer free"),
        ("2031-03-03T10:30", "fr", "n’est plus libre"),  # overlaps 10:00–11:00
        ("2031-03-03T09:30", "es", "ya no está libre"),
    ]:
        response = api.post(
            "/appointments/requests",
            {"service_id": several.id, "resource_id": alice.id, "local_start": start},
            headers={"Accept-Language": language},
        )
        assert words in error(response, 409, "slot_taken")["message"]
    assert rows() == before


def test_the_refusal_is_in_the_callers_language(api, alice, haircut):
    response = api.post(
        "/appointments/requests",
        {"service_id": haircut.id, "resource_id": alice.id, "local_start": "2031-03-03T12:30"},
        headers={"Accept-Language": "fr"},
    )
    body = error(response, 422, "outside_hours")
    assert "Alice" in body["message"] and "ne travaille pas" in body["message"]


def test_decline_and_reschedule_through_the_booking_endpoints(api, org, alice, bob, haircut):
    made = [
        api.post(
            "/appointments/requests",
            {"service_id": haircut.id, "resource_id": alice.id, "local_start": f"2031-03-03T{h}"},
        ).json()["reference"]
        for h in ("10:00", "15:00")
    ]
    declined = api.post(f"/bookings/{made[0]}/decline", {"reason": "Fully booked"}, key="d1")
    assert declined.status_code == 200 and declined.json()["state"] == State.DECLINED
    moved = api.post(
        f"/bookings/{made[1]}/move",
        {
            "starts_at": at(16).isoformat(),
            "resource_id": bob.id,
            "reason": "Alice off (private)",
            "message": "Bob at 4 pm.",
        },
        key="m1",
    )
    assert moved.status_code == 200, moved.content
    event = OutboxMessage.objects.get(topic="booking.moved", kind="event")
    assert event.payload["message"] == "Bob at 4 pm."
    outside = api.post(f"/bookings/{made[1]}/move", {"starts_at": at(20).isoformat()})
    error(outside, 422, "outside_hours")
