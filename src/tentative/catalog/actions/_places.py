"""A room that sells places (issue 14 item 1, docs/rooms.md "Whole room, or places"): its
game's event and one ticket type per per-player price category, kept in step with the
room's page. The dates and their capacity pools are the inventory's
(`inventory.actions.sync_place_dates`), because a date comes with its pools."""

from __future__ import annotations

from tentative.catalog.models import Event, Service, ServicePrice, TicketType


def ensure_places_event(game: Service) -> Event:
    """The event whose dates are the room's sessions: made once, kept when the room goes
    back to whole-room sessions (its sold dates stay), reused when it sells places again."""
    if game.places_event_id is not None:
        event = Event.objects.get(id=game.places_event_id)
        if event.name != game.name:
            event.name = game.name
            event.save(update_fields=["name"])
        return event
    event = Event.objects.create(
        organisation_id=game.organisation_id, name=game.name, description=game.description
    )
    game.places_event = event
    return event


def sync_ticket_types(game: Service) -> None:
    """Each live per-player category is a ticket type of the room's event, at its name and
    price; a category removed or turned per-group unlinks its ticket type (lines that sold
    it keep it and their price; the planning and the box office no longer offer it)."""
    if game.places_event_id is None:
        return
    live = list(ServicePrice.objects.filter(service=game).select_related("ticket_type"))
    for price in live:
        if price.per_group:
            if price.ticket_type_id is not None:
                _retire(price.ticket_type_id)
                price.ticket_type = None
                price.save(update_fields=["ticket_type"])
            continue
        kind = price.ticket_type
        if kind is None:
            kind = TicketType.objects.create(
                event_id=game.places_event_id,
                name=price.name,
                price=price.price,
                reservable=game.reservable,
                deadline_days_after_booking=game.deadline_days_after_booking,
            )
            price.ticket_type = kind
            price.save(update_fields=["ticket_type"])
        elif (kind.name, kind.price, kind.deadline_days_after_booking) != (
            price.name,
            price.price,
            game.deadline_days_after_booking,
        ):
            kind.name, kind.price = price.name, price.price
            kind.deadline_days_after_booking = game.deadline_days_after_booking
            kind.save(update_fields=["name", "price", "deadline_days_after_booking"])
    linked = {p.ticket_type_id for p in live if p.ticket_type_id is not None}
    for kind_id in (
        TicketType.objects.filter(event_id=game.places_event_id)
        .exclude(id__in=linked)
        .values_list("id", flat=True)
    ):
        _retire(kind_id)


def _retire(ticket_type_id: int) -> None:
    """A ticket type nobody bought goes (its pools with it); one that was sold stays for
    its lines, unlinked from every category, and is no longer offered."""
    ServicePrice.every.filter(ticket_type_id=ticket_type_id).update(ticket_type=None)
    TicketType.objects.filter(id=ticket_type_id, lines__isnull=True).delete()
