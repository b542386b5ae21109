"""Factories and personas: who may do what, built fresh for each test."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tentative.accounts.models import ApiToken, Customer, Organisation, StaffMembership
from tentative.bookings import actions
from tentative.catalog.models import Event, EventDate, Resource, Service, ServicePrice, TicketType
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    time_zone = "Europe/Paris"
    currency = "EUR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OWNER


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Event {n}")


class EventDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventDate

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda d: d.starts_at + timedelta(hours=2))


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Ticket {n}")
    price = Decimal("20.00")
    deadline_days_after_booking = 5


def on_sale(
    org: Organisation,
    *,
    capacity: int = 100,
    starts_at: datetime | None = None,
    quota: int | None = None,
    **ticket: object,
) -> tuple[EventDate, TicketType]:
    """An event with one date and one ticket type, with its capacity pool(s)."""
    event = EventFactory(organisation=org)
    date = EventDateFactory(event=event, **({"starts_at": starts_at} if starts_at else {}))
    ticket_type = TicketTypeFactory(event=event, **ticket)
    CapacityPool.objects.create(organisation=org, event_date=date, capacity=capacity)
    if quota is not None:
        CapacityPool.objects.create(
            organisation=org, event_date=date, ticket_type=ticket_type, capacity=quota
        )
    return date, ticket_type


def staff(org: Organisation, role: Role = Role.OWNER) -> Actor:
    return Actor.staff(MembershipFactory(organisation=org, role=role))


def api_token(org: Organisation, role: Role = Role.OWNER) -> str:
    return ApiToken.issue(MembershipFactory(organisation=org, role=role), "tests")[1]


def book(
    actor: Actor,
    date: EventDate,
    ticket_type: TicketType,
    *,
    mode: State = State.OPTION,
    quantity: int = 1,
    now: datetime | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    return actions.create_booking(
        actor=actor,
        organisation_id=date.event.organisation_id,
        mode=mode,
        lines=[actions.LineRequest(date.id, ticket_type.id, quantity)],
        now=now,
        **kwargs,
    )


def staff_member(org: Organisation, name: str = "Alice") -> Resource:
    return Resource.objects.create(organisation=org, kind=Resource.Kind.STAFF, name=name)


def room(org: Organisation, name: str = "The Vault") -> Resource:
    return Resource.objects.create(organisation=org, kind=Resource.Kind.ROOM, name=name)


def service(
    org: Organisation,
    *resources: Resource,
    kind: str = Service.Kind.APPOINTMENT,
    duration: timedelta = timedelta(hours=1),
    prices: tuple[tuple[str, str], ...] = (("Standard", "50.00"),),
    **terms: object,
) -> Service:
    """A timed offer delivered by `resources`, with its prices (name, amount)."""
    terms.setdefault("deadline_days_after_booking", 5)
    offer = Service.objects.create(
        organisation=org, kind=kind, name=f"Service {kind}", duration=duration, **terms
    )
    offer.resources.set(resources)
    for name, amount in prices:
        ServicePrice.objects.create(service=offer, name=name, price=Decimal(amount))
    return offer


def session(org: Organisation, *rooms: Resource, **terms: object) -> Service:
    """A room session: 2 to 6 players, adults and children priced apart, 15 min to reset."""
    terms.setdefault("min_participants", 2)
    terms.setdefault("max_participants", 6)
    terms.setdefault("buffer_after", timedelta(minutes=15))
    return service(
        org,
        *rooms,
        kind=Service.Kind.ROOM_SESSION,
        prices=(("Adult", "30.00"), ("Child", "20.00")),
        **terms,
    )


def book_slot(
    actor: Actor,
    offer: Service,
    resource: Resource,
    starts_at: datetime,
    *,
    mode: State = State.OPTION,
    quantity: int = 1,
    now: datetime | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    """One booking of a slot: `quantity` people at the service's first price."""
    return actions.create_booking(
        actor=actor,
        organisation_id=offer.organisation_id,
        mode=mode,
        lines=[actions.SlotRequest(offer.id, resource.id, starts_at, quantity)],
        now=now,
        **kwargs,
    )
