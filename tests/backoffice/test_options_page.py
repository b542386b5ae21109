"""The release screen (issue 11 item 5, seed 001): options past or near their deadline,
soonest first; allow until a new date or release, per row and for the ticked ones; the
strict/flexible policy on the same page."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tests.api.conftest import rows
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    book,
    on_sale,
    staff,
)

pytestmark = pytest.mark.django_db
URL = "/staff/options/"


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def options(org, days_list):  # type: ignore[no-untyped-def]
    """One option per entry, due in that many days (negative: overdue), soonest last made."""
    date, ticket = on_sale(org, capacity=50, deadline_days_after_booking=10)
    owner = staff(org)
    made = []
    for days in days_list:
        option = book(owner, date, ticket, mode=State.OPTION)
        Booking.objects.filter(id=option.id).update(
            deadline_shown=timezone.now() + timedelta(days=days),
            deadline_enforced=timezone.now() + timedelta(days=days + 30),
        )
        made.append(option)
    return date, made


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    member = MembershipFactory(organisation=org, role=role)
    client.force_login(member.user)
    return member


def get(client, **params):  # type: ignore[no-untyped-def]
    response = client.get(URL, params, headers={"accept-language": "en"})
    assert response.status_code == 200
    return response.content.decode()


def local_input(moment):  # type: ignore[no-untyped-def]
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_overdue_and_soon_due_options_soonest_first(client, org):
    _, (later, overdue, soon, far) = options(org, [5, -1, 1, 20])
    signed_in(client, org)
    page = get(client)
    assert far.reference not in page
    assert page.index(overdue.reference) < page.index(soon.reference) < page.index(later.reference)
    assert "overdue by" in page and "due in" in page
    only_overdue = get(client, window="overdue")
    assert overdue.reference in only_overdue and soon.reference not in only_overdue
    assert far.reference in get(client, window="30")
    assert overdue.reference in get(client, window="<script>")  # unknown: the default


def test_allow_one_until_a_new_date_and_release_another(client, org):
    _, (first, second) = options(org, [-1, 1])
    signed_in(client, org)
    until = timezone.now() + timedelta(days=3)
    with timezone.override(org.zone):
        typed = local_input(until)
    response = client.post(
        URL + "?window=7", {"extend_one": first.id, f"until-{first.id}": typed, "reason": "B2B"}
    )
    assert response.status_code == 302
    assert "Allowed until" in get(client)
    extended = Booking.objects.get(id=first.id)
    assert extended.state == "option"
    assert timezone.localtime(extended.deadline_shown, org.zone).strftime("%Y-%m-%dT%H:%M") == typed
    assert AuditEntry.objects.get(booking=first, action="extend").reason == "B2B"
    client.post(URL, {"release_one": second.id})
    assert Booking.objects.get(id=second.id).state == "expired"
    assert "Released" in get(client)


def test_bulk_allow_and_bulk_release(client, org):
    _, made = options(org, [-2, -1, 1])
    signed_in(client, org)
    with timezone.override(org.zone):
        typed = local_input(timezone.now() + timedelta(days=4))
    client.post(URL, {"verb": "extend", "booking": [made[0].id, made[1].id], "until": typed})
    assert [Booking.objects.get(id=b.id).deadline_shown > timezone.now() for b in made[:2]] == [
        True,
        True,
    ]
    client.post(URL, {"verb": "release", "booking": [b.id for b in made]})
    assert set(Booking.objects.values_list("state", flat=True)) == {"expired"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"extend_one": "{id}", "until-{id}": ""}, "This field is required."),
        ({"extend_one": "{id}", "until-{id}": "not a date"}, "Enter a valid date/time."),
        (
            {"extend_one": "{id}", "until-{id}": "2001-01-01T10:00"},
            "Choose a moment in the future.",
        ),
        ({"verb": "extend", "booking": ["{id}"], "until": "2001-01-01T10:00"}, "in the future"),
        ({"verb": "extend", "booking": ["{id}"], "until": ""}, "This field is required."),
        ({"verb": "release"}, "Select at least one option."),
        ({"verb": "release", "booking": ["999999999"]}, "Select a valid choice."),
        ({"verb": "release", "booking": ["<script>"]}, "Select a valid choice."),
        (
            {
                "verb": "extend",
                "booking": ["{id}"],
                "until": "2099-01-01T10:00",
                "reason": "x" * 501,
            },
            "at most 500",
        ),
        ({"verb": "explode", "booking": ["{id}"]}, "Please correct the form."),
    ],
)
def test_bad_input_comes_back_next_to_the_field_and_changes_nothing(client, org, data, error):
    _, (option,) = options(org, [-1])
    signed_in(client, org)
    data = {
        k.format(id=option.id): [x.format(id=option.id) for x in v]
        if isinstance(v, list)
        else v.format(id=option.id)
        for k, v in data.items()
    }
    before = rows()
    response = client.post(URL, data, headers={"accept-language": "en"})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        error in page and 'role="alert"' in page and "<script>" not in page.split('id="content"')[1]
    )
    for key in ("until", f"until-{option.id}"):
        if data.get(key) and data[key] != "not a date":
            assert f'value="{data[key]}"' in page  # kept as typed
    assert rows() == before


def test_an_extension_after_the_event_is_refused_per_row(client, org):
    date, (option,) = options(org, [-1])
    signed_in(client, org)
    with timezone.override(org.zone):
        typed = local_input(date.starts_at + timedelta(days=1))
    client.post(URL, {"verb": "extend", "booking": [option.id], "until": typed})
    assert "before the event starts" in get(client)
    assert Booking.objects.get(id=option.id).deadline_shown < timezone.now()


def test_the_owner_sets_the_policy_the_others_see_it(client, org):
    signed_in(client, org)
    response = client.post(
        URL + "policy/", {"policy": "flexible", "grace_hours": "", "at_limit": "review"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.deadline_policy, org.deadline_grace, org.deadline_at_limit) == (
        "flexible",
        None,
        "review",
    )
    assert AuditEntry.objects.filter(action="staff.settings_changed").count() == 1
    # New options get it: held until staff act.
    date, ticket = on_sale(org)
    option = book(staff(org), date, ticket)
    assert option.deadline_enforced is None and option.at_limit == "review"
    client.post(URL + "policy/", {"policy": "flexible", "grace_hours": "48", "at_limit": "release"})
    org.refresh_from_db()
    assert org.deadline_grace == timedelta(hours=48)
    client.post(URL + "policy/", {"policy": "strict", "grace_hours": "48", "at_limit": "review"})
    org.refresh_from_db()
    assert (org.deadline_policy, org.deadline_grace, org.deadline_at_limit) == (
        "strict",
        None,
        "release",
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"policy": "lenient", "at_limit": "release"},
        {"policy": "flexible", "grace_hours": "-1", "at_limit": "release"},
        {"policy": "flexible", "grace_hours": "999999", "at_limit": "release"},
        {"policy": "flexible", "grace_hours": "<script>", "at_limit": "review"},
        {"policy": "flexible", "grace_hours": "1", "at_limit": "delete"},
    ],
)
def test_bad_policy_input_is_refused_next_to_the_field(client, org, data):
    signed_in(client, org)
    before = (org.deadline_policy, org.deadline_grace, org.deadline_at_limit)
    response = client.post(URL + "policy/", data, headers={"accept-language": "en"})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    org.refresh_from_db()
    assert (org.deadline_policy, org.deadline_grace, org.deadline_at_limit) == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
def test_managers_and_agents_release_and_allow_but_may_not_change_the_policy(client, org, role):
    _, (option,) = options(org, [-1])
    signed_in(client, org, role)
    page = get(client)
    assert "Only the account owner may change it." in page
    response = client.post(URL + "policy/", {"policy": "flexible", "at_limit": "review"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.deadline_policy == "strict"
    client.post(URL, {"release_one": option.id})
    assert Booking.objects.get(id=option.id).state == "expired"


def test_another_organisations_staff_see_nothing_and_change_nothing(client, org):
    _, (option,) = options(org, [-1])
    signed_in(client, OrganisationFactory())
    assert option.reference not in get(client)
    before = rows()
    response = client.post(URL, {"release_one": option.id})
    assert response.status_code == 422  # not a row of their page
    response = client.post(URL, {"verb": "release", "booking": [option.id]})
    assert response.status_code == 422
    assert rows() == before
    org.refresh_from_db()
    assert org.deadline_policy == "strict"


def test_without_a_membership_it_is_forbidden(client, org):
    options(org, [-1])
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL + "policy/", {"policy": "flexible"}).status_code == 403
