"""Notifications in any order, any number of times, end in the same state."""

from itertools import permutations

from hypothesis import given
from hypothesis import strategies as st

from tentative.core.payments import FINAL, PaymentState, advances


def settle(reports: list[PaymentState]) -> PaymentState:
    state = PaymentState.CREATED
    for reported in reports:
        if advances(state, reported):
            state = reported
    return state


def test_a_final_state_never_changes():
    for final in FINAL:
        for reported in PaymentState:
            assert not advances(final, reported)


def test_authorised_then_captured_in_any_order_ends_captured():
    for order in permutations(
        [PaymentState.PENDING, PaymentState.AUTHORISED, PaymentState.CAPTURED]
    ):
        assert settle(list(order)) == PaymentState.CAPTURED


@given(st.lists(st.sampled_from(PaymentState), max_size=8))
def test_repeating_every_report_changes_nothing(reports):
    assert settle(reports) == settle([r for r in reports for _ in range(2)])
