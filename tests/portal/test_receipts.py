"""The receipt PDF carries every name as written, whatever its alphabet: the font is
embedded (DejaVu Sans), so Ł, ř or € are not turned into question marks as fpdf2's
built-in Latin-1 fonts would."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

import pytest
from django.utils import translation

from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.portal.receipts import receipt_pdf
from tests.factories import CustomerFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def text_mapped(pdf: bytes) -> set[str]:
    """The characters the PDF's ToUnicode maps declare: what a reader can copy out of it."""
    found: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            data = stream
        for code in re.findall(rb"<[0-9A-F]{4}> <([0-9A-F]{4,8})>", data):
            found.add(chr(int(code, 16)))
    return found


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_names_outside_latin1_reach_the_receipt(language: str) -> None:
    org = OrganisationFactory(name="Kraków Escape")
    who = CustomerFactory(organisation=org, name="Łukasz Dvořák")
    date, ticket = on_sale(org, capacity=5)
    made = book(staff(org), date, ticket, quantity=2, mode=State.CONFIRMED, customer_id=who.id)
    booking = Booking.objects.get(pk=made.pk)
    with translation.override(language):
        pdf = receipt_pdf(booking, now=datetime(2026, 11, 30, tzinfo=UTC))
    assert pdf.startswith(b"%PDF")
    assert {"Ł", "ř", "ó"} <= text_mapped(pdf)
    assert b"DejaVuSans" in pdf  # the embedded font, not a built-in one
