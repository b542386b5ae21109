"""The pending orders page (issue 11 item 4): filters, the bulk decision and its outcome per
request, bad input, permissions per role and for another organisation, its query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tests.api.conftest import rows
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrganisationFactory,
    TicketTypeFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db
URL = "/staff/pending/"


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def requests(org, n, *, capacity=10, name="Concert", **terms):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(
        org, capacity=capacity, requires_approval=True, requests_hold_capacity=False, **terms
    )
    date.event.name = name
    date.event.save()
    owner = staff(org)
    made = []
    for i in range(n):
        customer = CustomerFactory(organisation=org, name=f"Guest {name} {i}")
        made.append(book(owner, date, ticket, mode=State.REQUEST, customer_id=customer.id))
    return date, ticket, made


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    member = MembershipFactory(organisation=org, role=role)
    client.force_login(member.user)
    return member


def get(client, url=URL, **params):  # type: ignore[no-untyped-def]
    response = client.get(url, params, headers={"accept-language": "en"})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_page_lists_requests_oldest_first_with_a_checkbox_each(client, org):
    _, _, made = requests(org, 3, decision_days=2)
    book(staff(org), *on_sale(org), mode=State.CONFIRMED)  # not a request: not listed
    signed_in(client, org)
    page = get(client)
    positions = [page.index(b.reference) for b in made]
    assert positions == sorted(positions)
    assert page.count('name="booking"') == 3
    assert 'data-select-all="booking"' in page and "select-all.js" in page
    assert page.count("Decide within 1\xa0day") == 3  # the countdown, to the decision limit


def test_filters_by_event_ticket_type_day_and_age(client, org):
    date_a, _, concert = requests(org, 2, name="Concert")
    date_b, _, opera = requests(org, 1, name="Opera")
    other_type = TicketTypeFactory(
        event=date_a.event, name="Balcony", requires_approval=True, requests_hold_capacity=False
    )
    balcony = book(staff(org), date_a, other_type, mode=State.REQUEST)
    signed_in(client, org)
    by_event = get(client, event=date_b.event_id)
    assert opera[0].reference in by_event and concert[0].reference not in by_event
    by_type = get(client, event=date_a.event_id, ticket_type=other_type.id)
    assert balcony.reference in by_type and concert[0].reference not in by_type
    local_day = timezone.localtime(date_b.starts_at, org.zone).date()
    by_day = get(client, day=local_day.isoformat())
    assert opera[0].reference in by_day
    old = Booking.objects.filter(id=concert[0].id)
    old.update(created_at=timezone.now() - timedelta(days=4))
    by_age = get(client, age="3")
    assert concert[0].reference in by_age and concert[1].reference not in by_age
    # A filter value that is not one of the choices is ignored, never a 500.
    assert concert[1].reference in get(client, event="abc", ticket_type="<script>", age="99")


def test_bulk_accept_and_refuse_show_the_outcome_per_request(client, org, mailoutbox=None):
    _, _, made = requests(org, 3, capacity=2)
    signed_in(client, org)
    response = client.post(
        URL,
        {"booking": [b.id for b in made], "decision": "accept", "message": "Welcome!"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 302 and response["Location"] == URL
    page = get(client)
    assert "Accepted: 2" in page and "Not accepted: no places remain (still waiting): 1" in page
    states = dict(Booking.objects.values_list("id", "state"))
    assert [states[b.id] for b in made] == ["confirmed", "confirmed", "request"]
    # The outcome is shown once: a reload shows the list, never decides again.
    assert "Accepted: 2" not in get(client)
    client.post(
        URL,
        {"booking": [made[2].id, made[0].id], "decision": "refuse", "message": "Sorry"},
    )
    page = get(client)
    assert "Refused: 1" in page and "Already decided: 1" in page
    assert Booking.objects.get(id=made[2].id).state == "declined"


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"decision": "accept"}, "Select at least one request."),
        ({"booking": ["-1"], "decision": "accept"}, "Unknown request."),
        ({"booking": ["<script>alert(1)</script>"], "decision": "refuse"}, "Unknown request."),
        ({"booking": ["1" * 40], "decision": "refuse"}, "Unknown request."),
        ({"booking": ["{id}"], "decision": "maybe"}, "Select a valid choice."),
        ({"booking": ["{id}"], "decision": "refuse", "message": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_input_comes_back_with_the_error_and_the_typed_values(client, org, data, field_error):
    _, _, made = requests(org, 1)
    signed_in(client, org)
    data = {
        k: [v.format(id=made[0].id) for v in vs] if isinstance(vs, list) else vs
        for k, vs in data.items()
    }
    before = rows()
    response = client.post(URL, data, headers={"accept-language": "en"})
    assert response.status_code == 422
    page = response.content.decode()
    assert field_error in page and 'role="alert"' in page
    assert "<script>alert(1)</script>" not in page
    if data.get("message"):
        assert data["message"][:50] in page  # the typed message is kept
    if data.get("booking") == [str(made[0].id)]:
        assert f'value="{made[0].id}" id="pick-{made[0].id}" checked' in page
    assert rows() == before


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT])
def test_every_staff_role_may_decide(client, org, role):
    _, _, made = requests(org, 1)
    signed_in(client, org, role)
    get(client)
    client.post(URL, {"booking": [made[0].id], "decision": "refuse"})
    assert Booking.objects.get(id=made[0].id).state == "declined"


def test_another_organisations_staff_see_nothing_and_change_nothing(client, org):
    _, _, made = requests(org, 2)
    signed_in(client, OrganisationFactory())
    page = get(client)
    assert made[0].reference not in page
    before = rows()
    client.post(URL, {"booking": [b.id for b in made], "decision": "accept"})
    assert rows() == before
    assert "Not found: 2" in get(client)


def test_signed_out_or_without_membership_nothing_is_shown(client, org):
    requests(org, 1)
    assert client.get(URL).status_code == 302  # to the sign-in page
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"decision": "accept"}).status_code == 403


QUERIES = 11


def test_the_page_costs_the_same_queries_whatever_the_number_of_requests(client, org):
    requests(org, 3)
    signed_in(client, org)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            get(client)
        return len(queries)

    few = count()
    requests(org, 40, name="Big")
    assert count() == few == QUERIES


def test_every_request_matching_the_filters_on_every_page_at_once(client, org):
    _, _, concert = requests(org, 3, name="Concert")
    opera_date, _, opera = requests(org, 60, capacity=100, name="Opera")
    signed_in(client, org)
    page = get(client, event=opera_date.event_id)
    assert "on every page" in page  # 60 requests: two pages of 50
    client.post(
        f"{URL}?event={opera_date.event_id}",
        {"all_matching": "on", "decision": "accept"},
    )
    states = dict(Booking.objects.values_list("id", "state"))
    assert {states[b.id] for b in opera} == {"confirmed"}
    assert {states[b.id] for b in concert} == {"request"}  # not matching: untouched
    assert "Accepted: 60" in get(client)
