"""Checking an uploaded photo and taking its location out (seed 004 "Photos").

The bytes must decode as JPEG, PNG or WebP (Pillow: `verify()` on one read, then a full
`load()` on a second, since `verify` does not decode the pixels). What is stored is a
re-encoding: the image's EXIF without its GPS block (orientation and the rest kept), and
none of the other metadata (XMP, PNG text chunks), which is where location may also hide.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from tentative.bookings.errors import NotAnImage, PhotoTooLarge

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
GPS_IFD = 0x8825
MAX_PIXELS = 60_000_000  # a 10 MB file may still claim a huge canvas: refuse, do not decode


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photo(data: bytes, *, max_bytes: int) -> CleanPhoto:
    """The photo to store, or `PhotoTooLarge` / `NotAnImage`; nothing else is raised."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(limit=max(1, max_bytes // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise NotAnImage()
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            exif = image.getexif()
            exif.pop(GPS_IFD, None)
            out = io.BytesIO()
            options: dict[str, object] = {"format": kind, "exif": exif.tobytes()}
            if kind == "JPEG":
                options.update(quality=92, icc_profile=image.info.get("icc_profile"))
                image = image.convert("RGB") if image.mode not in ("RGB", "L", "CMYK") else image
            image.save(out, **options)  # type: ignore[arg-type]
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise NotAnImage() from None
    content_type, extension = FORMATS[kind]
    return CleanPhoto(out.getvalue(), content_type, extension, width, height)
