"""Charge after approval, the bookings' half (issue 10 item 4): the setting and its window,
the request's deadline, and where approving leads. The money's half is
tests/payments/test_charge_after_approval.py."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from tentative.bookings import actions, errors
from tentative.bookings.models import Booking
from tentative.core.states import State
from tests.factories import TicketTypeFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_authorising_at_request_is_refused_when_requests_may_outlast_the_window(org, settings):
    ticket = TicketTypeFactory.build(
        event=on_sale(org)[1].event, requires_approval=True, approval_charge="authorise"
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ticket.full_clean()  # no "decide within": a request waits until the date starts
    assert "at most 7 days" in str(refused.value.message_dict["decision_days"])
    ticket.decision_days = 8
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ticket.full_clean()
    assert "lasts 7 days" in str(refused.value.message_dict["decision_days"])
    ticket.decision_days = 7
    ticket.full_clean()
    settings.SIMULATED_AUTHORISATION_DAYS = 5  # a processor with shorter authorisations
    for language, words in [("en", "lasts 5 days"), ("fr", "dure 5 jours"), ("es", "dura 5 días")]:
        with translation.override(language), pytest.raises(ValidationError) as refused:
            ticket.full_clean()
        assert words in str(refused.value.message_dict["decision_days"])


def test_charging_after_approval_needs_an_offer_that_is_approved(org):
    ticket = TicketTypeFactory.build(event=on_sale(org)[1].event, approval_charge="after_approval")
    with pytest.raises(ValidationError) as refused:
        ticket.full_clean()
    assert "approval_charge" in refused.value.message_dict
    ticket.requires_approval = True
    ticket.full_clean()


def test_a_request_decided_within_days_lapses_then_at_the_same_wall_clock_time(org):
    # Paris leaves summer time on 25 October 2026: 7 calendar days are 169 hours here.
    start = datetime(2026, 11, 20, 19, tzinfo=UTC)
    date, ticket = on_sale(
        org, starts_at=start, requires_approval=True, approval_charge="after_approval"
    )
    ticket.decision_days = 7
    ticket.save()
    with time_machine.travel(datetime(2026, 10, 22, 8, tzinfo=UTC), tick=False):  # 10:00 Paris
        request = book(staff(org), date, ticket, mode=State.REQUEST)
    assert request.deadline_enforced == datetime(2026, 10, 29, 9, tzinfo=UTC)  # 10:00 Paris
    assert request.deadline_shown is None
    assert request.deadline_rule == "to be decided within 7 days"


def test_a_request_decided_within_days_still_lapses_when_the_date_starts(org):
    start = datetime(2026, 10, 24, 19, tzinfo=UTC)
    date, ticket = on_sale(org, starts_at=start, requires_approval=True, decision_days=7)
    with time_machine.travel(datetime(2026, 10, 22, 8, tzinfo=UTC), tick=False):
        request = book(staff(org), date, ticket, mode=State.REQUEST)
    assert request.deadline_enforced == start


@pytest.mark.parametrize("charge", ["after_approval", "authorise"])
def test_approving_a_charged_request_makes_an_option_awaiting_payment(org, charge):
    date, ticket = on_sale(org, requires_approval=True, approval_charge=charge, decision_days=3)
    owner = staff(org)
    request = book(owner, date, ticket, mode=State.REQUEST, quantity=2)
    with pytest.raises(errors.ChargedAfterApproval):
        actions.approve_booking(request.id, actor=owner, target=State.CONFIRMED)
    assert Booking.objects.get(id=request.id).state == State.REQUEST
    approved = actions.approve_booking(request.id, actor=owner)
    assert approved.state == State.OPTION and approved.holds_capacity
    assert approved.deadline_shown is not None  # the option's, by the deadline rule
    assert approved.deadline_rule == "5 days after booking"


def test_an_uncharged_or_free_request_is_approved_into_a_firm_booking(org):
    owner = staff(org)
    date, ticket = on_sale(org, requires_approval=True)
    request = book(owner, date, ticket, mode=State.REQUEST)
    assert actions.approve_booking(request.id, actor=owner).state == State.CONFIRMED
    # Staff may still choose an option for an uncharged offer.
    request = book(owner, date, ticket, mode=State.REQUEST)
    assert actions.approve_booking(request.id, actor=owner, target=State.OPTION).state == "option"
    date, free = on_sale(org, requires_approval=True, approval_charge="after_approval", price=0)
    request = book(owner, date, free, mode=State.REQUEST)
    assert actions.approve_booking(request.id, actor=owner).state == State.CONFIRMED
