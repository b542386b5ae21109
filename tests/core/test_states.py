import pytest
from hypothesis import given
from hypothesis import strategies as st

from tentative.core import states
from tentative.core.states import TERMINAL, TRANSITIONS, Action, State


@given(
    st.sampled_from([None, *State]),
    st.sampled_from(Action),
    st.sampled_from(State),
    st.text(max_size=3),
)
def test_every_state_action_pair_follows_the_table_or_is_refused(source, action, target, reason):
    listed = [t for t in TRANSITIONS if (t.action, t.source, t.target) == (action, source, target)]
    try:
        step = states.transition(source, action, target, reason=reason)
    except states.IllegalTransition:
        assert not listed
    except states.ReasonRequired:
        assert listed and listed[0].needs_reason and not reason.strip()
    else:
        assert listed == [step]


def test_terminal_states_have_no_way_out():
    for state in TERMINAL:
        assert all(t.source != state for t in TRANSITIONS)


def test_a_single_possible_target_may_be_omitted():
    assert states.transition(State.OPTION, Action.CONFIRM).target == State.CONFIRMED
    assert states.transition(State.REQUEST, Action.DECLINE).target == State.DECLINED


def test_a_choice_of_targets_must_be_named():
    try:
        states.transition(State.REQUEST, Action.APPROVE)
    except states.IllegalTransition:
        pass
    else:
        raise AssertionError("approve has two targets; the caller must choose")


def test_cancelling_a_firm_booking_needs_a_reason():
    try:
        states.transition(State.CONFIRMED, Action.CANCEL, reason="  ")
    except states.ReasonRequired:
        pass
    else:
        raise AssertionError
    assert states.transition(State.OPTION, Action.CANCEL).target == State.CANCELLED


def test_requests_hold_places_only_where_the_offer_says_so():
    assert states.takes_capacity(State.REQUEST, requests_hold=True)
    assert not states.takes_capacity(State.REQUEST, requests_hold=False)
    assert not states.takes_capacity(State.QUOTE, requests_hold=True)
    assert states.takes_capacity(State.OPTION, requests_hold=False)
    assert states.takes_capacity(State.CONFIRMED, requests_hold=False)
    for state in (State.EXPIRED, *TERMINAL):
        assert not states.takes_capacity(state, requests_hold=True)


def test_the_diagram_lists_every_transition():
    diagram = states.mermaid_diagram()
    changing = [t for t in TRANSITIONS if t.action not in states.IN_PLACE]
    assert diagram.count("-->") == len(changing) + len(TERMINAL)
    # In-place actions are one note per live state, not a loop each.
    for state in states.LIVE:
        assert f"note right of {state.value}: change_quantity, move" in diagram


def test_in_place_actions_keep_the_state_of_every_live_booking_and_no_other():
    for action in states.IN_PLACE:
        for state in State:
            if state in states.LIVE:
                assert states.transition(state, action).target == state
            else:
                with pytest.raises(states.IllegalTransition):
                    states.transition(state, action)
