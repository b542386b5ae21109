"""Overlapping sales profiles resolve one way, whatever order they are read in (seed 001)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tentative.core.sales import Decision, Item, Product, Profile, Scope, decide

T0 = datetime(2027, 3, 1, 12, tzinfo=UTC)
PRODUCT = Product(event_id=1, ticket_type_id=10)
DAY = timedelta(days=1)


def profile(
    pid: int,
    *items: Item,
    channels: tuple[str, ...] = (),
    audiences: tuple[int, ...] = (),
    starts: datetime | None = None,
    ends: datetime | None = None,
    priority: int = 0,
) -> Profile:
    return Profile(
        pid, frozenset(channels), frozenset(audiences), starts, ends, priority, tuple(items)
    )


def item(scope: Scope, *, sale: bool = True, reserve: bool = True) -> Item:
    target = {Scope.ALL: None, Scope.EVENT: 1, Scope.TICKET_TYPE: 10}[scope]
    return Item(scope, target, sale, reserve)


def run(profiles: list[Profile], **kw: object) -> Decision:
    args: dict[str, object] = {
        "product": PRODUCT,
        "channel": "web",
        "audience": None,
        "at": T0,
        "reservable_by_terms": True,
        "may_reserve_here": True,
    }
    args.update(kw)
    return decide(profiles, **args)  # type: ignore[arg-type]


def modes(d: Decision) -> tuple[bool, bool]:
    return d.for_sale, d.reservable


# --- table tests of overlaps -------------------------------------------------------------

CASES = [
    # (what is there, expected (for_sale, reservable), which profile decides)
    ("no profile: the terms", [], (True, True), None),
    (
        "ticket type beats event",
        [profile(1, item(Scope.EVENT, reserve=False)), profile(2, item(Scope.TICKET_TYPE))],
        (True, True),
        2,
    ),
    (
        "event beats all",
        [profile(1, item(Scope.ALL, sale=False, reserve=False)), profile(2, item(Scope.EVENT))],
        (True, True),
        2,
    ),
    (
        "same scope: the narrow period beats the season",
        [
            profile(1, item(Scope.EVENT), starts=T0 - 90 * DAY, ends=T0 + 90 * DAY),
            profile(2, item(Scope.EVENT, reserve=False), starts=T0 - DAY, ends=T0 + DAY),
        ],
        (True, False),
        2,
    ),
    (
        "a bounded period beats an open one",
        [
            profile(1, item(Scope.EVENT, reserve=False), starts=T0 - DAY),
            profile(2, item(Scope.EVENT), starts=T0 - 300 * DAY, ends=T0 + 300 * DAY),
        ],
        (True, True),
        2,
    ),
    (
        "same scope and period: the higher priority",
        [
            profile(1, item(Scope.EVENT, reserve=False), priority=1),
            profile(2, item(Scope.EVENT), priority=5),
        ],
        (True, True),
        2,
    ),
    (
        "a full tie: not reservable wins",
        [profile(1, item(Scope.EVENT)), profile(2, item(Scope.EVENT, reserve=False))],
        (True, False),
        2,
    ),
    (
        "a full tie on reserving: not for sale wins",
        [
            profile(1, item(Scope.EVENT, reserve=False)),
            profile(2, item(Scope.EVENT, sale=False, reserve=False)),
        ],
        (False, False),
        2,
    ),
    (
        "identical items: the lowest id is named",
        [profile(7, item(Scope.EVENT)), profile(3, item(Scope.EVENT))],
        (True, True),
        3,
    ),
    (
        "another channel's profile does not apply",
        [profile(1, item(Scope.ALL, sale=False, reserve=False), channels=("box_office",))],
        (True, True),
        None,
    ),
    (
        "another audience's profile does not apply",
        [profile(1, item(Scope.ALL, sale=False, reserve=False), audiences=(4,))],
        (True, True),
        None,
    ),
    (
        "a period that has not begun does not apply",
        [profile(1, item(Scope.ALL, sale=False, reserve=False), starts=T0 + DAY)],
        (True, True),
        None,
    ),
    (
        "a period ends before its end instant",
        [profile(1, item(Scope.ALL, sale=False, reserve=False), ends=T0)],
        (True, True),
        None,
    ),
    (
        "a period includes its start instant",
        [profile(1, item(Scope.ALL, sale=False, reserve=False), starts=T0)],
        (False, False),
        1,
    ),
    (
        "another ticket type's item does not apply",
        [profile(1, Item(Scope.TICKET_TYPE, 11, False, False))],
        (True, True),
        None,
    ),
    (
        "reservable only (schools reserve, pay later)",
        [profile(1, item(Scope.EVENT, sale=False))],
        (False, True),
        1,
    ),
]


@pytest.mark.parametrize(
    ("profiles", "expected", "source"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_overlaps(profiles: list[Profile], expected: tuple[bool, bool], source: int | None) -> None:
    decision = run(profiles)
    assert modes(decision) == expected
    assert decision.profile_id == source


def test_terms_and_matrix_cap_reserving_whatever_the_profiles_say() -> None:
    profiles = [profile(1, item(Scope.TICKET_TYPE))]
    assert modes(run(profiles, reservable_by_terms=False)) == (True, False)
    assert modes(run(profiles, may_reserve_here=False)) == (True, False)
    assert modes(run([], may_reserve_here=False)) == (True, False)


# --- properties ------------------------------------------------------------------------

instants = st.integers(min_value=-5, max_value=5).map(lambda d: T0 + d * DAY)
items = st.builds(
    Item,
    scope=st.sampled_from(Scope),
    target=st.sampled_from([None, 1, 2, 10, 11]),
    for_sale=st.booleans(),
    reservable=st.booleans(),
)
profiles_st = st.lists(
    st.builds(
        Profile,
        id=st.integers(min_value=1, max_value=6),
        channels=st.frozensets(st.sampled_from(["web", "box_office", "b2b"]), max_size=2),
        audiences=st.frozensets(st.sampled_from([1, 2, 3]), max_size=2),
        starts=st.none() | instants,
        ends=st.none() | instants,
        priority=st.integers(min_value=0, max_value=2),
        items=st.lists(items, max_size=3).map(tuple),
    ),
    max_size=6,
    unique_by=lambda p: p.id,  # profile ids are primary keys
)
queries = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["web", "box_office", "b2b"]),
        "audience": st.sampled_from([None, 1, 2, 3]),
        "at": instants,
        "reservable_by_terms": st.booleans(),
        "may_reserve_here": st.booleans(),
    }
)


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries, st.randoms(use_true_random=False))
def test_order_of_profiles_and_items_never_changes_the_result(
    profiles: list[Profile], query: dict[str, object], rnd: object
) -> None:
    shuffled = [
        Profile(
            p.id,
            p.channels,
            p.audiences,
            p.starts,
            p.ends,
            p.priority,
            tuple(rnd.sample(p.items, len(p.items))),
        )  # type: ignore[attr-defined]
        for p in profiles
    ]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert run(profiles, **query) == run(shuffled, **query)


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries)
def test_reservable_only_where_terms_and_channel_allow(
    profiles: list[Profile], query: dict[str, object]
) -> None:
    decision = run(profiles, **query)
    if decision.reservable:
        assert query["reservable_by_terms"] and query["may_reserve_here"]


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries)
def test_the_result_is_a_matching_item_or_the_terms(
    profiles: list[Profile], query: dict[str, object]
) -> None:
    decision = run(profiles, **query)
    cap = bool(query["reservable_by_terms"] and query["may_reserve_here"])
    matching = [
        it
        for p in profiles
        if p.applies(query["channel"], query["audience"], query["at"])  # type: ignore[arg-type]
        for it in p.items
        if PRODUCT.named_by(it)
    ]
    if not matching:
        assert decision == Decision(True, cap, None, None)
    else:
        assert (decision.for_sale, decision.reservable) in {
            (it.for_sale, it.reservable and cap) for it in matching
        }
        # and it is one of the most specific
        assert decision.scope == max(it.scope for it in matching)


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries, items)
def test_a_profile_that_does_not_apply_changes_nothing(
    profiles: list[Profile], query: dict[str, object], extra: Item
) -> None:
    # a profile for a channel nobody asks about
    outsider = Profile(99, frozenset({"phone"}), frozenset(), None, None, 9, (extra,))
    assert run([*profiles, outsider], **query) == run(profiles, **query)


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries, st.booleans(), st.booleans())
def test_an_item_for_the_ticket_type_itself_always_wins(
    profiles: list[Profile], query: dict[str, object], sale: bool, reserve: bool
) -> None:
    # in a profile that applies to everything, narrower than any generated period
    own = Profile(
        100,
        frozenset(),
        frozenset(),
        query["at"],
        query["at"] + timedelta(seconds=1),  # type: ignore[operator]
        99,
        (Item(Scope.TICKET_TYPE, 10, sale, reserve),),
    )
    decision = run([*profiles, own], **query)
    cap = bool(query["reservable_by_terms"] and query["may_reserve_here"])
    assert (decision.for_sale, decision.reservable) == (sale, reserve and cap)


@settings(deadline=None)  # a shared CI machine: a slow example is no failure
@given(profiles_st, queries)
def test_withdrawing_reservability_from_every_item_never_makes_anything_reservable(
    profiles: list[Profile], query: dict[str, object]
) -> None:
    stricter = [
        Profile(
            p.id,
            p.channels,
            p.audiences,
            p.starts,
            p.ends,
            p.priority,
            tuple(Item(i.scope, i.target, i.for_sale, False) for i in p.items),
        )
        for p in profiles
    ]
    before, after = run(profiles, **query), run(stricter, **query)
    assert not (after.reservable and not before.reservable)
    if any(
        p.applies(query["channel"], query["audience"], query["at"])  # type: ignore[arg-type]
        and any(PRODUCT.named_by(i) for i in p.items)
        for p in profiles
    ):
        assert not after.reservable
