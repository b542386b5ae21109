"""Demo data: one organisation, an owner and an agent, two events, bookings in every state.

Built through the action functions, like real bookings, so the demo exercises the engine.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tentative.accounts.models import ApiToken, Customer, Organisation, StaffMembership
from tentative.bookings import actions
from tentative.bookings.actions import LineRequest
from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.deadlines import add_calendar_days
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import actions as inventory_actions
from tentative.inventory.models import CapacityPool, Reserve
from tentative.shared.actor import Actor

OWNER = ("owner", "owner-demo-pass")
AGENT = ("agent", "agent-demo-pass")


def create_demo() -> dict[str, str]:
    if Organisation.objects.filter(slug="demo").exists():
        return {"status": "demo data already present"}
    with transaction.atomic():
        org = Organisation.objects.create(
            name="Théâtre du Lac",
            slug="demo",
            time_zone="Europe/Paris",
            currency="EUR",
            default_language="fr",
        )
        users = {}
        for (username, password), role in ((OWNER, Role.OWNER), (AGENT, Role.AGENT)):
            user = get_user_model().objects.create_user(username, password=password)
            if role == Role.OWNER:
                user.is_staff = user.is_superuser = True
                user.save()
            users[role] = StaffMembership.objects.create(user=user, organisation=org, role=role)
        _, token = ApiToken.issue(users[Role.OWNER], "demo")
        customers = [
            Customer.objects.create(organisation=org, name=name, email=email, language=lang)
            for name, email, lang in (
                ("Camille Martin", "camille@example.org", "fr"),
                ("Lucía García", "lucia@example.org", "es"),
                ("Sam Taylor", "sam@example.org", "en"),
            )
        ]
        company = Customer.objects.create(
            organisation=org,
            kind=Customer.Kind.COMPANY,
            name="Écoles du Lac",
            email="reservations@ecoles.example.org",
            language="fr",
        )
        company.contacts.create(name="Anne Roux", email="anne@ecoles.example.org", role="Buyer")
        concert, concert_types = _event(
            org,
            "Concert au bord du lac",
            days=(20, 21),
            capacity=300,
            types=(("Tarif plein", "32.00", False), ("Tarif réduit", "22.00", False)),
        )
        gala, gala_types = _event(
            org,
            "Gala 18+ (sur validation)",
            days=(40,),
            capacity=120,
            types=(("Entrée gala", "55.00", True),),
        )
    staff = Actor.staff(users[Role.OWNER])
    now = timezone.now()

    def book(mode: State, date: EventDate, ticket: TicketType, qty: int, who: Customer):  # type: ignore[no-untyped-def]
        return actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=mode,
            customer_id=who.id,
            lines=[LineRequest(date.id, ticket.id, qty)],
            now=now,
        )

    c_date, g_date = concert.dates.first(), gala.dates.first()
    book(State.CONFIRMED, c_date, concert_types[0], 2, customers[0])
    book(State.OPTION, c_date, concert_types[1], 4, company)
    book(State.QUOTE, c_date, concert_types[0], 30, company)
    book(State.REQUEST, g_date, gala_types[0], 2, customers[1])
    book(State.REQUEST, g_date, gala_types[0], 1, customers[2])
    declined = book(State.REQUEST, g_date, gala_types[0], 2, customers[2])
    actions.decline_booking(declined.id, actor=staff, reason="Réservé aux 18 ans et plus")
    cancelled = book(State.OPTION, c_date, concert_types[0], 3, customers[1])
    actions.cancel_booking(cancelled.id, actor=staff, reason="Changement de programme")
    lapsed = book(State.OPTION, c_date, concert_types[1], 2, customers[0])
    actions.expire_booking(lapsed.id, actor=staff, reason="Délai dépassé")
    approved = book(State.REQUEST, g_date, gala_types[0], 2, customers[0])
    actions.approve_booking(approved.id, actor=staff, target=State.OPTION)
    _reserves(org, staff, c_date, concert_types[0], customers[2])
    return {
        "owner": f"{OWNER[0]} / {OWNER[1]}",
        "agent": f"{AGENT[0]} / {AGENT[1]}",
        "api token (owner)": token,
    }


def _reserves(org, staff, date, ticket, customer):  # type: ignore[no-untyped-def]
    """Seed 002: places kept for the press (drawn at the box office) and for the artists."""
    press = inventory_actions.create_reserve(
        org.id, actor=staff, name="Presse", release_before=timedelta(hours=48)
    )
    inventory_actions.set_allocation(
        press.id, actor=staff, event_date_id=date.id, ticket_type_id=ticket.id, quantity=10
    )
    artists = inventory_actions.create_reserve(
        org.id, actor=staff, name="Artistes", kind=Reserve.Kind.WITHOUT_ACCESS
    )
    inventory_actions.set_allocation(
        artists.id, actor=staff, event_date_id=date.id, ticket_type_id=ticket.id, quantity=6
    )
    actions.create_booking(
        actor=staff,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        customer_id=customer.id,
        lines=[LineRequest(date.id, ticket.id, 2, reserve_id=press.id)],
    )


def _event(org, name, *, days, capacity, types):  # type: ignore[no-untyped-def]
    event = Event.objects.create(organisation=org, name=name, description="")
    ticket_types = [
        TicketType.objects.create(
            event=event,
            name=label,
            price=Decimal(price),
            requires_approval=approval,
            deadline_days_after_booking=5,
            deadline_days_before_start=2,
        )
        for label, price, approval in types
    ]
    evening = timezone.localtime(timezone.now(), org.zone).replace(
        hour=20, minute=30, second=0, microsecond=0
    )
    for offset in days:
        starts = add_calendar_days(evening, offset, org.zone)
        date = EventDate.objects.create(
            event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        CapacityPool.objects.create(organisation=org, event_date=date, capacity=capacity)
    return event, ticket_types
