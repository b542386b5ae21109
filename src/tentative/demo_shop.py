"""Demo data of the public booking pages (issue 12): events in each mode a visitor meets.

On `/o/demo/`: the concert (with a question; the public buys it, `demo_sales`), the gala
(request: staff approve), an improvisation workshop that can only be bought (a name per
place, questions) and an open-air cinema whose first night is sold out and whose second
may be bought or reserved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.bookings.actions import LineRequest
from tentative.catalog import actions as catalog
from tentative.catalog.models import Event, EventDate, Question, TicketType
from tentative.core.deadlines import add_calendar_days
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor


def public_demo(org: Organisation, staff: Actor, company: Customer, now: datetime) -> None:
    concert = Event.objects.get(organisation=org, name="Concert au bord du lac")
    concert.description = (
        "Un concert en plein air au bord du lac, avec l’orchestre de chambre de la ville."
    )
    concert.save(update_fields=["description"])
    catalog.add_question(
        concert.id,
        actor=staff,
        label="Comment avez-vous connu le festival\u00a0?",
        kind=Question.Kind.CHOICE,
        choices=["Presse", "Réseaux sociaux", "Bouche à oreille", "Autre"],
    )
    gala = Event.objects.get(organisation=org, name="Gala 18+ (sur validation)")
    gala.description = "Soirée de gala réservée aux adultes. Chaque demande est validée."
    gala.save(update_fields=["description"])
    TicketType.objects.filter(event=gala).update(
        approval_note=(
            "Réservé aux 18 ans et plus\u00a0: nous validons chaque demande sous 3 jours. "
            "Vous ne payez rien tant qu’elle n’est pas acceptée."
        )
    )
    workshop = _event(
        org,
        "Atelier d'improvisation",
        "Deux heures pour découvrir l’improvisation théâtrale, en petit groupe.",
        days=(12, 19, 26),
        capacity=14,
        price="18.00",
        reservable=False,
    )
    workshop.names_required = True
    workshop.save(update_fields=["names_required"])
    catalog.add_question(
        workshop.id,
        actor=staff,
        label="Avez-vous déjà fait du théâtre\u00a0?",
        kind=Question.Kind.CHECKBOX,
    )
    catalog.add_question(
        workshop.id,
        actor=staff,
        label="Allergies ou besoins particuliers",
        kind=Question.Kind.LONG_TEXT,
        help="Pour la collation offerte à la pause.",
    )
    cinema = _event(
        org,
        "Ciné plein air",
        "Projection sous les étoiles. Apportez votre couverture\u00a0!",
        days=(9, 16),
        capacity=40,
        price="8.00",
        reservable=True,
    )
    date = EventDate.objects.filter(event=cinema).order_by("starts_at").first()
    assert date is not None
    ticket = TicketType.objects.get(event=cinema)
    actions.create_booking(
        actor=staff,
        organisation_id=org.id,
        mode=State.OPTION,
        customer_id=company.id,
        lines=[LineRequest(date.id, ticket.id, 40)],
        now=now,
    )


def _event(
    org: Organisation,
    name: str,
    description: str,
    *,
    days: tuple[int, ...],
    capacity: int,
    price: str,
    reservable: bool,
) -> Event:
    event = Event.objects.create(organisation=org, name=name, description=description)
    TicketType.objects.create(
        event=event,
        name="Entrée",
        price=Decimal(price),
        reservable=reservable,
        deadline_days_after_booking=5,
        deadline_days_before_start=2,
    )
    evening = timezone.localtime(timezone.now(), org.zone).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    for offset in days:
        starts = add_calendar_days(evening, offset, org.zone)
        created = EventDate.objects.create(
            event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        CapacityPool.objects.create(organisation=org, event_date=created, capacity=capacity)
    return event
