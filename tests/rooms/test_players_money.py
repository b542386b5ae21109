"""Issue 14: any sequence of payments, player changes (per category, per-player and
per-group prices) and coupons made of the overpayment leaves the booking's balance and the
coupons exact, checked against a model kept by the test after every step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tentative.bookings import actions as bookings
from tentative.bookings.errors import PlayersOutOfRange, PlayersUnchanged
from tentative.core.states import State
from tentative.payments import actions, errors
from tentative.payments.models import Voucher, VoucherEntry
from tentative.payments.selectors import balance
from tests.factories import OrganisationFactory, staff
from tests.rooms.factories import book, escape_room, in_days, prices

# Adult 30.00 and child 20.00 per player, a package 150.00 per group (tests/rooms/factories).
PRICE = [Decimal("30.00"), Decimal("20.00"), Decimal("150.00")]
PER_GROUP = [False, False, True]

counts = st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 6))
step = st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 30000)),
    st.tuples(st.just("players"), counts),
    st.tuples(st.just("coupon"), st.integers(0, 30000)),  # 0: the whole overpayment
)


def ledger(voucher_id: int) -> Decimal:
    """A voucher's balance, read from its ledger in SQL."""
    total = VoucherEntry.objects.filter(voucher_id=voucher_id).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


def cost(players: tuple[int, ...]) -> Decimal:
    return sum(
        ((PRICE[i] if PER_GROUP[i] else PRICE[i] * n) for i, n in enumerate(players) if n),
        start=Decimal(0),
    )


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=10))
def test_player_changes_keep_the_balance_and_the_coupons_exact(steps):
    org = OrganisationFactory()
    owner = staff(org)
    room = escape_room(org, owner, group_price="150.00")
    ids = prices(room)
    booking = book(owner, room, in_days(org, 9), 3, 1, mode=State.CONFIRMED)
    players: tuple[int, ...] = (3, 1, 0)
    paid, coupons = Decimal(0), Decimal(0)
    for kind, size in steps:
        if kind == "pay":
            amount = Decimal(size).scaleb(-2)
            actions.record_payment(booking.id, actor=owner, amount=amount)
            paid += amount
        elif kind == "players":
            people = sum(size)
            try:
                bookings.change_players(
                    booking.id, actor=owner, players=dict(zip(ids, size, strict=True))
                )
            except PlayersOutOfRange:
                assert not 2 <= people <= 6
            except PlayersUnchanged:
                assert size == players
            else:
                assert 2 <= people <= 6 and size != players
                players = size
        else:
            overpaid = paid - coupons - cost(players)
            wanted = None if size == 0 else Decimal(size).scaleb(-2)
            if overpaid <= 0 or (wanted is not None and wanted > overpaid):
                with pytest.raises(errors.CouponTooLarge):
                    actions.refund_to_voucher(booking.id, wanted, actor=owner)
            else:
                coupon = actions.refund_to_voucher(booking.id, wanted, actor=owner)
                made = overpaid if wanted is None else wanted
                assert coupon.kind == Voucher.Kind.COUPON and coupon.sent_at is None
                assert ledger(coupon.id) == made
                coupons += made
        booking.refresh_from_db()
        now = balance(booking)
        assert booking.total == cost(players)
        assert now.due.amount == cost(players)
        # Money kept as a coupon left the booking as a refund (to a voucher).
        assert now.outstanding.amount == cost(players) - paid + coupons
        issued = [ledger(v) for v in booking.vouchers.values_list("id", flat=True)]
        assert sum(issued, start=Decimal(0)) == coupons
        assert all(amount > 0 for amount in issued)
