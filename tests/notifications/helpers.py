"""Reading what the worker sent: QR images back to text, .ics back to events."""

from __future__ import annotations

from email.message import EmailMessage

import png
import zxingcpp


def decode_qr(data: bytes) -> list[str]:
    """Decode a PNG with a real QR decoder (zxing-cpp), not by re-rendering the code."""
    width, height, rows, info = png.Reader(bytes=data).asDirect()
    pixels = bytearray()
    for row in rows:
        if info["planes"] != 1:
            row = row[:: info["planes"]]  # one channel is enough for black and white
        scale = 255 // ((1 << info["bitdepth"]) - 1)
        pixels.extend(min(255, value * scale) for value in row)
    image = memoryview(bytes(pixels)).cast("B", (height, width))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def parts(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_type() == content_type]


def text_of(message: EmailMessage) -> str:
    return parts(message, "text/plain")[0].get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    return parts(message, "text/html")[0].get_content()
