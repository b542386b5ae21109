"""POST /api/v1/check-ins: one scan per call, a nonce per scan."""

from decimal import Decimal

import pytest

from tentative.checkin.models import CheckIn, Scan
from tentative.core.states import State
from tentative.notifications.tickets import ticket_codes
from tentative.payments import actions as payment_actions
from tests.api.conftest import Api, error
from tests.factories import OrganisationFactory, api_token, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10, price=Decimal("15"), name="Tarif plein")
    booking = book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED)
    payment_actions.record_payment(booking.id, actor=staff(org), amount=Decimal("15"))
    return ticket_codes(booking, list(booking.lines.all()))[0].code


def test_a_scan_then_its_repeat_then_another_scan(api, code):
    first = api.post("/check-ins", {"code": code, "nonce": "d1-0001"})
    assert first.status_code == 200, first.content
    assert first.json()["outcome"] == "valid" and first.json()["ticket_type"] == "Tarif plein"
    repeat = api.post("/check-ins", {"code": code, "nonce": "d1-0001"}).json()
    assert repeat["outcome"] == "valid" and repeat["repeated"] is True
    other = api.post("/check-ins", {"code": code, "nonce": "d2-0001"}).json()
    assert other["outcome"] == "already_used"
    assert other["first_used_at"] == first.json()["first_used_at"]
    assert CheckIn.objects.count() == 1 and Scan.objects.count() == 2


def test_not_valid_is_an_answer_not_an_error(api):
    body = api.post("/check-ins", {"code": "NOTATICKET", "nonce": "n"}).json()
    assert body["outcome"] == "not_valid" and body["reason"] == "unknown" and body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": "X"},
        {"code": "X", "nonce": ""},
        {"code": "X", "nonce": "x" * 65},
        {"code": "X", "nonce": "with space"},
        {"code": "", "nonce": "n"},
        {"code": "X" * 65, "nonce": "n"},
        {"code": "X", "nonce": "n", "event_date": -1},
        {"code": "X", "nonce": "n", "event_date": "1"},
    ],
)
def test_bad_input_is_a_422_and_writes_nothing(api, body):
    error(api.post("/check-ins", body), 422)
    assert Scan.objects.count() == 0


def test_another_organisation_s_date_is_not_found(api, code):
    other_date, _ = on_sale(OrganisationFactory())
    error(api.post("/check-ins", {"code": code, "nonce": "n", "event_date": other_date.id}), 404)
    assert Scan.objects.count() == 0


def test_without_a_token_nothing_is_checked_in(code):
    assert Api(None).post("/check-ins", {"code": code, "nonce": "n"}).status_code == 401
    stranger = Api(api_token(OrganisationFactory()))
    assert (
        stranger.post("/check-ins", {"code": code, "nonce": "n"}).json()["outcome"] == "not_valid"
    )
    assert CheckIn.objects.count() == 0


def test_an_idempotency_key_answers_the_first_scan_again(api, code):
    first = api.post("/check-ins", {"code": code, "nonce": "k-1"}, key="key-1")
    again = api.post("/check-ins", {"code": code, "nonce": "k-1"}, key="key-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["outcome"] == "valid"
    other = api.post("/check-ins", {"code": code, "nonce": "k-2"}, key="key-2").json()
    assert other["outcome"] == "already_used"
    assert CheckIn.objects.count() == 1 and Scan.objects.count() == 2


def test_a_date_s_attendees_for_a_door_device(api, org, code):
    from tentative.checkin.models import CheckIn as Done

    api.post("/check-ins", {"code": code, "nonce": "a-1"})
    date_id = Done.objects.get().line.event_date_id
    rows = api.get(f"/dates/{date_id}/attendees").json()
    assert [(r["code"], r["ticket_type"], r["checked_in_at"] is not None) for r in rows] == [
        (code, "Tarif plein", True)
    ]
    other, _ = on_sale(OrganisationFactory())
    error(api.get(f"/dates/{other.id}/attendees"), 404)
