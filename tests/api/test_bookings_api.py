"""Bookings over the API: each mode, the list and its filters, reading, and every action."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, Participant
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tests.api.conftest import error, line, rows
from tests.factories import CustomerFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def taken(date) -> int:  # type: ignore[no-untyped-def]
    return CapacityPool.objects.get(event_date=date, ticket_type=None).taken


def create(api, date, ticket, mode="option", quantity=1, **extra):  # type: ignore[no-untyped-def]
    response = api.post(
        "/bookings", {"mode": mode, "lines": [line(date, ticket, quantity)], **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()


# -- creating, in each mode -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "holds", "places"),
    [("quote", False, 0), ("request", True, 2), ("option", True, 2), ("confirmed", True, 2)],
)
def test_create_in_each_mode(api, offer, mode, holds, places):
    date, ticket = offer
    body = create(api, date, ticket, mode=mode, quantity=2)
    assert body["state"] == mode
    assert body["holds_capacity"] is holds
    assert body["total"] == "40.00" and body["currency"] == "EUR"
    assert body["channel"] == "api"
    [created] = body["lines"]
    assert {k: v for k, v in created.items() if k not in ("id", "starts_at", "ends_at")} == {
        "event_date_id": date.id,
        "ticket_type_id": ticket.id,
        "service_id": None,
        "service_price_id": None,
        "resource_id": None,
        "quantity": 2,
        "unit_price": "20.00",
    }
    assert created["starts_at"].startswith(date.starts_at.isoformat()[:19])
    assert taken(date) == places
    booking = Booking.objects.get(reference=body["reference"])
    assert booking.state == mode
    assert AuditEntry.objects.filter(booking=booking, action="create").count() == 1


def test_creating_an_option_with_a_key_runs_eleven_statements(api, offer):
    """The hot path, pinned (docs/architecture.md, "The hot path"): the token, the key's
    claim, the catalog, the pools, five INSERTs (booking, line, hold, audit, outbox), the
    UPDATE storing the answer on the key, and the take. A new statement here costs every
    booking; add it knowingly. Ten became eleven when the key was claimed first (an INSERT
    before the action, the answer stored by an UPDATE after it) so that a concurrent
    duplicate waits for the first attempt instead of answering a refusal of its own."""
    date, ticket = offer
    api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 1)]}, key="warm")
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            "/bookings", {"mode": "option", "lines": [line(date, ticket, 1)]}, key="pinned"
        )
    assert response.status_code == 201
    # The test's own transaction turns BEGIN/COMMIT into savepoints: not counted.
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 11, statements


def test_an_option_states_its_deadline_and_the_rule(api, offer):
    date, ticket = offer
    body = create(api, date, ticket)
    assert body["deadline_shown"] is not None
    assert body["deadline_enforced"] == body["deadline_shown"]
    assert body["at_limit"] == "release"
    assert body["deadline_rule"] == "5 days after booking, capped at 2 days before the event"


def test_create_with_a_customer_participants_a_note_and_a_language(api, org, offer):
    date, ticket = offer
    customer = CustomerFactory(organisation=org, language="fr")
    participants = [{"name": "Ana", "email": "ana@example.org"}, {"name": "Ben"}]
    body = create(
        api,
        date,
        ticket,
        quantity=2,
        customer_id=customer.id,
        note="Wheelchair access",
        channel="phone",
    )
    assert body["customer_id"] == customer.id
    assert body["language"] == "fr"  # the customer's, when the call names none
    assert body["channel"] == "phone"
    response = api.post(
        "/bookings",
        {
            "mode": "option",
            "lines": [line(date, ticket, 2, participants=participants)],
            "language": "es",
        },
    )
    assert response.status_code == 201
    assert response.json()["language"] == "es"
    names = set(Participant.objects.values_list("name", flat=True))
    assert names == {"Ana", "Ben"}


def test_create_with_several_lines_and_a_quota(api, org):
    date, ticket = on_sale(org, capacity=10, quota=3)
    from tests.factories import TicketTypeFactory

    cheap = TicketTypeFactory(event=date.event, price="5.00")
    response = api.post(
        "/bookings",
        {"mode": "confirmed", "lines": [line(date, ticket, 3), line(date, cheap, 4)]},
    )
    assert response.status_code == 201
    assert response.json()["total"] == "80.00"
    assert taken(date) == 7
    before = rows()
    error(api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]}), 409, "sold_out")
    assert rows() == before


def test_sold_out_is_a_409_and_writes_nothing(api, offer):
    date, ticket = offer
    create(api, date, ticket, mode="confirmed", quantity=9)
    before = rows()
    body = error(
        api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}), 409, "sold_out"
    )
    assert "1" in body["message"]  # how many are left
    assert rows() == before


def test_an_option_that_cannot_meet_its_deadline_is_refused(api, org):
    date, ticket = on_sale(
        org, starts_at=timezone.now() + timedelta(days=1), deadline_days_before_start=2
    )
    before = rows()
    error(
        api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]}),
        422,
        "deadline_unreachable",
    )
    assert rows() == before


def test_a_date_in_the_past_is_refused(api, org):
    date, ticket = on_sale(org, starts_at=timezone.now() - timedelta(hours=1))
    before = rows()
    error(api.post("/bookings", {"mode": "confirmed", "lines": [line(date, ticket)]}), 422)
    assert rows() == before


def test_the_same_offer_twice_is_refused(api, offer):
    date, ticket = offer
    before = rows()
    error(
        api.post("/bookings", {"mode": "quote", "lines": [line(date, ticket), line(date, ticket)]}),
        422,
        "invalid",
    )
    assert rows() == before


def test_a_date_without_capacity_is_not_on_sale(api, org):
    from tests.factories import EventDateFactory, TicketTypeFactory

    date = EventDateFactory(event__organisation=org)
    ticket = TicketTypeFactory(event=date.event)
    before = rows()
    error(api.post("/bookings", {"mode": "quote", "lines": [line(date, ticket)]}), 422, "invalid")
    assert rows() == before


# -- other organisations' ids never show through -----------------------------------------------


def test_another_organisations_date_ticket_or_customer_is_not_found(api, org, offer, other):
    date, ticket = offer
    _, other_date, other_ticket = other
    stranger = CustomerFactory(organisation=other[0])
    before = rows()
    for lines, customer_id in (
        ([line(other_date, other_ticket)], None),
        ([line(date, other_ticket)], None),  # a ticket type of another event
        ([line(other_date, ticket)], None),
        ([line(date, ticket)], stranger.id),
        ([line(date, ticket)], 987654321),
    ):
        body = {"mode": "option", "lines": lines, "customer_id": customer_id}
        error(api.post("/bookings", body), 404, "not_found")
    assert rows() == before


def test_another_organisations_booking_is_not_found_for_any_verb(api, other):
    other_org, other_date, other_ticket = other
    theirs = book(staff(other_org), other_date, other_ticket, mode=State.REQUEST)
    ref = theirs.reference
    error(api.get(f"/bookings/{ref}"), 404, "not_found")
    error(api.get(f"/bookings/{ref}/audit"), 404, "not_found")
    before = rows()
    for verb in ("approve", "decline", "confirm", "expire", "convert", "reinstate"):
        error(api.post(f"/bookings/{ref}/{verb}", {"reason": "x"}), 404, "not_found")
    error(api.post(f"/bookings/{ref}/cancel", {"reason": "x"}), 404, "not_found")
    until = (timezone.now() + timedelta(days=3)).isoformat()
    error(api.post(f"/bookings/{ref}/extend", {"until": until}), 404, "not_found")
    assert rows() == before
    assert api.get("/bookings").json()["count"] == 0
    assert api.get("/bookings", customer_id=1, event_date_id=other_date.id).json()["count"] == 0


# -- reading and listing --------------------------------------------------------------------


def test_read_a_booking_and_its_audit(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket)["reference"]
    body = api.get(f"/bookings/{ref}").json()
    assert body["reference"] == ref and body["state"] == "option"
    assert api.get(f"/bookings/{ref.lower()}").json()["reference"] == ref
    api.post(f"/bookings/{ref}/cancel", {"reason": "Changed plans"})
    audit = api.get(f"/bookings/{ref}/audit").json()
    assert [(a["action"], a["from_state"], a["to_state"]) for a in audit] == [
        ("create", "", "option"),
        ("cancel", "option", "cancelled"),
    ]
    assert audit[1]["reason"] == "Changed plans"
    assert audit[1]["actor_kind"] == "staff"
    error(api.get("/bookings/NOSUCHREF"), 404, "not_found")


def test_list_filters(api, org, offer):
    date, ticket = offer
    second, second_ticket = on_sale(org, capacity=10)
    customer = CustomerFactory(organisation=org)
    quote = create(api, date, ticket, mode="quote", customer_id=customer.id)
    option = create(api, date, ticket)
    firm = create(api, second, second_ticket, mode="confirmed")

    def refs(**params):  # type: ignore[no-untyped-def]
        response = api.get("/bookings", **params)
        assert response.status_code == 200, response.content
        return [b["reference"] for b in response.json()["items"]]

    assert refs() == [firm["reference"], option["reference"], quote["reference"]]
    assert refs(state="quote") == [quote["reference"]]
    assert refs(state="cancelled") == []
    assert refs(event_date_id=second.id) == [firm["reference"]]
    assert refs(customer_id=customer.id) == [quote["reference"]]
    assert refs(customer_id=987654321) == []
    past = (timezone.now() - timedelta(days=1)).isoformat()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert len(refs(created_after=past, created_before=future)) == 3
    assert refs(created_after=future) == []
    assert refs(created_before=past) == []


def test_list_paginates(api, offer):
    date, ticket = offer
    made = [create(api, date, ticket, mode="quote")["reference"] for _ in range(5)]
    first = api.get("/bookings", limit=2).json()
    assert first["count"] == 5
    assert [b["reference"] for b in first["items"]] == made[::-1][:2]
    rest = api.get("/bookings", limit=2, offset=4).json()
    assert [b["reference"] for b in rest["items"]] == [made[0]]
    assert api.get("/bookings", offset=10).json()["items"] == []
    error(api.get("/bookings", limit=0), 422, "invalid")
    error(api.get("/bookings", limit=201), 422, "invalid")
    error(api.get("/bookings", offset=-1), 422, "invalid")


# -- every action ---------------------------------------------------------------------------


def test_approve_a_request_into_an_option_or_a_firm_booking(api, org):
    date, ticket = on_sale(org, capacity=10, requires_approval=True)
    first = create(api, date, ticket, mode="request", quantity=2)["reference"]
    second = create(api, date, ticket, mode="request", quantity=2)["reference"]
    response = api.post(f"/bookings/{first}/approve", {"target": "option"})
    assert response.status_code == 200
    assert response.json()["state"] == "option"
    assert response.json()["deadline_shown"] is not None
    response = api.post(f"/bookings/{second}/approve", {})
    assert response.json()["state"] == "confirmed"
    assert taken(date) == 4
    error(api.post(f"/bookings/{second}/approve", {}), 409, "illegal_transition")


def test_approving_a_request_that_held_nothing_rechecks_the_places(api, org):
    date, ticket = on_sale(org, capacity=2, requires_approval=True, requests_hold_capacity=False)
    refs = [create(api, date, ticket, mode="request", quantity=2)["reference"] for _ in range(2)]
    assert api.post(f"/bookings/{refs[0]}/approve", {}).status_code == 200
    before = rows()
    error(api.post(f"/bookings/{refs[1]}/approve", {}), 409, "sold_out")
    assert rows() == before


def test_decline_a_request(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, mode="request", quantity=3)["reference"]
    response = api.post(f"/bookings/{ref}/decline", {"reason": "18+ only"})
    assert response.status_code == 200
    assert response.json()["state"] == "declined"
    assert taken(date) == 0
    error(api.post(f"/bookings/{ref}/decline", {}), 409, "illegal_transition")


def test_confirm_an_option(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, quantity=2)["reference"]
    body = api.post(f"/bookings/{ref}/confirm", {}).json()
    assert body["state"] == "confirmed"
    assert body["deadline_shown"] is None
    assert taken(date) == 2
    error(api.post(f"/bookings/{ref}/confirm", {}), 409, "illegal_transition")


def test_extend_an_option(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket)["reference"]
    until = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    response = api.post(f"/bookings/{ref}/extend", {"until": until.isoformat(), "reason": "VIP"})
    assert response.status_code == 200, response.content
    assert response.json()["deadline_shown"].startswith(
        until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )
    before = rows()
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    error(api.post(f"/bookings/{ref}/extend", {"until": past}), 422, "invalid")
    after_start = (date.starts_at + timedelta(days=1)).isoformat()
    error(api.post(f"/bookings/{ref}/extend", {"until": after_start}), 422, "invalid")
    assert rows() == before


def test_expire_then_reinstate(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, quantity=3)["reference"]
    assert api.post(f"/bookings/{ref}/expire", {}).json()["state"] == "expired"
    assert taken(date) == 0
    error(api.post(f"/bookings/{ref}/reinstate", {"target": "option"}), 422, "reason_required")
    body = api.post(f"/bookings/{ref}/reinstate", {"target": "option", "reason": "paid late"})
    assert body.status_code == 200, body.content
    assert body.json()["state"] == "option"
    assert taken(date) == 3


def test_reinstating_is_refused_when_the_places_are_gone(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, quantity=3)["reference"]
    api.post(f"/bookings/{ref}/expire", {})
    create(api, date, ticket, mode="confirmed", quantity=8)
    before = rows()
    error(api.post(f"/bookings/{ref}/reinstate", {"reason": "paid late"}), 409, "sold_out")
    assert rows() == before


def test_a_lapsed_option_can_no_longer_be_confirmed(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, quantity=2)["reference"]
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        error(api.post(f"/bookings/{ref}/confirm", {}), 409, "lapsed")
    assert Booking.objects.get(reference=ref).state == "option"  # the refusal rolled back
    assert taken(date) == 2


def test_cancel_with_and_without_reason(api, offer):
    date, ticket = offer
    option = create(api, date, ticket, quantity=2)["reference"]
    assert api.post(f"/bookings/{option}/cancel", {}).json()["state"] == "cancelled"
    firm = create(api, date, ticket, mode="confirmed", quantity=2)["reference"]
    error(api.post(f"/bookings/{firm}/cancel", {"reason": "   "}), 422, "reason_required")
    assert api.post(f"/bookings/{firm}/cancel", {"reason": "Ill"}).json()["state"] == "cancelled"
    assert taken(date) == 0
    error(api.post(f"/bookings/{firm}/cancel", {"reason": "again"}), 409, "illegal_transition")


def test_convert_a_quote(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, mode="quote", quantity=2)["reference"]
    body = api.post(f"/bookings/{ref}/convert", {"target": "option"}).json()
    assert body["state"] == "option" and body["holds_capacity"]
    assert taken(date) == 2
    error(api.post(f"/bookings/{ref}/convert", {}), 409, "illegal_transition")


def test_converting_a_quote_is_refused_when_the_places_are_gone(api, offer):
    date, ticket = offer
    ref = create(api, date, ticket, mode="quote", quantity=5)["reference"]
    create(api, date, ticket, mode="confirmed", quantity=6)
    before = rows()
    error(api.post(f"/bookings/{ref}/convert", {}), 409, "sold_out")
    assert rows() == before


@pytest.mark.parametrize(
    ("mode", "verb"),
    [
        ("quote", "approve"),
        ("quote", "decline"),
        ("quote", "confirm"),
        ("request", "convert"),
        ("request", "confirm"),
        ("option", "approve"),
        ("option", "reinstate"),
        ("confirmed", "expire"),
        ("confirmed", "extend"),
    ],
)
def test_illegal_transitions_are_409_and_write_nothing(api, offer, mode, verb):
    date, ticket = offer
    ref = create(api, date, ticket, mode=mode)["reference"]
    body = {"reason": "because"}
    if verb == "extend":
        body["until"] = (timezone.now() + timedelta(days=3)).isoformat()
    before = rows()
    error(api.post(f"/bookings/{ref}/{verb}", body), 409, "illegal_transition")
    assert rows() == before


# -- roles ------------------------------------------------------------------------------------


def test_an_agent_may_book_and_confirm_but_not_cancel_a_firm_booking(agent, api, offer):
    date, ticket = offer
    option = create(agent, date, ticket)["reference"]
    assert agent.post(f"/bookings/{option}/confirm", {}).status_code == 200
    before = rows()
    error(agent.post(f"/bookings/{option}/cancel", {"reason": "Ill"}), 403, "forbidden")
    assert rows() == before
    assert api.post(f"/bookings/{option}/cancel", {"reason": "Ill"}).status_code == 200


def test_an_agent_may_not_reinstate(agent, offer):
    date, ticket = offer
    ref = create(agent, date, ticket)["reference"]
    agent.post(f"/bookings/{ref}/expire", {})
    error(agent.post(f"/bookings/{ref}/reinstate", {"reason": "late"}), 403, "forbidden")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OWNER])
def test_managers_and_owners_may_cancel_a_firm_booking(org, offer, role):
    from tests.api.conftest import Api
    from tests.factories import api_token

    date, ticket = offer
    caller = Api(api_token(org, role))
    ref = create(caller, date, ticket, mode="confirmed")["reference"]
    assert caller.post(f"/bookings/{ref}/cancel", {"reason": "x"}).status_code == 200


# -- customers --------------------------------------------------------------------------------


def test_create_a_customer_and_book_for_them(api, offer):
    response = api.post(
        "/customers",
        {"name": "Écoles du Lac", "email": "info@ecoles.example.org", "kind": "company"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Écoles du Lac",
        "email": "info@ecoles.example.org",
        "kind": "company",
        "language": "",
    }
    date, ticket = offer
    assert create(api, date, ticket, customer_id=body["id"])["customer_id"] == body["id"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "Ana", "email": "not-an-email"},
        {"name": "Ana", "kind": "robot"},
        {"name": "Ana", "language": "de"},
        {"name": "A\x00na"},
        {"name": 42},
    ],
)
def test_a_bad_customer_is_refused(api, payload):
    before = rows()
    error(api.post("/customers", payload), 422, "invalid")
    assert rows() == before


# -- query counts do not grow with the data ---------------------------------------------------


def _queries(call) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def test_listing_and_reading_cost_the_same_for_few_or_many(api, org):
    date, ticket = on_sale(org, capacity=100)
    other_date, other_ticket = on_sale(org, capacity=100)
    owner = staff(org)
    event_ids = [date.event_id, other_date.event_id]

    def book_some(n: int):  # type: ignore[no-untyped-def]
        for _ in range(n):
            book(owner, date, ticket, mode=State.QUOTE)
            book(owner, other_date, other_ticket, mode=State.QUOTE)

    book_some(1)
    ref = Booking.objects.first().reference
    few = [
        _queries(lambda: api.get("/bookings")),
        _queries(lambda: api.get("/events")),
        _queries(lambda: api.get(f"/bookings/{ref}/audit")),
        _queries(lambda: api.get(f"/events/{event_ids[0]}")),
    ]
    book_some(15)
    api.post(f"/bookings/{ref}/extend", {"until": (date.starts_at - timedelta(days=3)).isoformat()})
    many = [
        _queries(lambda: api.get("/bookings")),
        _queries(lambda: api.get("/events")),
        _queries(lambda: api.get(f"/bookings/{ref}/audit")),
        _queries(lambda: api.get(f"/events/{event_ids[0]}")),
    ]
    assert few == many
    assert many[0] <= 5  # token, count, page, lines
