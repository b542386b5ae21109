"""Reads of session photos (seed 004 "Photos"): a booking's, and a day's across rooms.

Both return each photo with what staff need beside it (customer, room, time, players),
in three queries whatever the number of photos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from tentative.bookings.models import Booking, BookingLine, SessionPhoto
from tentative.catalog.models import Service


@dataclass(frozen=True)
class PhotoRow:
    photo: SessionPhoto
    booking: Booking
    customer: str
    room: str
    room_id: int | None
    starts_at: datetime | None
    players: int

    @property
    def archived(self) -> bool:
        return self.photo.archived_at is not None


def _rows(photos: list[SessionPhoto]) -> list[PhotoRow]:
    booking_ids = {p.booking_id for p in photos}
    first: dict[int, BookingLine] = {}
    for line in (
        BookingLine.objects.filter(booking_id__in=booking_ids, starts_at__isnull=False)
        .select_related("resource")
        .order_by("booking_id", "id")
    ):
        first.setdefault(line.booking_id, line)
    players = dict(
        BookingLine.objects.filter(booking_id__in=booking_ids)
        .values("booking_id")
        .annotate(n=Sum("quantity"))
        .values_list("booking_id", "n")
    )
    rows = []
    for photo in photos:
        line = first.get(photo.booking_id)
        customer = photo.booking.customer
        rows.append(
            PhotoRow(
                photo=photo,
                booking=photo.booking,
                customer=(customer.name or customer.email) if customer else "",
                room=line.resource.name if line and line.resource else "",
                room_id=line.resource_id if line else None,
                starts_at=line.starts_at if line else None,
                players=players.get(photo.booking_id, 0),
            )
        )
    return rows


def booking_photos(booking: Booking) -> list[PhotoRow]:
    photos = list(
        SessionPhoto.objects.filter(booking=booking)
        .select_related("booking__customer")
        .order_by("uploaded_at", "id")
    )
    return _rows(photos)


def day_photos(
    organisation_id: int, *, start: datetime, end: datetime, room_id: int | None = None
) -> list[PhotoRow]:
    """Photos of the sessions starting in [start, end) (a day in the organisation's zone),
    of one room or all, by session time then upload."""
    lines = BookingLine.objects.filter(
        booking__organisation_id=organisation_id,
        service__kind=Service.Kind.ROOM_SESSION,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    if room_id is not None:
        lines = lines.filter(resource_id=room_id)
    photos = list(
        SessionPhoto.objects.filter(
            organisation_id=organisation_id, booking_id__in=lines.values("booking_id")
        ).select_related("booking__customer")
    )
    rows = _rows(photos)
    rows.sort(key=lambda r: (r.starts_at or start, r.room, r.photo.uploaded_at, r.photo.id))
    return rows


__all__ = ["PhotoRow", "booking_photos", "day_photos"]
