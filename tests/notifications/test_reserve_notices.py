"""Seed 002 + issue 3: the day before a reserve's undrawn places go back to general sale,
the staff who may book from it get an email, in the organisation's language; the worker's
schedule runs the release itself."""

from datetime import UTC, datetime, timedelta

import pytest

from tentative.core.permissions import Role
from tentative.inventory.actions import create_reserve, schedule_release, set_allocation
from tentative.inventory.models import Reserve
from tentative.notifications import emails
from tentative.notifications.fanout import fan_out
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.worker.loop import Config, run_due_schedules
from tests.factories import MembershipFactory, on_sale

pytestmark = pytest.mark.django_db


def test_the_reserves_users_are_told_the_day_before_in_the_organisations_language(org):
    org.default_language = "fr"
    org.save()
    starts = datetime(2027, 3, 30, 18, 0, tzinfo=UTC)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    date, ticket = on_sale(org, capacity=10, starts_at=starts, name="Tarif plein")
    owner = Actor.staff(
        MembershipFactory(organisation=org, role=Role.OWNER, user__email="owner@example.org")
    )
    chosen = MembershipFactory(organisation=org, role=Role.AGENT, user__email="press@example.org")
    MembershipFactory(organisation=org, role=Role.AGENT, user__email="not-chosen@example.org")
    reserve = create_reserve(
        org.id,
        actor=owner,
        name="Presse",
        audience=Reserve.Audience.SELECTED,
        member_ids=[chosen.id],
        now=now,
    )
    set_allocation(
        reserve.id,
        actor=owner,
        event_date_id=date.id,
        ticket_type_id=ticket.id,
        quantity=4,
        now=now,
    )
    release_at = datetime(2027, 3, 28, 18, 0, tzinfo=UTC)
    row = schedule_release(
        reserve.id, actor=owner, event_date_id=date.id, release_at=release_at, now=now
    )

    assert "reserves" in run_due_schedules(Config(), now=row.notice_at)
    fan_out(now=row.notice_at)

    mail = OutboxMessage.objects.get(kind="email", topic="reserve.release_soon")
    assert sorted(mail.payload["to"]) == ["owner@example.org", "press@example.org"]
    assert mail.payload["language"] == "fr"
    assert mail.payload["subject"].startswith(
        "Réserve «\u00a0Presse\u00a0»\u00a0: les places non attribuées"
    )
    assert "4 place(s)" in mail.payload["text"] and "20:00" in mail.payload["text"]

    # And on the day, the worker's schedule gives the places back.
    later = release_at + timedelta(minutes=1)
    assert "reserves" in run_due_schedules(Config(), now=later)
    assert OutboxMessage.objects.filter(kind="event", topic="reserve.released").count() == 1


def test_the_notice_exists_in_every_language(org):
    context = {
        "reserve_name": "Presse",
        "event": "Gala",
        "starts_at": "30/03/2027 20:00",
        "release_at": "28/03/2027 20:00",
        "left": 3,
    }
    overrides = emails.Overrides({org.id})
    subjects = set()
    for language in emails.LANGUAGES:
        rendered = emails.render_notice(
            org, "reserve_release_soon", language, context, overrides=overrides
        )
        assert "Presse" in rendered.subject and "Gala" in rendered.text
        assert "{{" not in rendered.text and "Presse" in rendered.html
        subjects.add(rendered.subject)
    assert len(subjects) == 3
