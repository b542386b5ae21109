"""`sale_modes`: the one question the public pages and the engine ask about a ticket type."""

from __future__ import annotations

import pytest

from tentative.catalog.selectors import SaleModes, sale_modes
from tests.factories import EventDateFactory, on_sale

pytestmark = pytest.mark.django_db


def test_without_profiles_the_ticket_types_terms_decide(org) -> None:  # type: ignore[no-untyped-def]
    date, plain = on_sale(org)
    modes = sale_modes(plain, date, channel="web")
    assert modes == SaleModes(for_sale=True, reservable=True, requires_approval=False)
    assert modes.modes == ("buy", "reserve")

    plain.reservable = False
    assert sale_modes(plain, date).modes == ("buy",)

    plain.requires_approval = True
    modes = sale_modes(plain, date)
    assert modes.requires_approval and modes.modes == ("request",)


def test_a_date_of_another_event_is_a_programming_error(org) -> None:  # type: ignore[no-untyped-def]
    _, ticket_type = on_sale(org)
    with pytest.raises(ValueError, match="date"):
        sale_modes(ticket_type, EventDateFactory(event__organisation=org))


def test_nothing_offered_shows_no_button() -> None:
    assert SaleModes(False, False, True).modes == ()
    assert SaleModes(False, True, False).modes == ("reserve",)
