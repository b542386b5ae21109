"""Demo data for session photos (issue 14): yesterday's first session of "The Vault" (the
Lost Temple's when the Vault is closed that day), booked firm two days ago and played, with
a group photo added after it (a small image drawn here with Pillow), so
`/staff/planning/photos/` shows one on the demo's first run. Everything goes through the
actions, with `now` set to when each step would have happened."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.shared.actor import Actor


def group_photo(label: str) -> bytes:
    """A 480×320 JPEG: a sky-to-floor gradient, four figures and the room's name."""
    image = Image.new("RGB", (480, 320))
    draw = ImageDraw.Draw(image)
    for y in range(320):
        draw.line([(0, y), (480, y)], fill=(40 + y // 4, 60 + y // 5, 110 - y // 6))
    for i, colour in enumerate([(230, 120, 60), (90, 180, 120), (240, 200, 70), (170, 110, 200)]):
        x = 70 + i * 95
        draw.ellipse([x, 120, x + 44, 164], fill=colour)
        draw.rectangle([x + 4, 168, x + 40, 260], fill=colour)
    draw.text((16, 16), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def create_photos_demo(
    org: Organisation, staff: Actor, customers: list[Customer], now: datetime
) -> Booking | None:
    zone = org.zone
    yesterday = timezone.localtime(now, zone).date() - timedelta(days=1)
    booked_at = now - timedelta(days=2)
    grid = booking_selectors.planning(
        org.id, first=yesterday, last=yesterday, zone=zone, now=booked_at
    )
    # The Vault, or the Lost Temple when the Vault is closed (Mondays).
    rows = sorted(grid.rows, key=lambda r: r.room.name != "The Vault")
    found = [(r.room, c) for r in rows for c in r.cells if c.bookable]
    if not found:
        return None
    room, cell = found[0]
    price = room.services.get().prices.order_by("id").first()
    booking = actions.book_session(
        actor=staff,
        organisation_id=org.id,
        room_id=room.id,
        starts_at=cell.starts_at,
        players={price.id: 4},  # type: ignore[union-attr]
        mode=State.CONFIRMED,
        customer_id=customers[1].id,
        notify=False,
        now=booked_at,
    )
    actions.add_session_photos(
        booking.id,
        actor=staff,
        files=[group_photo(room.name)],
        now=cell.starts_at + timedelta(hours=1, minutes=10),
    )
    return booking
