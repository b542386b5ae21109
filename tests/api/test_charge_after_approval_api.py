"""Charge after approval on the API: the request's "decide by", approving into an option
awaiting payment, and authorising the card at request time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tentative.payments.models import Payment
from tentative.payments.providers import simulated
from tentative.payments.providers.simulated import Choice
from tests.api.conftest import error, line, rows
from tests.factories import on_sale

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def request(api, date, ticket) -> dict:  # type: ignore[no-untyped-def, type-arg]
    response = api.post("/bookings", {"mode": "request", "lines": [line(date, ticket, 2)]})
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_a_request_carries_its_decide_by_and_the_authorisation_shortens_it(api, org, settings):
    settings.SIMULATED_AUTHORISATION_DAYS = 2
    date, ticket = on_sale(
        org, requires_approval=True, approval_charge="authorise", decision_days=2
    )
    ticket.decision_days = 2
    made = request(api, date, ticket)
    assert made["decide_by"] == "2026-03-04T09:00:00Z", str(made)  # the request's own deadline
    answer = api.post(f"/bookings/{made['reference']}/authorise", {})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["pay_url"].endswith(f"/simulated-card/{body['payment']['reference']}/")
    assert body["payment"]["state"] == "created"
    payment = Payment.objects.get(reference=body["payment"]["reference"])
    assert payment.capture_later and payment.amount == ticket.price * 2
    # The customer authorises an hour later: the authorisation ends 2 days after that, an
    # hour after the request's deadline, which stays first.
    moment = T0 + timedelta(hours=1)
    simulated.checkout(payment, Choice.SUCCESS, now=moment)
    from tentative.payments import actions

    actions.apply_return(payment.reference, now=moment)
    listed = api.get("/bookings", state="request").json()["items"]
    assert [b["decide_by"] for b in listed] == ["2026-03-04T09:00:00Z"]
    before = rows()
    error(api.post(f"/bookings/{made['reference']}/authorise", {}), 409, "already_authorised")
    assert rows() == before


def test_an_authorisation_ending_first_sets_decide_by(api, org, settings):
    settings.SIMULATED_AUTHORISATION_DAYS = 1
    date, ticket = on_sale(
        org, requires_approval=True, approval_charge="authorise", decision_days=3
    )
    made = request(api, date, ticket)
    reference = api.post(f"/bookings/{made['reference']}/authorise", {}).json()["payment"][
        "reference"
    ]
    simulated.checkout(Payment.objects.get(reference=reference), Choice.SUCCESS, now=T0)
    from tentative.payments import actions

    actions.apply_return(reference, now=T0)
    assert api.get(f"/bookings/{made['reference']}").json()["decide_by"] == "2026-03-03T09:00:00Z"
    approved = api.post(f"/bookings/{made['reference']}/approve", {})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["state"], approved.json()["decide_by"]) == ("option", None)


def test_approving_a_charged_request_as_confirmed_is_refused(api, org):
    date, ticket = on_sale(org, requires_approval=True, approval_charge="after_approval")
    made = request(api, date, ticket)
    before = rows()
    refused = error(
        api.post(f"/bookings/{made['reference']}/approve", {"target": "confirmed"}),
        422,
        "charged_after_approval",
    )
    assert ticket.name in refused["message"]
    assert rows() == before
    assert api.post(f"/bookings/{made['reference']}/approve", {}).json()["state"] == "option"


def test_only_a_request_of_an_authorise_offer_can_be_authorised(api, org):
    date, ticket = on_sale(org, requires_approval=True, approval_charge="after_approval")
    made = request(api, date, ticket)
    before = rows()
    error(api.post(f"/bookings/{made['reference']}/authorise", {}), 409, "not_authorisable")
    assert rows() == before
    assert timezone.now() == T0
