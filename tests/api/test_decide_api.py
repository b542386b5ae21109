"""POST /bookings/decide: the bulk decision on pending requests, one outcome per reference."""

import pytest

from tentative.bookings.models import Booking
from tentative.core.states import State
from tests.api.conftest import Api, error, rows
from tests.factories import api_token, book, on_sale, staff

pytestmark = pytest.mark.django_db


def pending(org, n, capacity=2):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(
        org, capacity=capacity, requires_approval=True, requests_hold_capacity=False
    )
    return [book(staff(org), date, ticket, mode=State.REQUEST) for _ in range(n)]


def test_accepting_reports_each_reference_and_repeats_answer_the_same(api, org, other):
    made = pending(org, 3, capacity=2)
    theirs = pending(other[0], 1)[0]
    body = {
        "references": [b.reference.lower() for b in made] + [theirs.reference, "NOSUCH"],
        "decision": "accept",
        "message": "See you there",
    }
    response = api.post("/bookings/decide", body, key="decide-1")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert [(o["reference"], o["outcome"], o["state"]) for o in answer["outcomes"]] == [
        (made[0].reference, "accepted", "confirmed"),
        (made[1].reference, "accepted", "confirmed"),
        (made[2].reference, "no_places", "request"),
        (theirs.reference, "not_found", ""),
        ("NOSUCH", "not_found", ""),
    ]
    assert answer["counts"] == {"accepted": 2, "no_places": 1, "not_found": 2}
    assert Booking.objects.get(id=theirs.id).state == "request"
    before = rows()
    again = api.post("/bookings/decide", body, key="decide-1")
    assert again.json() == answer and rows() == before


def test_refusing_then_accepting_the_same_says_already_decided(api, org):
    made = pending(org, 2)
    refs = [b.reference for b in made]
    refused = api.post("/bookings/decide", {"references": refs, "decision": "refuse"}, key="r")
    assert {o["outcome"] for o in refused.json()["outcomes"]} == {"refused"}
    accepted = api.post("/bookings/decide", {"references": refs, "decision": "accept"}, key="a")
    assert {o["outcome"] for o in accepted.json()["outcomes"]} == {"already_decided"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"references": [], "decision": "accept"},
        {"references": ["ABC"], "decision": "maybe"},
        {"references": ["<script>"], "decision": "accept"},
        {"references": ["A" * 13], "decision": "accept"},
        {"references": ["ABC"] * 1001, "decision": "accept"},
        {"references": ["ABC"], "decision": "refuse", "message": "x" * 2001},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(api, org, body):
    pending(org, 1)
    before = rows()
    error(api.post("/bookings/decide", body, key="bad"), 422)
    assert {k: v for k, v in rows().items() if k != "IdempotencyKey"} == {
        k: v for k, v in before.items() if k != "IdempotencyKey"
    }


def test_without_a_token_nothing_is_decided(org):
    made = pending(org, 1)
    response = Api(None).post(
        "/bookings/decide", {"references": [made[0].reference], "decision": "refuse"}, key="k"
    )
    assert response.status_code == 401
    assert Booking.objects.get(id=made[0].id).state == "request"
    assert api_token  # the personas' tokens are made by the fixtures
