"""core.approval: which charge may be chosen for a decision window, and the countdown."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tentative.core.approval import Charge, approved_into_option, decide_by, window_refusal

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_only_a_charged_offer_with_something_to_pay_is_approved_into_an_option():
    assert approved_into_option([Charge.NONE, Charge.AUTHORISE], total_positive=True)
    assert approved_into_option([Charge.AFTER_APPROVAL], total_positive=True)
    assert not approved_into_option([Charge.NONE], total_positive=True)
    assert not approved_into_option([Charge.AUTHORISE], total_positive=False)  # free: firm


def test_authorising_at_request_needs_a_decision_within_the_window():
    assert window_refusal(Charge.AUTHORISE, None, 7) == "no_decision_days"
    assert window_refusal(Charge.AUTHORISE, 8, 7) == "window_too_short"
    assert window_refusal(Charge.AUTHORISE, 7, 7) is None
    assert window_refusal(Charge.AUTHORISE, 2, 5) is None
    # Charging after approval holds no authorisation: any window will do.
    assert window_refusal(Charge.AFTER_APPROVAL, None, 7) is None
    assert window_refusal(Charge.NONE, 30, 7) is None


moments = st.none() | st.integers(0, 10_000).map(lambda m: T0 + timedelta(minutes=m))


@given(moments, moments)
def test_decide_by_is_the_earlier_of_the_two(deadline, until):
    found = decide_by(deadline, until)
    present = [m for m in (deadline, until) if m is not None]
    assert found == (min(present) if present else None)
    assert found is None or all(found <= m for m in present)
