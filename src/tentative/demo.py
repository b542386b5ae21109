"""Demo data: one organisation, an owner and an agent, two events, a staff member who takes
appointments, two escape-game rooms, and bookings in every state on each kind of offer.

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
from tentative.catalog.models import Event, EventDate, Resource, Service, ServicePrice, TicketType
from tentative.core.approval import Charge
from tentative.core.deadlines import add_calendar_days
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.demo_appointments import create_appointments_demo
from tentative.demo_calendar import create_calendar_demo
from tentative.demo_desk import desk_demo
from tentative.demo_portal import create_portal_demo
from tentative.demo_sales import sales_demo
from tentative.demo_shop import public_demo
from tentative.inventory import actions as inventory_actions
from tentative.inventory.models import CapacityPool, Reserve
from tentative.payments import actions as payments
from tentative.payments.providers import simulated
from tentative.photos_demo import create_photos_demo
from tentative.rooms_demo import create_rooms_demo
from tentative.shared.actor import Actor
from tentative.waitlist.demo import create_waitlist_demo

OWNER = ("owner", "owner-demo-pass")
# The platform's operator, the only one who opens the Django admin (issue 11): a superuser
# who belongs to no organisation. The demo's owner is staff of the theatre, never a
# superuser, so the admin cannot show them every organisation's data.
OPERATOR = ("operator", "operator-demo-pass")
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
            users[role] = StaffMembership.objects.create(user=user, organisation=org, role=role)
        _, token = ApiToken.issue(users[Role.OWNER], "demo")
        get_user_model().objects.create_superuser(OPERATOR[0], password=OPERATOR[1])
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
    paid = book(State.CONFIRMED, c_date, concert_types[0], 2, customers[0])
    payments.record_payment(paid.id, actor=staff, amount=paid.total, method="terminal", now=now)
    deposit = book(State.OPTION, c_date, concert_types[1], 4, company)
    payments.record_payment(
        deposit.id, actor=staff, amount=Decimal("30.00"), method="transfer", now=now
    )
    # Issue 10: the rest of the deposit asked through a payment link, emailed; and an
    # option whose link, sent three days ago, expired yesterday.
    payments.create_payment_request(deposit.id, actor=staff, send=True, now=now)
    earlier = now - timedelta(days=3)
    unpaid = actions.create_booking(
        actor=staff,
        organisation_id=org.id,
        mode=State.OPTION,
        customer_id=customers[2].id,
        lines=[LineRequest(c_date.id, concert_types[0].id, 1)],
        now=earlier,
    )
    payments.create_payment_request(
        unpaid.id, actor=staff, expires_at=now - timedelta(days=1), send=True, now=earlier
    )
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
    _charge_after_approval(gala, gala_types[0], g_date, staff, customers, now)
    _reserves(org, staff, c_date, concert_types[0], customers[2])
    _appointments(org, staff, users[Role.AGENT], customers, company, now)
    _room_sessions(org, staff, customers, company, now)
    public_demo(org, staff, company, now)
    create_appointments_demo(org, staff, customers, now)  # issue 13: hours, free slots
    create_calendar_demo(users[Role.OWNER])  # issue 13: the owner's own diary and feed
    _vouchers(staff, customers, deposit=deposit, cancelled=cancelled, now=now)
    create_waitlist_demo(org, staff, customers, now)
    sales_demo(org, staff, company, now)
    create_rooms_demo(org, staff, customers, now)  # issue 14: The Vault, Lost Temple
    create_photos_demo(org, staff, customers, now)  # issue 14: a played session's photo
    desk_demo(org, staff, c_date, concert_types[0], concert_types[1], customers[1], now)
    return {
        "owner": f"{OWNER[0]} / {OWNER[1]}",
        "agent": f"{AGENT[0]} / {AGENT[1]}",
        "api token (owner)": token,
        "platform operator (Django admin at /admin/, no organisation)": (
            f"{OPERATOR[0]} / {OPERATOR[1]}"
        ),
        **create_portal_demo(org),
    }


def _charge_after_approval(gala, entry, date, staff, customers, now):  # type: ignore[no-untyped-def]
    """Issue 10 item 4: the gala's entry is paid after approval (a payment request once
    accepted: the worker sends one for the request approved above); its dinner authorises
    the card at request, captured on acceptance, so requests are decided within 5 days."""
    entry.approval_charge = Charge.AFTER_APPROVAL.value
    entry.save(update_fields=["approval_charge"])
    dinner = TicketType.objects.create(
        event=gala,
        name="Dîner de gala (carte autorisée à la demande)",
        price=Decimal("85.00"),
        requires_approval=True,
        approval_charge=Charge.AUTHORISE.value,
        decision_days=5,
        deadline_days_after_booking=3,
    )
    dinner.full_clean()
    for who in customers[:2]:
        request = actions.create_booking(
            actor=staff,
            organisation_id=gala.organisation_id,
            mode=State.REQUEST,
            customer_id=who.id,
            lines=[LineRequest(date.id, dinner.id, 2)],
            now=now,
        )
    # The last one's card is authorised on the simulated processor's page; the other waits.
    payment = payments.authorise_request(request.id, actor=staff, now=now)
    answer = simulated.checkout(payment, simulated.Choice.SUCCESS, now=now)
    if answer is not None:
        payments.apply_notification(simulated.SimulatedCard.code, answer, now=now)


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


def _vouchers(staff, customers, *, deposit, cancelled, now):  # type: ignore[no-untyped-def]
    """Coupons (one sent, one not, one partly used on the company's option) and a gift
    voucher sold at the desk."""
    in_a_year = now + timedelta(days=365)
    sent = payments.issue_voucher(
        actor=staff,
        kind="coupon",
        amount=Decimal("15.00"),
        email=customers[2].email,
        expires_at=in_a_year,
        note="Geste commercial",
        now=now,
    )
    payments.send_voucher(sent.code, actor=staff, now=now)
    payments.issue_voucher(
        actor=staff,
        kind="coupon",
        amount=Decimal("20.00"),
        booking_id=cancelled.id,
        expires_at=in_a_year,
        note="Programme changé",
        now=now,
    )
    used = payments.issue_voucher(
        actor=staff, kind="coupon", amount=Decimal("50.00"), expires_at=in_a_year, now=now
    )
    payments.redeem_voucher(deposit.id, used.code, Decimal("20.00"), actor=staff, now=now)
    payments.issue_voucher(
        actor=staff,
        kind="gift",
        amount=Decimal("100.00"),
        method="terminal",
        email=customers[0].email,
        now=now,
    )


def _appointments(org, staff, agent, customers, company, now):  # type: ignore[no-untyped-def]
    """Seed 003: a staff member whose appointments are requested, then approved,
    rescheduled or declined; several clients may request the same slot."""
    with transaction.atomic():
        lea = Resource.objects.create(
            organisation=org, kind=Resource.Kind.STAFF, name="Léa Moreau", membership=agent
        )
        visit = Service.objects.create(
            organisation=org,
            kind=Service.Kind.APPOINTMENT,
            name="Visite des coulisses",
            description="Une heure dans les coulisses avec une régisseuse.",
            duration=timedelta(hours=1),
            buffer_after=timedelta(minutes=15),
            max_participants=4,
            requires_approval=True,
            requests_hold_capacity=False,  # several clients may request the same slot
            deadline_days_after_booking=3,
        )
        visit.resources.add(lea)
        ServicePrice.objects.create(service=visit, name="Visite", price=Decimal("15.00"))
    day = timezone.localtime(now, org.zone).replace(hour=10, minute=0, second=0, microsecond=0)
    at = [add_calendar_days(day, offset, org.zone) for offset in (7, 8, 9)]

    def request(starts, who, people=1):  # type: ignore[no-untyped-def]
        return actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=State.REQUEST,
            customer_id=who.id,
            lines=[actions.SlotRequest(visit.id, lea.id, starts, people)],
            now=now,
        )

    approved = request(at[0], customers[0], 2)
    # Declined before the approval: a request for a slot already given is refused (issue 13).
    declined = request(at[0], customers[2])
    actions.decline_booking(declined.id, actor=staff, reason="Créneau déjà attribué")
    actions.approve_booking(approved.id, actor=staff, target=State.CONFIRMED)
    request(at[1], customers[1])  # two requests for the same slot, both pending
    request(at[1], customers[2])
    moved = request(at[2], company, 4)
    actions.approve_booking(moved.id, actor=staff, target=State.OPTION)
    actions.move_booking(
        moved.id,
        actor=staff,
        to=actions.Destination(starts_at=at[2] + timedelta(hours=4)),
        reason="La classe arrive l'après-midi",
    )


def _room_sessions(org, staff, customers, company, now):  # type: ignore[no-untyped-def]
    """Seed 004: escape-game rooms, sessions booked FIRM, as a QUOTE or as an OPTION,
    with players per price category."""
    with transaction.atomic():
        rooms = [
            Resource.objects.create(organisation=org, kind=Resource.Kind.ROOM, name=name)
            for name in ("Le Coffre", "Le Laboratoire")
        ]
        game = Service.objects.create(
            organisation=org,
            kind=Service.Kind.ROOM_SESSION,
            name="Escape game",
            duration=timedelta(hours=1),
            buffer_after=timedelta(minutes=30),  # resetting the room
            min_participants=2,
            max_participants=6,
            deadline_days_after_booking=2,
        )
        game.resources.add(*rooms)
        adult = ServicePrice.objects.create(service=game, name="Adulte", price=Decimal("28.00"))
        child = ServicePrice.objects.create(service=game, name="Enfant", price=Decimal("20.00"))
    day = timezone.localtime(now, org.zone).replace(hour=14, minute=0, second=0, microsecond=0)
    start = add_calendar_days(day, 5, org.zone)

    def play(mode, room, starts, who, adults, children=0):  # type: ignore[no-untyped-def]
        lines = [actions.SlotRequest(game.id, room.id, starts, adults, adult.id)]
        if children:
            lines.append(actions.SlotRequest(game.id, room.id, starts, children, child.id))
        return actions.create_booking(
            actor=staff, organisation_id=org.id, mode=mode, customer_id=who.id, lines=lines
        )

    firm = play(State.CONFIRMED, rooms[0], start, customers[0], 2, 2)
    play(State.OPTION, rooms[0], start + timedelta(hours=2), company, 6)
    play(State.QUOTE, rooms[1], start, customers[2], 4)  # a quote blocks nothing
    fewer = play(State.CONFIRMED, rooms[1], start + timedelta(hours=2), customers[1], 5)
    line = fewer.lines.all()[0]
    actions.change_quantity(fewer.id, actor=staff, line_id=line.id, quantity=4, reason="Un absent")
    cancelled = play(State.OPTION, rooms[1], start + timedelta(hours=4), customers[2], 3)
    actions.cancel_booking(cancelled.id, actor=staff, reason="Annulé par le client")
    actions.move_booking(firm.id, actor=staff, to=actions.Destination(resource_id=rooms[1].id))


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
