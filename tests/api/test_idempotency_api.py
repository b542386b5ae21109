"""Idempotency-Key on mutating calls: the first response, once; a different body, a 422."""

import pytest

from tentative.api.models import IdempotencyKey
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.shared.errors import CapacityBusy
from tests.api.conftest import Api, error, line, rows
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def test_the_same_key_and_body_return_the_first_response_and_book_once(api, offer):
    date, ticket = offer
    body = {"mode": "option", "lines": [line(date, ticket, 2)]}
    first = api.post("/bookings", body, key="order-1")
    assert first.status_code == 201
    before = rows()
    for _ in range(3):
        again = api.post("/bookings", body, key="order-1")
        assert again.status_code == 201
        assert again.json() == first.json()
    assert rows() == before
    assert Booking.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(api, offer):
    date, ticket = offer
    api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}, key="k")
    before = rows()
    changed = {"mode": "option", "lines": [line(date, ticket, 3)]}
    error(api.post("/bookings", changed, key="k"), 422, "idempotency_key_reused")
    # The same key on another endpoint is another request too.
    error(api.post("/customers", {"name": "Ana"}, key="k"), 422, "idempotency_key_reused")
    assert rows() == before


def test_an_action_repeated_with_its_key_answers_the_first_result(api, offer):
    date, ticket = offer
    ref = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]}).json()[
        "reference"
    ]
    first = api.post(f"/bookings/{ref}/cancel", {"reason": "x"}, key="cancel-1")
    assert first.status_code == 200
    again = api.post(f"/bookings/{ref}/cancel", {"reason": "x"}, key="cancel-1")
    assert (again.status_code, again.json()) == (200, first.json())
    # Without the key, the repeat is a new request, refused by the state machine.
    error(api.post(f"/bookings/{ref}/cancel", {"reason": "x"}), 409, "illegal_transition")


def test_keys_belong_to_one_token(org, offer):
    date, ticket = offer
    body = {"mode": "quote", "lines": [line(date, ticket)]}
    one, two = Api(api_token(org)), Api(api_token(org, Role.MANAGER))
    first = one.post("/bookings", body, key="shared").json()
    second = two.post("/bookings", body, key="shared").json()
    assert first["reference"] != second["reference"]
    assert Booking.objects.count() == 2


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
def test_a_bad_key_is_refused_and_nothing_is_written(api, offer, key):
    date, ticket = offer
    before = rows()
    body = {"mode": "option", "lines": [line(date, ticket)]}
    error(api.post("/bookings", body, key=key), 422, "invalid")
    assert rows() == before


def test_a_key_of_255_characters_is_fine(api, offer):
    date, ticket = offer
    body = {"mode": "option", "lines": [line(date, ticket)]}
    assert api.post("/bookings", body, key="k" * 255).status_code == 201


def test_a_refusal_is_stored_and_repeated_even_after_places_come_free(api, offer):
    """The key's first answer is its answer, refusals included: a retry after a timeout
    learns what the first attempt got. A new key tries again."""
    date, ticket = offer
    api.post("/bookings", {"mode": "confirmed", "lines": [line(date, ticket, 9)]})
    body = {"mode": "option", "lines": [line(date, ticket, 2)]}
    before = rows()
    first = error(api.post("/bookings", body, key="refused"), 409, "sold_out")
    assert first == {"code": "sold_out", "message": first["message"]}
    assert rows() == {**before, "IdempotencyKey": before["IdempotencyKey"] + 1}
    assert IdempotencyKey.objects.get(key="refused").status_code == 409
    ref = Booking.objects.get().reference
    api.post(f"/bookings/{ref}/cancel", {"reason": "freed"})
    again = api.post("/bookings", body, key="refused")
    assert (again.status_code, again.json()) == (409, first)
    assert Booking.objects.count() == 1
    assert api.post("/bookings", body, key="a-new-try").status_code == 201


def test_a_refusal_of_an_action_is_stored_too(api, offer):
    date, ticket = offer
    ref = api.post("/bookings", {"mode": "quote", "lines": [line(date, ticket)]}).json()[
        "reference"
    ]
    first = error(api.post(f"/bookings/{ref}/confirm", {}, key="c"), 409, "illegal_transition")
    before = rows()
    again = api.post(f"/bookings/{ref}/confirm", {}, key="c")
    assert (again.status_code, again.json()) == (409, first)
    assert rows() == before


def test_busy_stores_nothing_and_may_be_retried(api, offer, monkeypatch):
    """A lock timeout decides nothing ("try again"): the key is not kept, nor the booking."""
    from tentative.bookings.actions import create

    date, ticket = offer
    body = {"mode": "option", "lines": [line(date, ticket, 2)]}

    def busy(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise CapacityBusy()

    before = rows()
    with monkeypatch.context() as patched:
        patched.setattr(create, "take", busy)
        error(api.post("/bookings", body, key="retry-me"), 409, "capacity_busy")
    assert rows() == before
    assert api.post("/bookings", body, key="retry-me").status_code == 201
    assert IdempotencyKey.objects.filter(key="retry-me", status_code=201).count() == 1


def test_a_crash_stores_nothing(api, offer, monkeypatch):
    from tentative.bookings.actions import create

    date, ticket = offer

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    before = rows()
    monkeypatch.setattr(create, "take", crash)
    with pytest.raises(RuntimeError):
        api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]}, key="k")
    assert rows() == before


def test_an_invalid_body_with_a_key_stores_nothing(api):
    before = rows()
    error(api.post("/bookings", {"mode": "option", "lines": []}, key="bad"), 422, "invalid")
    error(api.post("/customers", raw="{", key="bad"), 400, "malformed")
    assert rows() == before
