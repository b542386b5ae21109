"""Audiences, the channel × audience matrix, sales profiles: their actions, `sale_modes`
over real rows, and the engine refusing what a channel or audience may not do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.accounts import actions as accounts
from tentative.accounts.errors import AudiencesManagersOnly, InvalidAudience, PublicAudienceStays
from tentative.accounts.models import Audience, Customer
from tentative.audit.models import AuditEntry
from tentative.bookings import errors
from tentative.bookings.models import Booking
from tentative.catalog import actions as catalog
from tentative.catalog.errors import CatalogueManagersOnly, InvalidTerms
from tentative.catalog.selectors import sale_modes, sale_rules
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound
from tests.factories import CustomerFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def owner(org):  # type: ignore[no-untyped-def]
    return staff(org)


def schools_setup(org, owner):  # type: ignore[no-untyped-def]
    """Schools may reserve on the B2B portal and the web; the public may only buy on the
    web; one event in a profile for schools (reservable) and one for the public (for sale)."""
    date, ticket = on_sale(org)
    schools = accounts.create_audience(org.id, actor=owner, name="Schools")
    accounts.set_reserve_channels(
        org.id, {None: ["box_office"], schools.id: ["web", "b2b"]}, actor=owner
    )
    public = Audience.objects.get(organisation=org, is_public=True)
    for_schools = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Schools", audience_ids=(schools.id,)), actor=owner
    )
    catalog.set_profile_item(
        for_schools.id, actor=owner, event_id=ticket.event_id, for_sale=True, reservable=True
    )
    for_public = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Public", audience_ids=(public.id,)), actor=owner
    )
    catalog.set_profile_item(
        for_public.id, actor=owner, event_id=ticket.event_id, for_sale=True, reservable=True
    )
    return date, ticket, schools


# -- sale_modes over rows ---------------------------------------------------------------------


def test_schools_may_reserve_where_the_public_may_only_buy(org, owner):  # type: ignore[no-untyped-def]
    date, ticket, schools = schools_setup(org, owner)
    assert sale_modes(ticket, date, channel="web", audience_id=schools.id).modes == (
        "buy",
        "reserve",
    )
    assert sale_modes(ticket, date, channel="web").modes == ("buy",)
    assert sale_modes(ticket, date, channel="box_office").modes == ("buy", "reserve")
    # The ticket type's own terms cap it whatever the profile and the matrix say.
    ticket.reservable = False
    assert sale_modes(ticket, date, channel="web", audience_id=schools.id).modes == ("buy",)


def test_the_most_specific_item_wins_then_the_narrow_period(org, owner):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org)
    season = catalog.create_sales_profile(
        org.id,
        catalog.ProfileData(
            name="Season", starts_at=NOW - timedelta(days=60), ends_at=NOW + timedelta(days=60)
        ),
        actor=owner,
    )
    catalog.set_profile_item(
        season.id, actor=owner, event_id=ticket.event_id, for_sale=True, reservable=True
    )
    assert sale_modes(ticket, date, at=NOW).profile_id == season.id
    week = catalog.create_sales_profile(
        org.id,
        catalog.ProfileData(
            name="Last week: buy only",
            starts_at=NOW - timedelta(days=3),
            ends_at=NOW + timedelta(days=4),
        ),
        actor=owner,
    )
    catalog.set_profile_item(
        week.id, actor=owner, event_id=ticket.event_id, for_sale=True, reservable=False
    )
    modes = sale_modes(ticket, date, at=NOW)
    assert (modes.modes, modes.profile_id) == (("buy",), week.id)
    assert sale_modes(ticket, date, at=NOW + timedelta(days=10)).profile_id == season.id
    # A ticket-type item in the season beats the week's event item.
    catalog.set_profile_item(
        season.id, actor=owner, ticket_type_id=ticket.id, for_sale=True, reservable=True
    )
    assert sale_modes(ticket, date, at=NOW).modes == ("buy", "reserve")


def test_an_organisation_without_rules_costs_no_query(org, django_assert_num_queries):  # type: ignore[no-untyped-def]
    org.refresh_from_db()
    with django_assert_num_queries(0):
        assert sale_rules(org).profiles == ()


def test_the_rules_are_read_in_four_queries(org, owner, django_assert_num_queries):  # type: ignore[no-untyped-def]
    schools_setup(org, owner)
    org.refresh_from_db()
    with django_assert_num_queries(4):
        rules = sale_rules(org)
    assert len(rules.profiles) == 2 and rules.public_id is not None


# -- the actions ------------------------------------------------------------------------------


def test_agents_may_not_change_audiences_or_profiles(org):  # type: ignore[no-untyped-def]
    agent = staff(org, Role.AGENT)
    with pytest.raises(AudiencesManagersOnly):
        accounts.create_audience(org.id, actor=agent, name="Schools")
    with pytest.raises(AudiencesManagersOnly):
        accounts.set_reserve_channels(org.id, {None: []}, actor=agent)
    with pytest.raises(CatalogueManagersOnly):
        catalog.create_sales_profile(org.id, catalog.ProfileData(name="P"), actor=agent)
    manager = staff(org, Role.MANAGER)
    assert accounts.create_audience(org.id, actor=manager, name="Schools").name == "Schools"


def test_another_organisations_rows_are_not_found(org, owner):  # type: ignore[no-untyped-def]
    other = OrganisationFactory()
    theirs = staff(other)
    audience = accounts.create_audience(other.id, actor=theirs, name="Schools")
    profile = catalog.create_sales_profile(other.id, catalog.ProfileData(name="P"), actor=theirs)
    _, ticket = on_sale(other)
    with pytest.raises(NotFound):
        accounts.rename_audience(audience.id, actor=owner, name="Mine")
    with pytest.raises(NotFound):
        accounts.set_reserve_channels(org.id, {audience.id: []}, actor=owner)
    with pytest.raises(NotFound):
        catalog.set_profile_item(profile.id, actor=owner, for_sale=True, reservable=False)
    mine = catalog.create_sales_profile(org.id, catalog.ProfileData(name="P"), actor=owner)
    with pytest.raises(NotFound):
        catalog.set_profile_item(
            mine.id, actor=owner, ticket_type_id=ticket.id, for_sale=True, reservable=True
        )
    with pytest.raises(InvalidTerms) as refused:
        catalog.create_sales_profile(
            org.id, catalog.ProfileData(name="P", audience_ids=(audience.id,)), actor=owner
        )
    assert "audiences" in refused.value.fields


def test_bad_input_is_refused_field_by_field(org, owner):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTerms) as refused:
        catalog.create_sales_profile(
            org.id,
            catalog.ProfileData(
                name=" ",
                channels=("web", "pigeon"),
                starts_at=NOW,
                ends_at=NOW - timedelta(days=1),
                priority=5000,
            ),
            actor=owner,
        )
    assert set(refused.value.fields) == {"name", "channels", "ends_at", "priority"}
    with pytest.raises(InvalidAudience):
        accounts.create_audience(org.id, actor=owner, name="")
    accounts.create_audience(org.id, actor=owner, name="Schools")
    with pytest.raises(InvalidAudience):
        accounts.create_audience(org.id, actor=owner, name="schools")
    with pytest.raises(InvalidAudience):
        accounts.set_reserve_channels(org.id, {None: ["carrier pigeon"]}, actor=owner)
    assert not Audience.objects.filter(is_public=True).exists()


def test_every_change_is_audited_and_the_public_audience_stays(org, owner):  # type: ignore[no-untyped-def]
    *_, schools = schools_setup(org, owner)
    public = Audience.objects.get(organisation=org, is_public=True)
    with pytest.raises(PublicAudienceStays):
        accounts.delete_audience(public.id, actor=owner)
    customer = CustomerFactory(organisation=org)
    accounts.set_customer_audience(customer.id, schools.id, actor=owner)
    accounts.delete_audience(schools.id, actor=owner)
    assert Customer.objects.get(id=customer.id).audience_id is None
    actions = list(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True))
    for expected in (
        "audience.created",
        "audience.reserve_channels",
        "catalog.profile_created",
        "catalog.profile_item",
        "audience.customer",
        "audience.deleted",
    ):
        assert expected in actions


def test_a_profile_item_is_one_per_product_and_can_be_removed(org, owner):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org)
    profile = catalog.create_sales_profile(org.id, catalog.ProfileData(name="P"), actor=owner)
    first = catalog.set_profile_item(
        profile.id, actor=owner, ticket_type_id=ticket.id, for_sale=False, reservable=False
    )
    again = catalog.set_profile_item(
        profile.id, actor=owner, ticket_type_id=ticket.id, for_sale=True, reservable=False
    )
    assert first.id == again.id and profile.items.count() == 1
    assert sale_modes(ticket, date).modes == ("buy",)
    catalog.remove_profile_item(profile.id, again.id, actor=owner)
    assert sale_modes(ticket, date).modes == ("buy", "reserve")


# -- the engine refuses -----------------------------------------------------------------------


def test_a_customer_cannot_reserve_where_their_audience_may_only_buy(org, owner):  # type: ignore[no-untyped-def]
    date, ticket, schools = schools_setup(org, owner)
    member = CustomerFactory(organisation=org)
    with pytest.raises(errors.NotReservable):
        book(Actor.customer(member), date, ticket, channel="web")
    accounts.set_customer_audience(member.id, schools.id, actor=owner)
    assert book(Actor.customer(member), date, ticket, channel="web").state == State.OPTION


def test_a_product_off_sale_on_a_channel_is_refused_there_and_nothing_is_written(org, owner):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org)
    profile = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Not online", channels=("web",)), actor=owner
    )
    catalog.set_profile_item(profile.id, actor=owner, for_sale=False, reservable=False)
    customer = Actor.customer(CustomerFactory(organisation=org))
    with pytest.raises(errors.NotForSale) as refused:
        book(customer, date, ticket, channel="web")
    assert ticket.name in refused.value.text
    with pytest.raises(errors.NotForSale):
        book(customer, date, ticket, mode=State.REQUEST)
    assert not Booking.objects.exists()
    # In the back office staff keep what their role allows, whatever the channel.
    assert book(owner, date, ticket, channel="box_office").state == State.OPTION
    assert book(owner, date, ticket, channel="web").state == State.OPTION


def test_reservable_only_refuses_a_purchase(org, owner):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org)
    profile = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Pay later only", channels=("web",)), actor=owner
    )
    catalog.set_profile_item(profile.id, actor=owner, for_sale=False, reservable=True)
    api = Actor(**{**owner.__dict__, "via": "api"})  # an integration acting as the shop
    with pytest.raises(errors.OnlyReservable):
        book(api, date, ticket, mode=State.CONFIRMED, channel="web")
    assert book(api, date, ticket, mode=State.OPTION, channel="web").state == State.OPTION


def test_the_demo_shows_schools_reserving_and_the_overlap_rule() -> None:
    from tentative.accounts.models import Organisation
    from tentative.demo import create_demo

    create_demo()
    org = Organisation.objects.get(slug="demo")
    concert = org.events.get(name="Concert au bord du lac")
    full, reduced = concert.ticket_types.order_by("id")
    schools = org.audiences.get(name="Scolaires").id
    assert sale_modes(full, channel="web").modes == ("buy",)
    assert sale_modes(full, channel="web", audience_id=schools).modes == ("buy", "reserve")
    # The ticket-type item of the narrow profile beats the schools' event-wide item.
    assert sale_modes(reduced, channel="web", audience_id=schools).modes == ("buy",)


def test_the_checkout_refuses_a_choice_the_profiles_do_not_offer(org, owner):  # type: ignore[no-untyped-def]
    """The hold is a cart (only "offered at all" is checked); the choice is checked when
    the form is submitted, in the action, whatever page posted it. A school's email typed
    into the public form does not give a school's rights."""
    from tentative.bookings import actions as booking_actions

    date, ticket, schools = schools_setup(org, owner)
    CustomerFactory(organisation=org, email="head@school.example", audience=schools)
    visitor = Actor.visitor(org.id)
    held = booking_actions.hold_places(
        actor=visitor,
        organisation_id=org.id,
        event_date_id=date.id,
        ticket_type_id=ticket.id,
        quantity=1,
        request=False,
        address="10.0.0.1",
    )
    submission = booking_actions.Submission(
        contact=booking_actions.Contact(name="Head", email="head@school.example"),
        mode="reserve",
    )
    with pytest.raises(errors.NotReservable):
        booking_actions.check_out(held.checkout_token, actor=visitor, submission=submission)
    held.refresh_from_db()
    assert held.checkout_token and held.customer_id is None  # nothing written
    bought = booking_actions.check_out(
        held.checkout_token,
        actor=visitor,
        submission=booking_actions.Submission(contact=submission.contact, mode="buy"),
    )
    assert bought.checkout_mode == "buy"
