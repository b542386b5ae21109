"""Organisation, events, dates and availability: what a staff token sees, and only that."""

import pytest
from django.utils import timezone

from tentative.accounts.models import ApiToken
from tentative.core.permissions import Role
from tentative.inventory.models import CapacityPool
from tests.api.conftest import Api, error
from tests.factories import (
    EventDateFactory,
    EventFactory,
    MembershipFactory,
    TicketTypeFactory,
    api_token,
    book,
    staff,
)

pytestmark = pytest.mark.django_db


def test_the_organisation_is_the_tokens_own(api, org, other):
    response = api.get("/organisation")
    assert response.status_code == 200
    assert response.json() == {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "default_language": "en",
        "deadline_policy": org.deadline_policy,
    }


def test_events_list_only_this_organisations_events(api, offer, other):
    date, ticket = offer
    response = api.get("/events")
    assert response.status_code == 200
    [event] = response.json()
    assert event["id"] == date.event_id
    assert [d["id"] for d in event["dates"]] == [date.id]
    assert event["ticket_types"] == [
        {
            "id": ticket.id,
            "name": ticket.name,
            "description": "",
            "price": "20.00",
            "requires_approval": False,
            "reservable": True,
        }
    ]


def test_one_event_and_another_organisations_is_not_found(api, offer, other):
    date, _ = offer
    assert api.get(f"/events/{date.event_id}").json()["id"] == date.event_id
    _, other_date, _ = other
    error(api.get(f"/events/{other_date.event_id}"), 404, "not_found")
    error(api.get("/events/987654321"), 404, "not_found")


def test_availability_counts_what_is_taken(api, org, offer):
    date, ticket = offer
    book(staff(org), date, ticket, quantity=3)
    response = api.get(f"/dates/{date.id}/availability")
    assert response.status_code == 200
    assert response.json() == {
        "event_date_id": date.id,
        "free": 7,
        "pools": [{"ticket_type_id": None, "capacity": 10, "taken": 3, "set_aside": 0, "free": 7}],
    }


def test_availability_lists_quota_pools(api, org):
    from tests.factories import on_sale

    date, ticket = on_sale(org, capacity=10, quota=4)
    pools = api.get(f"/dates/{date.id}/availability").json()["pools"]
    assert [(p["ticket_type_id"], p["free"]) for p in pools] == [(None, 10), (ticket.id, 4)]


def test_a_date_with_only_a_quota_pool_has_nothing_free(api, org):
    """Once crashed: the date's general pool was looked up with a bare next()."""
    event = EventFactory(organisation=org)
    date = EventDateFactory(event=event)
    ticket = TicketTypeFactory(event=event)
    CapacityPool.objects.create(organisation=org, event_date=date, ticket_type=ticket, capacity=5)
    response = api.get(f"/dates/{date.id}/availability")
    assert response.status_code == 200
    assert response.json()["free"] == 0


def test_another_organisations_date_is_not_found(api, other):
    _, other_date, _ = other
    error(api.get(f"/dates/{other_date.id}/availability"), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/organisation", "/events", "/events/1", "/dates/1/availability", "/bookings"]
)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
)
def test_reading_needs_a_valid_token(org, offer, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = Api(None).get(path, headers=headers)
    error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_or_an_inactive_user_is_refused(org):
    revoked = api_token(org)
    ApiToken.objects.update(revoked_at=timezone.now())
    error(Api(revoked).get("/organisation"), 401, "unauthenticated")

    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    _, token = ApiToken.issue(membership, "tests")
    assert Api(token).get("/organisation").status_code == 200
    membership.user.is_active = False
    membership.user.save()
    error(Api(token).get("/organisation"), 401, "unauthenticated")
