"""A booking's receipt as a PDF (fpdf2): the organisation, the reference, the lines, the
payments and refunds, and what is still due; dates in the organisation's time zone, amounts
and dates in the reader's language (the request's, active when this runs).

The text is set in DejaVu Sans, shipped in `portal/fonts/` (fpdf2 embeds only the glyphs
used): fpdf2's built-in Helvetica covers Latin-1 only, so a customer called Łukasz or
Dvořák, an organisation in Kraków, or the euro sign came out as question marks.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from tentative.bookings.labels import STATES
from tentative.bookings.models import LINE_WORDS, Booking
from tentative.core.money import minor_units
from tentative.payments.selectors import balance

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"


def receipt_pdf(booking: Booking, *, now: datetime) -> bytes:
    organisation = booking.organisation
    zone = organisation.zone
    places = minor_units(booking.currency)

    def money(amount: Decimal) -> str:
        return f"{formats.number_format(amount, places, use_l10n=True)} {booking.currency}"

    def when(moment: datetime) -> str:
        return formats.date_format(timezone.localtime(moment, zone), "DATETIME_FORMAT")

    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(_("Receipt %(reference)s") % {"reference": booking.reference})
    pdf.set_author(organisation.name)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 10, organisation.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(
        0,
        8,
        _("Receipt for booking %(reference)s") % {"reference": booking.reference},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, "", 10)
    facts = [
        (_("Customer"), booking.customer.name if booking.customer else ""),
        (_("State"), str(STATES.get(booking.state, booking.state))),
        (_("Booked on"), when(booking.created_at)),
        (_("Issued on"), when(now)),
        (_("Time zone"), organisation.time_zone),
    ]
    for label, value in facts:
        pdf.cell(40, 6, label, new_x="RIGHT", new_y="TOP")
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def table(title: str, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 9)
        for text, width in zip(header, widths, strict=True):
            pdf.cell(width, 6, text, border="B")
        pdf.ln()
        pdf.set_font(FAMILY, "", 9)
        for row in rows:
            for index, (text, width) in enumerate(zip(row, widths, strict=True)):
                pdf.cell(width, 6, text[:60], align="R" if index >= len(row) - 1 else "L")
            pdf.ln()
        pdf.ln(3)

    lines = booking.lines.select_related(*LINE_WORDS).order_by("starts_at", "id")
    table(
        _("What was booked"),
        [_("Item"), _("Date"), _("Quantity"), _("Amount")],
        [
            [
                f"{line.item} - {line.title}"
                + (f" ({line.resource_name})" if line.resource_id else ""),
                when(line.starts_at),
                str(line.quantity),
                money(line.amount),
            ]
            for line in lines
        ],
        [80, 50, 20, 40],
    )
    payments = list(booking.payments.exclude(captured=0).order_by("created_at", "id"))
    if payments:
        table(
            _("Payments"),
            [_("Date"), _("Method"), _("Reference"), _("Amount")],
            [
                [
                    when(p.created_at),
                    str(p.get_method_display()),
                    p.reference[:16],
                    money(p.captured),
                ]
                for p in payments
            ],
            [50, 50, 50, 40],
        )
    refunds = [r for p in payments for r in p.refunds.filter(state="done").order_by("id")]
    if refunds:
        table(
            _("Refunds"),
            [_("Date"), _("Reason"), _("Amount")],
            [[when(r.created_at), r.reason[:40], money(r.amount)] for r in refunds],
            [50, 100, 40],
        )
    money_now = balance(booking)
    pdf.set_font(FAMILY, "B", 10)
    for label, value in (
        (_("Total"), money_now.due.amount),
        (_("Paid"), money_now.captured.amount),
        (_("Refunded"), money_now.refunded.amount),
        (_("Still due"), max(money_now.outstanding.amount, Decimal(0))),
    ):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(40, 6, money(value), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
