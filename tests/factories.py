"""Factories and personas: who may do what, built fresh for each test."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tentative.accounts.models import ApiToken, Customer, Organisation, StaffMembership
from tentative.bookings import actions
from tentative.catalog.models import Event, EventDate, TicketType
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
