"""Session photos: upload (checked, location removed, nothing written on a refusal),
served to the organisation's staff only, the day page and its zip, archiving by the worker
and restoring by staff."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from django.utils import timezone, translation
from PIL import Image

from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.errors import NotAnImage, PhotoNotArchived, PhotoTooLarge
from tentative.bookings.models import BookingLine, SessionPhoto
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, NotFound
from tentative.worker.registry import jobs
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory
from tests.rooms.factories import book, escape_room, in_days

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(*, gps: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG with a GPS block and an orientation, as a phone writes them."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return Actor.staff(membership)


@pytest.fixture
def session(org, owner):
    room = escape_room(org, owner)
    customer = CustomerFactory(organisation=org, name="Lea Martin")
    return book(
        owner, room, in_days(org, 1, "10:00"), 3, 1, mode=State.CONFIRMED, customer_id=customer.id
    )


def test_a_photo_is_stored_without_its_location_but_with_its_orientation(session, owner):
    assert GPS_IFD in Image.open(io.BytesIO(jpeg())).getexif()
    [photo] = actions.add_session_photos(session.id, actor=owner, files=[jpeg()])
    with default_storage.open(photo.file.name, "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    exif = stored.getexif()
    assert GPS_IFD not in exif and exif[ORIENTATION] == 6
    assert (photo.width, photo.height, photo.content_type) == (64, 48, "image/jpeg")
    assert photo.file.name.startswith(f"session-photos/{session.organisation_id}/")
    assert AuditEntry.objects.get(booking=session, action="photo.add").data["count"] == 1


def test_several_photos_at_once_png_too(session, owner):
    photos = actions.add_session_photos(session.id, actor=owner, files=[jpeg(), png()])
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert all(default_storage.exists(p.file.name) for p in photos)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"%PDF-1.4 not an image", NotAnImage),
        (jpeg()[:200], NotAnImage),  # truncated: the header reads, the pixels do not
        (b"GIF89a" + b"\0" * 40, NotAnImage),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(session, owner, data, error):
    with pytest.raises(error):
        actions.add_session_photos(session.id, actor=owner, files=[jpeg(), data])
    assert not SessionPhoto.objects.exists()
    assert not AuditEntry.objects.filter(action="photo.add").exists()


@override_settings(PHOTO_MAX_BYTES=1000)
def test_a_photo_too_large_is_refused(session, owner):
    with pytest.raises(PhotoTooLarge):
        actions.add_session_photos(session.id, actor=owner, files=[jpeg(size=(400, 400))])
    assert not SessionPhoto.objects.exists()


def test_only_the_organisations_staff_may_add(session, owner):
    other = Actor.staff(MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER))
    with pytest.raises(NotFound):
        actions.add_session_photos(session.id, actor=other, files=[jpeg()])
    customer = Actor.customer(session.customer)
    with pytest.raises(Forbidden):
        actions.add_session_photos(session.id, actor=customer, files=[jpeg()])
    assert not SessionPhoto.objects.exists()


def test_upload_page_and_the_errors_next_to_the_field(session, client):
    url = f"/staff/bookings/{session.reference}/photos/"
    assert client.get(url).status_code == 200
    bad = io.BytesIO(b"hello")
    bad.name = "notes.jpg"
    response = client.post(url, {"photos": [bad]})
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert not SessionPhoto.objects.exists()
    good = io.BytesIO(jpeg())
    good.name = "group.jpg"
    response = client.post(url, {"photos": [good]}, follow=True)
    assert response.status_code == 200 and SessionPhoto.objects.count() == 1
    photo = SessionPhoto.objects.get()
    assert f"/staff/photos/{photo.id}/" in response.content.decode()
    served = client.get(f"/staff/photos/{photo.id}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert GPS_IFD not in Image.open(io.BytesIO(b"".join(served.streaming_content))).getexif()


def test_another_organisations_staff_gets_404(session, owner, client):
    [photo] = actions.add_session_photos(session.id, actor=owner, files=[jpeg()])
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    day = photo.booking.lines.first().starts_at.date()
    assert client.get(f"/staff/photos/{photo.id}/").status_code == 404
    assert client.get(f"/staff/bookings/{session.reference}/photos/").status_code == 404
    assert client.post(f"/staff/photos/{photo.id}/restore/").status_code == 404
    page = client.get(f"/staff/planning/photos/?day={day}")
    assert page.status_code == 200 and f"/staff/photos/{photo.id}/" not in page.content.decode()
    assert client.get(f"/staff/planning/photos/zip/?day={day}").status_code == 404


def test_the_days_page_filtered_by_room_and_its_zip(org, owner, session, client):
    other_room = escape_room(org, owner, "The Lab")
    other = book(owner, other_room, in_days(org, 1, "14:00"), 2, mode=State.CONFIRMED)
    actions.add_session_photos(session.id, actor=owner, files=[jpeg(), png()])
    actions.add_session_photos(other.id, actor=owner, files=[jpeg()])
    day = in_days(org, 1).date()
    page = client.get(f"/staff/planning/photos/?day={day}").content.decode()
    assert page.count('class="photo-about"') == 3
    assert "Lea Martin" in page and "4 players" in page and "The Lab" in page
    vault = BookingLine.objects.filter(booking=session).first().resource_id
    page = client.get(f"/staff/planning/photos/?day={day}&room={vault}").content.decode()
    assert page.count('class="photo-about"') == 2 and "The Lab ·" not in page
    assert client.get(f"/staff/planning/photos/?day={day + timedelta(days=1)}").status_code == 200
    response = client.get(f"/staff/planning/photos/zip/?day={day}")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 3 and names[0].startswith("1000_The-Vault_")
    assert names[2].startswith("1400_The-Lab_") and archive.testzip() is None
    assert client.get(f"/staff/planning/photos/?day={day}&room=999999").status_code == 404


def test_the_worker_archives_after_60_days_and_staff_restore(session, owner, client):
    now = timezone.now()
    [old] = actions.add_session_photos(
        session.id, actor=owner, files=[jpeg()], now=now - timedelta(days=61)
    )
    [recent] = actions.add_session_photos(
        session.id, actor=owner, files=[jpeg()], now=now - timedelta(days=59)
    )
    assert jobs["photos"].run(now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.archived_at == now and recent.archived_at is None
    assert not default_storage.exists(old.file.name)
    assert storages["photo_archive"].exists(old.file.name)
    assert client.get(f"/staff/photos/{old.id}/").status_code == 404
    page = client.get(f"/staff/bookings/{session.reference}/photos/").content.decode()
    assert "Archived on" in page and "Restore" in page
    assert actions.archive_old_photos(now=now) == 0  # nothing twice
    with pytest.raises(PhotoNotArchived):
        actions.restore_session_photo(recent.id, actor=owner)
    response = client.post(f"/staff/photos/{old.id}/restore/")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.archived_at is None and default_storage.exists(old.file.name)
    assert not storages["photo_archive"].exists(old.file.name)
    assert client.get(f"/staff/photos/{old.id}/").status_code == 200
    kinds = list(AuditEntry.objects.filter(booking=session).values_list("action", flat=True))
    assert "photo.archive" in kinds and "photo.restore" in kinds
