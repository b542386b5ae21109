"""Retries, backoff, leases, re-sending: every try on record, nothing lost, nothing doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from tentative.notifications.actions import resend
from tentative.notifications.delivery import deliver_email
from tentative.outbox import events as outbox
from tentative.outbox.models import DeliveryAttempt, OutboxMessage
from tentative.outbox.retries import MAX_ATTEMPTS
from tentative.worker.loop import Config, claim, drain, run_due_schedules, settle
from tentative.worker.models import ScheduleRun
from tests.factories import CustomerFactory, book, on_sale, staff
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def one_email(org):  # type: ignore[no-untyped-def]
    """An option for a customer, its event fanned out: one email row, not yet tried."""
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=40))
    with time_machine.travel(T0, tick=False):
        book(staff(org), date, ticket, customer_id=CustomerFactory(organisation=org).id)
    return date


def email_row() -> OutboxMessage:
    return OutboxMessage.objects.get(kind="email")


def test_a_refused_message_is_retried_after_its_backoff(one_email, smtp):
    smtp.refuse = ["451 4.3.0 Try again later"]
    with time_machine.travel(T0, tick=False):
        drain()
        row = email_row()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "451" in row.last_error
        assert T0 + timedelta(seconds=30) <= row.available_at <= T0 + timedelta(seconds=36)
        assert drain() == 0  # not due yet
    with time_machine.travel(T0 + timedelta(seconds=40), tick=False):
        drain()
    row = email_row()
    assert (row.status, row.attempts) == ("sent", 2)
    tries = list(row.tries.values_list("number", "ok", "status_code"))
    assert tries == [(1, False, 451), (2, True, 250)]
    assert len(smtp.received) == 1


def test_a_server_that_is_down_is_a_failed_try_and_the_next_one_delivers(one_email, smtp, settings):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with time_machine.travel(T0, tick=False):
        drain()
    assert email_row().attempts == 1 and "Connection refused" in email_row().last_error
    settings.EMAIL_PORT = real_port
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        drain()
    assert email_row().status == "sent" and len(smtp.received) == 1


def test_a_permanent_refusal_gives_up_at_once_and_staff_can_resend(one_email, smtp):
    smtp.refuse = ["550 5.1.1 No such user"]
    with time_machine.travel(T0, tick=False):
        drain()
        row = email_row()
        assert (row.status, row.attempts) == ("dead", 1)
        assert resend(row.id, now=T0) is True
        assert resend(row.id, now=T0) is False  # a double click queues it once
        drain()
    row = email_row()
    assert row.status == "sent"
    assert [t.ok for t in row.tries.all()] == [False, True]
    assert smtp.received[0]["Message-ID"] == f"<{row.message_id}@localhost>"


def test_after_the_last_try_a_message_is_dead_and_visible(one_email, smtp):
    tries = MAX_ATTEMPTS[OutboxMessage.Kind.EMAIL]
    smtp.refuse = ["421 4.7.0 Busy"] * (tries + 5)
    moment = T0
    for _ in range(tries + 2):
        with time_machine.travel(moment, tick=False):
            drain()
        moment += timedelta(hours=7)  # past any backoff (capped at 6 h + 20 %)
    row = email_row()
    assert (row.status, row.attempts, row.tries.count()) == ("dead", tries, tries)
    assert smtp.received == []


def test_a_lease_keeps_a_message_from_other_workers_until_it_ends(one_email):
    lease = timedelta(minutes=5)
    drain_events_only()
    first, [message] = claim(now=T0, limit=10, lease=lease)
    assert claim(now=T0 + timedelta(minutes=4), limit=10, lease=lease)[1] == []
    # The first worker died: after its lease, another claims the message again.
    second, [again] = claim(now=T0 + timedelta(minutes=6), limit=10, lease=lease)
    assert again.id == message.id and second != first
    # If the first one was only slow, its late result is recorded but moves nothing.
    from tentative.outbox.retries import Outcome

    settle(message, first, Outcome(ok=True), started=T0, finished=T0, worker="slow")
    row = email_row()
    assert (row.status, row.lease_token) == ("pending", second)
    assert DeliveryAttempt.objects.filter(message=row, worker="slow").count() == 1


def test_delivery_never_runs_inside_a_transaction(one_email, smtp):
    from django.core.mail import get_connection

    drain_events_only()
    with transaction.atomic(), pytest.raises(RuntimeError):
        deliver_email(email_row(), get_connection())


def drain_events_only() -> None:
    from tentative.notifications.fanout import fan_out

    fan_out(now=T0)


def test_a_schedule_runs_once_per_period_however_many_workers(db):
    # The jobs come from each app's jobs.py, in the order of INSTALLED_APPS.
    config = Config(sweep_every=timedelta(seconds=30))
    assert set(run_due_schedules(config, now=T0)) == {
        "deadlines",
        "reserves",
        "place_dates",
        "purge",
        "retention",
        "photos",
    }
    assert run_due_schedules(Config(), now=T0 + timedelta(seconds=10)) == []
    later = T0 + timedelta(seconds=30)
    assert set(run_due_schedules(config, now=later)) == {"deadlines", "reserves"}
    assert "expired" in ScheduleRun.objects.get(name="deadlines").last_result


def test_an_event_that_cannot_be_rendered_does_not_hold_up_the_others(org, smtp):
    date, ticket = on_sale(org, starts_at=T0 + timedelta(days=40))
    owner = staff(org)
    who = CustomerFactory(organisation=org)
    with time_machine.travel(T0, tick=False):
        broken = book(owner, date, ticket, customer_id=who.id)
        outbox.emit(broken, "payment.requested", actor=owner, at=T0, data={"expires_at": "soon"})
        book(owner, date, ticket, customer_id=who.id)
        drain()
    assert len(smtp.received) == 2  # both options' emails went out
    event = OutboxMessage.objects.get(topic="payment.requested", kind="event")
    assert (event.status, event.attempts) == ("pending", 1) and "ValueError" in event.last_error


def test_what_was_delivered_long_ago_is_purged_and_the_rest_kept(org, one_email, smtp):
    from tentative.worker.jobs import purge

    with time_machine.travel(T0, tick=False):
        drain()  # an event and its email, both done
    later = T0 + timedelta(days=89)
    date, ticket = on_sale(org, starts_at=later + timedelta(days=30))
    smtp.refuse = ["451 4.3.0 Later"]
    with time_machine.travel(later, tick=False):
        book(staff(org), date, ticket, customer_id=CustomerFactory(organisation=org).id)
        drain()  # its email waits for a retry
    assert purge(T0 + timedelta(days=91)) == 2
    assert sorted(OutboxMessage.objects.values_list("kind", "status", "created_at")) == [
        ("email", "pending", later),
        ("event", "sent", later),
    ]


def test_a_malformed_row_is_given_up_on_not_retried_forever(org, smtp):
    OutboxMessage.objects.create(
        organisation=org,
        kind="email",
        topic="booking.confirmed",
        payload={"to": ["x@example.org"]},  # no subject, no text
        available_at=T0,
        created_at=T0,
    )
    with time_machine.travel(T0, tick=False):
        drain()
    row = email_row()
    assert (row.status, row.attempts) == ("dead", 1) and "cannot build" in row.last_error
