"""Session photos for staff (seed 004 "Photos").

- `/staff/bookings/<REF>/photos/`: the booking's photos (archived ones listed as such, with
  a button to restore), and the upload form (one or more JPEG / PNG / WebP files).
- `/staff/planning/photos/?day=2027-03-02&room=<id>`: a day's photos, of one room or all;
  each shows the booking (customer, room, time, players) on hover and on keyboard focus.
- `/staff/planning/photos/zip/?day=…&room=…`: the same photos as one zip, streamed.
- `/staff/photos/<id>/`: a photo's bytes, to staff of its organisation only (nothing in the
  storage has a public URL); an archived photo is not served.

Views parse, call the bookings actions (rights are the actions'), render; a refusal comes
back next to the file field with the error's HTTP status.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tentative.backoffice.access import staff_actor
from tentative.backoffice.planning import _day, _timed_booking, _zone
from tentative.bookings import actions
from tentative.bookings import labels as booking_labels
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.models import SessionPhoto
from tentative.catalog.models import Resource
from tentative.shared.errors import DomainError, NotFound


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput({"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class PhotoForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG, PNG or WebP; location data is removed."),
    )


@login_required
def booking_photos(request: HttpRequest, reference: str) -> HttpResponse:
    actor = staff_actor(request)
    booking, lines = _timed_booking(actor, reference)
    status = 200
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.add_session_photos(
                    booking.id,
                    actor=actor,
                    files=[f.read() for f in form.cleaned_data["photos"]],
                )
            except DomainError as error:
                form.add_error("photos", error.text)
                status = error.status
            else:
                messages.success(request, _("Photos added."))
                return redirect("backoffice:session_photos", booking.reference)
        else:
            status = 422
    return render(
        request,
        "backoffice/session_photos.html",
        {
            "booking": booking,
            "line": lines[0],
            "form": form,
            "rows": booking_selectors.booking_photos(booking),
            "state_label": booking_labels.label(booking_labels.STATES, booking.state),
        },
        status=status,
    )


@login_required
@require_POST
def restore_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        photo = actions.restore_session_photo(photo_id, actor=actor)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.text)
        photo = SessionPhoto.objects.filter(
            id=photo_id, organisation_id=actor.organisation_id
        ).first()
        if photo is None:
            raise Http404 from None
    else:
        messages.success(request, _("Photo restored."))
    return redirect("backoffice:session_photos", photo.booking.reference)


def _photo(request: HttpRequest, photo_id: int) -> SessionPhoto:
    actor = staff_actor(request)
    photo = (
        SessionPhoto.objects.filter(id=photo_id, organisation_id=actor.organisation_id)
        .select_related("booking")
        .first()
    )
    if photo is None or photo.archived_at is not None:
        raise Http404
    return photo


@login_required
def photo_file(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = _photo(request, photo_id)
    try:
        handle = photo.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _day_filter(request: HttpRequest) -> tuple[Any, datetime, datetime, Resource | None]:
    actor = staff_actor(request)
    zone = _zone(actor, request)
    day = _day(request, zone)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    room = None
    if request.GET.get("room"):
        room = Resource.objects.filter(
            organisation_id=actor.organisation_id,
            kind=Resource.Kind.ROOM,
            id=int(request.GET["room"]) if request.GET["room"].isdigit() else 0,
        ).first()
        if room is None:
            raise Http404
    return day, start, end, room


@login_required
def day_photos(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    day, start, end, room = _day_filter(request)
    rows = booking_selectors.day_photos(
        actor.organisation_id,  # type: ignore[arg-type]
        start=start,
        end=end,
        room_id=room.id if room else None,
    )
    rooms = Resource.objects.filter(
        organisation_id=actor.organisation_id, kind=Resource.Kind.ROOM
    ).order_by("name")
    query = {"day": day.isoformat(), **({"room": room.id} if room else {})}
    return render(
        request,
        "backoffice/planning_photos.html",
        {
            "day": day,
            "room": room,
            "rooms": rooms,
            "rows": rows,
            "served": [r for r in rows if not r.archived],
            "archived": [r for r in rows if r.archived],
            "zip_url": reverse("backoffice:planning_photos_zip") + "?" + urlencode(query),
            "previous": "?" + urlencode({**query, "day": (day - timedelta(days=1)).isoformat()}),
            "next": "?" + urlencode({**query, "day": (day + timedelta(days=1)).isoformat()}),
            "planning_url": reverse("backoffice:planning") + "?" + urlencode({"day": day}),
        },
    )


class _Pipe:
    """A write-only stream `zipfile` writes into, emptied by the generator as it goes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _zip(rows: list[Any], zone: Any) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for number, row in enumerate(rows, start=1):
            when = row.starts_at.astimezone(zone).strftime("%H%M") if row.starts_at else "0000"
            room = "".join(c if c.isalnum() else "-" for c in row.room)[:40] or "room"
            extension = row.photo.file.name.rsplit(".", 1)[-1]
            name = f"{when}_{room}_{row.booking.reference}_{number}.{extension}"
            with row.photo.file.open("rb") as source, archive.open(name, "w") as target:
                while chunk := source.read(64 * 1024):
                    target.write(chunk)
                    yield pipe.take()
    yield pipe.take()


@login_required
def day_photos_zip(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    day, start, end, room = _day_filter(request)
    rows = [
        r
        for r in booking_selectors.day_photos(
            actor.organisation_id,  # type: ignore[arg-type]
            start=start,
            end=end,
            room_id=room.id if room else None,
        )
        if not r.archived
    ]
    if not rows:
        raise Http404
    response = StreamingHttpResponse(
        _zip(rows, _zone(actor, request)), content_type="application/zip"
    )
    suffix = f"-{room.id}" if room else ""
    response["Content-Disposition"] = f'attachment; filename="photos-{day.isoformat()}{suffix}.zip"'
    return response


__all__ = ["booking_photos", "day_photos", "day_photos_zip", "photo_file", "restore_photo"]
