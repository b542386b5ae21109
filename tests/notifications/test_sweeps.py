"""The deadline sweep: strict expiry, flexible flags and grace, quotes, reminders, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.notifications.models import NotificationLog, NotificationSettings
from tentative.notifications.selectors import dashboard_counts
from tentative.notifications.sweeps import sweep
from tentative.outbox.models import OutboxMessage
from tentative.worker.loop import drain
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


def option(org, days=5, quantity=1, **kwargs):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=60), deadline_days_after_booking=days)
    customer = CustomerFactory(organisation=org, language="en")
    with at(T0):
        return book(staff(org), date, ticket, quantity=quantity, customer_id=customer.id, **kwargs)


def taken(booking: Booking) -> int:
    return CapacityPool.objects.get(event_date__lines__booking=booking).taken


def state(booking: Booking) -> str:
    return Booking.objects.get(id=booking.id).state


def test_strict_options_are_released_at_their_deadline(org, smtp):
    due = option(org, days=2, quantity=3)
    later = option(org, days=4)
    deadline = due.deadline_shown
    with at(deadline - timedelta(seconds=1)):
        assert sweep()["expired"] == 0
    with at(deadline):
        assert sweep()["expired"] == 1
        drain()
    assert (state(due), taken(due), state(later)) == ("expired", 0, "option")
    assert len(smtp.by_subject(f"your booking {due.reference} has expired")) == 1


def flexible(org, grace: timedelta | None) -> None:  # type: ignore[no-untyped-def]
    org.deadline_policy = "flexible"
    org.deadline_grace = grace
    org.save()


def test_flexible_options_are_flagged_once_kept_and_staff_told(org, smtp):
    MembershipFactory(organisation=org, user=UserFactory(email="desk@example.org"))
    flexible(org, grace=None)
    kept = option(org, days=2, quantity=2)
    assert kept.deadline_enforced is None
    with at(kept.deadline_shown + timedelta(hours=1)):
        assert sweep()["overdue"] == 1
        assert sweep()["overdue"] == 0  # once
        drain()
        assert (
            dashboard_counts(org.id, now=kept.deadline_shown + timedelta(hours=1))["overdue"] == 1
        )
    assert (state(kept), taken(kept)) == ("option", 2)
    assert NotificationLog.objects.filter(booking=kept, kind="overdue").count() == 1
    assert [m["To"] for m in smtp.by_subject(f"Option {kept.reference} is overdue")] == [
        "desk@example.org"
    ]


def test_flexible_options_are_released_when_the_grace_ends(org, smtp):
    flexible(org, grace=timedelta(days=2))
    kept = option(org, days=2)
    assert kept.deadline_enforced == kept.deadline_shown + timedelta(days=2)
    with at(kept.deadline_shown + timedelta(days=1)):
        assert sweep() == {"expired": 0, "overdue": 1, "staff_warned": 0, "reminded": 0}
    with at(kept.deadline_enforced):
        assert sweep()["expired"] == 1
    assert (state(kept), taken(kept)) == ("expired", 0)


def test_quotes_past_their_validity_expire(org):
    org.quote_validity_days = 10
    org.save()
    quote = option(org, mode=State.QUOTE)
    with at(T0 + timedelta(days=10)):
        sweep()
    assert state(quote) == "expired"


def reminders(smtp, booking):  # type: ignore[no-untyped-def]
    return smtp.by_subject(f"Reminder: {booking.reference}")


def test_reminders_follow_the_schedule_once_each(org, smtp):
    held = option(org, days=10)
    shown = held.deadline_shown
    seen = []
    for moment in [
        T0 + timedelta(days=1),  # nothing due yet
        shown - timedelta(days=7),  # 7 days before
        shown - timedelta(days=7) + timedelta(minutes=1),  # again: already sent
        shown - timedelta(days=2),
        shown - timedelta(hours=6),
        shown - timedelta(hours=1),
    ]:
        with at(moment):
            sweep()
            drain()
        seen.append(len(reminders(smtp, held)))
    assert seen == [0, 1, 1, 2, 3, 3]
    assert "is held until" in str(reminders(smtp, held)[0].get_body(("plain",)).get_content())


def test_no_reminder_for_a_deadline_already_closer_than_the_reminder(org, smtp):
    held = option(org, days=1)  # created a day before its deadline: only the 6 h one applies
    for hours in range(1, 25):
        with at(T0 + timedelta(hours=hours)):
            sweep()
    with at(T0 + timedelta(hours=25)):
        drain()
    logged = NotificationLog.objects.filter(booking=held, kind="reminder")
    assert list(logged.values_list("offset", flat=True)) == [6 * 3600]
    assert len(reminders(smtp, held)) == 1


def test_a_sweep_that_was_down_sends_only_the_latest_reminder(org, smtp):
    held = option(org, days=10)
    with at(held.deadline_shown - timedelta(hours=3)):
        sweep()
        drain()
    assert len(reminders(smtp, held)) == 1
    assert NotificationLog.objects.filter(booking=held, kind="reminder").count() == 3


def test_an_organisation_sets_its_own_schedule(org, smtp):
    NotificationSettings.objects.create(organisation=org, reminder_schedule=[3600])
    held = option(org, days=10)
    with at(held.deadline_shown - timedelta(days=3)):
        sweep()
    with at(held.deadline_shown - timedelta(minutes=59)):
        sweep()
        drain()
    assert list(
        NotificationLog.objects.filter(booking=held, kind="reminder").values_list(
            "offset", flat=True
        )
    ) == [3600]


def test_staff_are_warned_once_before_an_option_expires(org, smtp):
    MembershipFactory(organisation=org, user=UserFactory(email="desk@example.org"))
    held = option(org, days=5)
    with at(held.deadline_shown - timedelta(hours=23)):
        assert sweep()["staff_warned"] == 1
        assert sweep()["staff_warned"] == 0
        drain()
    [warning] = smtp.by_subject(f"Option {held.reference} expires on")
    assert warning["To"] == "desk@example.org"


def test_an_extended_deadline_gets_its_own_reminders(org, smtp):
    from tentative.bookings import actions

    held = option(org, days=10)
    with at(held.deadline_shown - timedelta(days=2)):
        sweep()  # 7 d and 2 d logged, the 2 d one sent
        actions.extend_booking(
            held.id, actor=staff(org), until=held.deadline_shown + timedelta(days=20)
        )
    new = Booking.objects.get(id=held.id).deadline_shown
    with at(new - timedelta(days=7)):
        sweep()
        drain()
    offsets = NotificationLog.objects.filter(booking=held, deadline=new).values_list(
        "offset", flat=True
    )
    assert list(offsets) == [7 * 86400]
    assert OutboxMessage.objects.filter(kind="event", topic="booking.reminder").count() == 2


def test_the_expiry_email_says_what_expired(org, smtp):
    org.quote_validity_days = 3
    org.save()
    quote = option(org, mode=State.QUOTE)
    held = option(org, days=3)
    with at(T0 + timedelta(days=3)):
        sweep()
        drain()
    from tests.notifications.helpers import text_of

    assert "Your quote" in text_of(smtp.by_subject(f"{quote.reference} has expired")[0])
    assert "its places have been released" in text_of(
        smtp.by_subject(f"{held.reference} has expired")[0]
    )
