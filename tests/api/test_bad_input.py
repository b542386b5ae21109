"""Bad input on every endpoint: always a 4xx JSON `{code, message}`, never a 500, no write.

Each mutating endpoint is aimed at a booking on which its action would succeed, so the bad
input is the only reason for the refusal; every refusal must leave every table as it was.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tentative.core.states import State
from tests.api.conftest import PREFIX, error, rows
from tests.factories import CustomerFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

BIG = 2**63
SOON = timezone.now() + timedelta(days=3)


@pytest.fixture
def world(org, other):  # type: ignore[no-untyped-def]
    """A booking in each state, an offer with room left, and one of another organisation."""
    date, ticket = on_sale(org, capacity=50)
    owner = staff(org)
    refs = {
        state: book(owner, date, ticket, mode=state).reference
        for state in (State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED)
    }
    expired = book(owner, date, ticket)
    from tentative.bookings import actions

    actions.expire_booking(expired.id, actor=owner)
    refs[State.EXPIRED] = expired.reference
    other_org, other_date, other_ticket = other
    foreign = book(staff(other_org), other_date, other_ticket, mode=State.REQUEST)
    return {
        "date": date,
        "ticket": ticket,
        "refs": refs,
        "customer": CustomerFactory(organisation=org),
        "foreign": foreign.reference,
        "other_date": other_date,
        "other_ticket": other_ticket,
    }


def good_line(w, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"event_date_id": w["date"].id, "ticket_type_id": w["ticket"].id, "quantity": 1} | (
        changes
    )


# Endpoint → (path, a valid body). The path's booking is one the action may act on.
def endpoints(w) -> dict[str, tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    r = w["refs"]
    return {
        "create": ("/bookings", {"mode": "option", "lines": [good_line(w)]}),
        "approve": (f"/bookings/{r[State.REQUEST]}/approve", {"target": "option"}),
        "decline": (f"/bookings/{r[State.REQUEST]}/decline", {"reason": "no"}),
        "convert": (f"/bookings/{r[State.QUOTE]}/convert", {"target": "option"}),
        "confirm": (f"/bookings/{r[State.OPTION]}/confirm", {}),
        "extend": (f"/bookings/{r[State.OPTION]}/extend", {"until": SOON.isoformat()}),
        "expire": (f"/bookings/{r[State.OPTION]}/expire", {}),
        "cancel": (f"/bookings/{r[State.CONFIRMED]}/cancel", {"reason": "ill"}),
        "reinstate": (f"/bookings/{r[State.EXPIRED]}/reinstate", {"reason": "paid late"}),
        "customer": ("/customers", {"name": "Ana", "email": "ana@example.org"}),
    }


ENDPOINTS = [
    "create",
    "approve",
    "decline",
    "convert",
    "confirm",
    "extend",
    "expire",
    "cancel",
    "reinstate",
    "customer",
]

# Raw bodies no endpoint can accept: (body, content type, expected status).
RAW = [
    ("{", "application/json", 400),
    ('{"reason": "x"', "application/json", 400),
    ("[" * 100_000, "application/json", 400),  # deeper than the JSON parser recurses
    (b"\xff\xfe\x00{}", "application/json", 400),
    ("null", "application/json", 400),
    ('"text"', "application/json", 400),
    ("12", "application/json", 400),
    ("[]", "application/json", 400),
    ('{"reason": NaN}', "application/json", 400),
    ('{"reason": "x"} {}', "application/json", 400),
    ("", "application/json", 422),
    ('{"reason": "x"}', "text/plain", 415),
    ("reason=x", "application/x-www-form-urlencoded", 415),
    ("<reason>x</reason>", "application/xml", 415),
    ('{"reason": "x"}', "multipart/form-data; boundary=x", 415),
]

# Field changes every endpoint's body must refuse, merged into the valid body.
COMMON_FIELDS: list[dict[str, Any]] = [
    {"reason": "a\x00b"},
    {"reason": "\ud800"},  # a lone surrogate: not encodable, PostgreSQL refuses it
    {"reason": "x" * 2001},
    {"reason": 12},
    {"reason": ["x"]},
    {"reason": {"x": 1}},
]

# Bodies for one endpoint, each refused with a 4xx.
SPECIFIC: dict[str, list[Any]] = {
    "create": [
        {},
        {"mode": "firm", "lines": "L"},
        {"mode": None, "lines": "L"},
        {"mode": "option"},
        {"mode": "option", "lines": []},
        {"mode": "option", "lines": "L" * 51},
        {"mode": "option", "lines": "not a list"},
        {"mode": "option", "lines": [None]},
        {"mode": "option", "lines": [{}]},
        *(
            {"mode": "option", "lines": [{"quantity": q}]}
            for q in (0, -1, 1001, BIG, -BIG, 10**100, 1.5, "many", None, [1], 1e308)
        ),
        *(
            {"mode": "option", "lines": [{field: value}]}
            for field in ("event_date_id", "ticket_type_id")
            for value in (0, -1, BIG, 2**64, "1; DROP TABLE", None, 1.5, 987654321)
        ),
        {"mode": "option", "lines": "L", "customer_id": 0},
        {"mode": "option", "lines": "L", "customer_id": BIG},
        {"mode": "option", "lines": "L", "customer_id": 987654321},
        {"mode": "option", "lines": "L", "customer_id": "foreign"},
        {"mode": "option", "lines": "L", "channel": "carrier pigeon"},
        {"mode": "option", "lines": "L", "language": "de"},
        {"mode": "option", "lines": "L", "note": "x" * 2001},
        {"mode": "option", "lines": "L", "note": "a\x00b"},
        {"mode": "option", "lines": "L", "note": "\udfff"},
        {"mode": "option", "lines": [{"participants": [{"name": "a"}] * 2}]},
        {"mode": "option", "lines": [{"participants": [{"email": "nope"}]}]},
        {"mode": "option", "lines": [{"participants": [{"name": "a\x00"}]}]},
        {"mode": "option", "lines": [{"participants": "Ana"}]},
        {"mode": "option", "lines": [{"quantity": 1}, {"quantity": 2}]},  # the same offer twice
        {"mode": "option", "lines": [{"event_date_id": "foreign"}]},
        {"mode": "option", "lines": [{"ticket_type_id": "foreign"}]},
        {"mode": "option", "lines": [{"quantity": 51}]},  # more than the 50 places
    ],
    "approve": [{"target": "expired"}, {"target": "quote"}, {"target": None}, {"target": 1}],
    "convert": [{"target": "cancelled"}, {"target": ""}, {"target": ["option"]}],
    "reinstate": [{"reason": ""}, {"reason": "   "}, {"target": "request", "reason": "x"}],
    "cancel": [{"reason": ""}],  # a firm booking needs a reason
    "extend": [
        {},
        {"until": None},
        {"until": "tomorrow"},
        {"until": 1700000000},
        {"until": (SOON.replace(tzinfo=None)).isoformat()},  # naive
        {"until": (timezone.now() - timedelta(days=1)).isoformat()},  # past
        {"until": (timezone.now() + timedelta(days=400)).isoformat()},  # after the start
        {"until": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC
        {"until": "9999-12-31T23:59:59-14:00"},  # after year 9999 in UTC
        {"until": "2026-02-30T10:00:00+00:00"},
        {"until": "2026-01-01T25:00:00+00:00"},
    ],
    "customer": [
        {},
        {"name": ""},
        {"name": "  \t "},
        {"name": None},
        {"name": "x" * 201},
        {"name": "a\x00"},
        {"name": "\ud83d"},
        {"name": "Ana", "email": "@"},
        {"name": "Ana", "email": "a@b" + "c" * 300 + ".org"},
        {"name": "Ana", "email": "ana@example.org\x00"},
        {"name": "Ana", "kind": "robot"},
        {"name": "Ana", "language": "xx"},
        {"name": ["Ana"]},
    ],
}


def resolve(w, body: Any, valid: dict[str, Any]) -> Any:  # type: ignore[no-untyped-def]
    """Fill in placeholders: "L" → valid lines; partial lines → a valid line with changes."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    lines = out.get("lines")
    if lines == "L":
        out["lines"] = valid["lines"]
    elif isinstance(lines, str) and set(lines) == {"L"}:
        out["lines"] = [good_line(w, ticket_type_id=w["ticket"].id + i) for i in range(len(lines))]
    elif isinstance(lines, list):
        out["lines"] = [
            good_line(w, **{k: foreign(w, k, v) for k, v in item.items()})
            if isinstance(item, dict) and item
            else item
            for item in lines
        ]
    if out.get("customer_id") == "foreign":
        out["customer_id"] = CustomerFactory(organisation=w["other_date"].event.organisation).id
    return out


def foreign(w, key: str, value: Any) -> Any:  # type: ignore[no-untyped-def]
    if value != "foreign":
        return value
    return {"event_date_id": w["other_date"].id, "ticket_type_id": w["other_ticket"].id}[key]


def check_refused(response, label: str) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (label, response.status_code, response.content[:300])
    error(response, response.status_code)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_every_mutating_endpoint_refuses_bad_bodies(api, world, name):
    path, valid = endpoints(world)[name]
    # Creating a booking or a customer takes no reason (an unknown field is ignored).
    common = [] if name in ("create", "customer") else COMMON_FIELDS
    cases: list[tuple[str, Any]] = [(f"fields {c}", valid | c) for c in common]
    cases += [(f"specific {b!r}"[:120], resolve(world, b, valid)) for b in SPECIFIC.get(name, [])]
    before = rows()
    for label, body in cases:
        raw = json.dumps(body, ensure_ascii=True)
        check_refused(api.post(path, raw=raw), label)
        assert rows() == before, label
    for raw, content_type, status in RAW:
        response = api.post(path, raw=raw, content_type=content_type)
        error(response, status)
    assert rows() == before
    # And the valid body itself goes through: the refusals above were about the input.
    response = api.post(path, valid)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("name", ENDPOINTS)
def test_an_oversized_body_is_a_413(api, world, name):
    path, valid = endpoints(world)[name]
    before = rows()
    padded = valid | {"note": "x" * 300_000}
    error(api.post(path, padded), 413, "too_large")
    assert rows() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_bad_or_missing_token_is_a_401_and_writes_nothing(world, name):
    from tests.api.conftest import Api

    path, valid = endpoints(world)[name]
    before = rows()
    for token in (None, "wrong", "\u00e9" * 10):
        error(Api(token).post(path, valid), 401, "unauthenticated")
    assert rows() == before


BAD_REFS = ["%00", "A%00B", "ABCDEFGHJKLMN", "AB-CD", "%C3%89T%C3%89", "%F0%9F%98%80", "..%2F"]


@pytest.mark.parametrize("verb", ["", "/audit", *(f"/{v}" for v in ENDPOINTS[1:-1])])
def test_bad_or_unknown_booking_references(api, world, verb):
    method = "get" if verb in ("", "/audit") else "post"
    before = rows()
    for ref in [*BAD_REFS, "NOSUCH22", world["foreign"]]:
        path = f"{PREFIX}/bookings/{ref}{verb}"
        if method == "get":
            response = api.client.get(path, headers=api._headers(None, None))
        else:
            response = api.client.post(
                path,
                data=json.dumps({"reason": "x", "until": SOON.isoformat()}),
                content_type="application/json",
                headers=api._headers(None, None),
            )
        check_refused(response, ref)
        if ref in ("NOSUCH22", world["foreign"]):
            assert response.json()["code"] == "not_found"
    assert rows() == before


BAD_IDS = ["0", "-1", str(BIG), str(2**64), "1e3", "1.5", "abc", "%00", "987654321", "%20"]


@pytest.mark.parametrize("template", ["/events/{}", "/dates/{}/availability"])
def test_bad_or_unknown_catalog_ids(api, world, template):
    other = world["other_date"]
    for value in [*BAD_IDS, str(other.id), str(other.event_id)]:
        response = api.client.get(PREFIX + template.format(value), headers=api._headers(None, None))
        check_refused(response, value)


BAD_QUERIES = [
    {"limit": "0"},
    {"limit": "-1"},
    {"limit": "201"},
    {"limit": str(2**80)},
    {"limit": "x"},
    {"offset": "-1"},
    {"offset": str(2**80)},
    {"offset": "1.5"},
    {"state": "gone"},
    {"state": "\x00"},
    {"event_date_id": "0"},
    {"event_date_id": str(BIG)},
    {"customer_id": "-5"},
    {"customer_id": "x"},
    {"created_after": "2026-01-01T00:00:00"},  # naive
    {"created_after": "yesterday"},
    {"created_before": "0001-01-01T00:00:00+14:00"},
    {"created_before": "9999-12-31T23:59:59-14:00"},
    {"created_before": "2026-13-01T00:00:00Z"},
]


def test_bad_list_filters(api, world):
    for params in BAD_QUERIES:
        check_refused(api.get("/bookings", **params), str(params))


def test_unknown_paths_and_methods_answer_json(api):
    error(api.get("/nothing-here"), 404, "not_found")
    error(api.get("/bookings/ABC/unknown-verb"), 404, "not_found")
    response = api.client.delete(f"{PREFIX}/bookings", headers=api._headers(None, None))
    error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    response = api.client.put(
        f"{PREFIX}/customers",
        data="{}",
        content_type="application/json",
        headers=api._headers(None, None),
    )
    error(response, 405, "method_not_allowed")


def test_datetimes_far_in_range_are_fine(api, world):
    """The bounds are wide: an ordinary zone offset or a 1990 filter is accepted."""
    for value in ("1990-01-01T00:00:00+05:30", "2100-01-01T00:00:00-08:00"):
        assert api.get("/bookings", created_after=value).status_code == 200


def test_a_crash_still_answers_json_without_details(api, monkeypatch):
    """No bad input should get here; if a bug does, the client reads JSON, not a trace."""
    from django.test import Client

    from tentative.api.routes import catalog

    def crash(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(catalog, "staff_actor", crash)
    client = Client(raise_request_exception=False)
    response = client.get(f"{PREFIX}/events", headers=api._headers(None, None))
    body = error(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert set(body) == {"code", "message"}
