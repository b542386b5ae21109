"""One key, two identical calls at the same moment, while a cancel frees the last place.

The calls race the cancel: each on its own would be booked or refused depending on who runs
first. What must hold is that they answer alike (the client that retries after a timeout
gets what its first attempt got), and that the database agrees with that answer. Before
the key was claimed first, one could answer a refusal computed while the other was still
running, then commit: "sold out" to a client holding the place (here, 20 rounds in 100 for
a booking and 5 in 100 for an allocation answered differently).

Many rounds of three threads each (the cancel and the two calls, released by one barrier),
checked in SQL after every round. PostgreSQL only: SQLite runs one writer at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tentative.api.models import IdempotencyKey
from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.inventory.actions import create_reserve
from tentative.inventory.models import CapacityPool
from tests.api.conftest import Api, line
from tests.concurrency.threads import race
from tests.factories import api_token, book, on_sale, staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

ROUNDS = 100


def post(token: str, path: str, body: dict[str, Any], key: str) -> Callable[[], Any]:
    def call() -> tuple[str, int, dict[str, Any]]:
        response = Api(token).post(path, body, key=key)  # one client per thread
        return "post", response.status_code, json.loads(response.content)

    return call


def cancel(booking_id: int, actor: Any) -> Callable[[], Any]:
    def call() -> tuple[str, int, dict[str, Any]]:
        actions.cancel_booking(booking_id, actor=actor, reason="frees the last place")
        return "cancel", 200, {}

    return call


def answers_of(outcomes: Any) -> list[tuple[int, dict[str, Any]]]:
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    assert outcomes.counts == {"ok:cancel": 1, "ok:post": 2}, outcomes.counts
    return [(status, body) for label, status, body in outcomes.results if label == "post"]


def stored(key: str) -> tuple[int | None, Any] | None:
    record = IdempotencyKey.objects.filter(key=key).first()
    return None if record is None else (record.status_code, record.body)


def same(answer: tuple[int, dict[str, Any]] | None, other: tuple[int, dict[str, Any]]) -> bool:
    """The answers agree. Rendering cuts datetimes to milliseconds, so the stored body (with
    microseconds) is compared by what identifies it: the reference, or the code and message."""
    fields = ("reference", "code", "message", "before", "after")
    return answer is not None and [answer[0], *(answer[1].get(f) for f in fields)] == [
        other[0],
        *(other[1].get(f) for f in fields),
    ]


def report(problems: list[str]) -> str:
    differ = sum("answered differently" in problem for problem in problems)
    return (
        f"{len(problems)} problems in {ROUNDS} rounds ({differ} answered differently), "
        f"the first: {problems[:5]}"
    )


def brief(answer: tuple[int, dict[str, Any]]) -> str:
    return f"{answer[0]} {answer[1].get('code') or answer[1].get('reference')}"


def brief_stored(key: str) -> str:
    record = stored(key)
    return "nothing" if record is None else brief((record[0] or 0, record[1]))


def check_booking(round_: int, answers: list[Any], key: str, date: Any, last: Any) -> list[str]:
    """Both answers alike, the key storing that answer, and the places saying the same."""
    (first, second) = answers
    if first != second:
        return [f"round {round_}: answered differently, {brief(first)} / {brief(second)}"]
    status, answer = first
    found = []
    if not same(stored(key), first):  # type: ignore[arg-type]
        found.append(f"round {round_}: key stores {brief_stored(key)}, answered {brief(first)}")
    booked = Booking.objects.filter(lines__event_date=date).exclude(id=last.id)
    taken = CapacityPool.objects.get(event_date=date, ticket_type=None).taken
    if status == 201:
        held = [(b.reference, b.lines.get().quantity) for b in booked]
        if held != [(answer["reference"], 1)] or taken != 1:
            found.append(f"round {round_}: answered 201, booked {held}, taken {taken}")
    elif (status, answer["code"]) != (409, "sold_out") or booked.exists() or taken:
        found.append(f"round {round_}: answered {status} {answer}, taken {taken}")
    return found


def check_allocation(
    round_: int, answers: list[Any], key: str, date: Any, reserve_id: int
) -> list[str]:
    (first, second) = answers
    if first != second:
        return [f"round {round_}: answered differently, {brief(first)} / {brief(second)}"]
    status, answer = first
    found = []
    if not same(stored(key), first):  # type: ignore[arg-type]
        found.append(f"round {round_}: key stores {brief_stored(key)}, answered {brief(first)}")
    general = CapacityPool.objects.get(event_date=date, ticket_type=None, reserve=None)
    held = sum(
        CapacityPool.objects.filter(reserve_id=reserve_id, event_date=date).values_list(
            "capacity", flat=True
        )
    )
    if status == 200:
        if (answer["before"], answer["after"], general.set_aside, held) != (0, 1, 1, 1):
            found.append(f"round {round_}: answered {answer}, set aside {general.set_aside}")
    elif (status, answer["code"]) != (409, "not_enough_free") or general.set_aside or held:
        found.append(f"round {round_}: answered {status} {answer}, set aside {general.set_aside}")
    return found


def test_two_keyed_bookings_racing_a_cancel_answer_alike(org):
    token = api_token(org, Role.OWNER)
    owner = staff(org)
    seen: set[int] = set()
    problems: list[str] = []
    for round_ in range(ROUNDS):
        date, ticket = on_sale(org, capacity=1)
        last = book(owner, date, ticket, quantity=1)  # holds the last place
        key = f"book-{round_}"
        body = {"mode": "option", "lines": [line(date, ticket, 1)]}
        answers = answers_of(
            race(
                [
                    ("cancel", cancel(last.id, owner)),
                    ("post", post(token, "/bookings", body, key)),
                    ("post", post(token, "/bookings", body, key)),
                ],
                threads=3,
                accept=(),
            )
        )
        problems += check_booking(round_, answers, key, date, last)
        seen.add(answers[0][0])
    assert not problems, report(problems)
    assert 201 in seen, seen


def test_two_keyed_allocations_racing_a_cancel_answer_alike(org):
    token = api_token(org, Role.MANAGER)
    owner = staff(org)
    seen: set[int] = set()
    problems: list[str] = []
    for round_ in range(ROUNDS):
        date, ticket = on_sale(org, capacity=1)
        last = book(owner, date, ticket, quantity=1)
        reserve = create_reserve(org.id, actor=owner, name=f"Press {round_}")
        key = f"allocate-{round_}"
        body = {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 1}
        path = f"/reserves/{reserve.id}/allocation"
        answers = answers_of(
            race(
                [
                    ("cancel", cancel(last.id, owner)),
                    ("post", post(token, path, body, key)),
                    ("post", post(token, path, body, key)),
                ],
                threads=3,
                accept=(),
            )
        )
        problems += check_allocation(round_, answers, key, date, reserve.id)
        seen.add(answers[0][0])
    assert not problems, report(problems)
    assert 200 in seen, seen
