"""Integers are integers, and the OpenAPI schema says what the server refuses.

`"quantity": false` once set a reserve's allocation to 0 and emptied it: pydantic reads a
boolean as a number unless the field is strict. Every integer of every request body is found
by walking the OpenAPI schema (so a new endpoint is covered without being listed here), sent
as `true`, `false`, `1.5`, `1.0` and `"1"`, and must be refused with a 422 naming that
field, writing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tentative.inventory.actions import create_reserve, set_allocation
from tentative.inventory.models import CapacityPool
from tests.api.conftest import error, rows
from tests.factories import on_sale, staff

pytestmark = pytest.mark.django_db

NOT_INTEGERS = [True, False, 1.5, 1.0, "1"]
ERROR_OUT = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def integers(
    schema: dict[str, Any], node: dict[str, Any], at: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every integer in a request body: its place (keys, and 0 for an array's item), its schema."""
    node = resolve(schema, node)
    for option in node.get("anyOf", []):
        yield from integers(schema, option, at)
    if node.get("type") == "integer":
        yield at, node
    if node.get("type") == "array":
        yield from integers(schema, node["items"], (*at, 0))
    for name, field in node.get("properties", {}).items():
        yield from integers(schema, field, (*at, name))


def bodies(schema: dict[str, Any]) -> Iterator[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert method == "post", path
                if "application/json" not in operation["requestBody"]["content"]:
                    continue  # the photos' upload: files only (multipart/form-data)
                content = operation["requestBody"]["content"]["application/json"]["schema"]
                for at, field in integers(schema, content):
                    yield path, at, field


def concrete(path: str) -> str:
    """A path template with ids filled in: the body is read before anything is looked up."""
    return re.sub(r"\{reference\}", "ABCDEFGH", re.sub(r"\{\w+_id\}", "1", path))


def placed(at: tuple[Any, ...], value: Any) -> Any:
    """`value` at `at` in an otherwise empty body: `("lines", 0, "quantity")` → lines[0]."""
    if not at:
        return value
    head, *rest = at
    inner = placed(tuple(rest), value)
    return [inner] if head == 0 else {head: inner}


def test_the_walk_finds_the_integers_we_know(schema):
    found = {(path.removeprefix("/api/v1"), at) for path, at, _ in bodies(schema)}
    assert {
        ("/bookings", ("lines", 0, "quantity")),
        ("/bookings", ("lines", 0, "reserve_id")),
        ("/bookings", ("customer_id",)),
        ("/reserves", ("member_ids", 0)),
        ("/reserves", ("release_before_hours",)),
        ("/reserves/{reserve_id}/allocation", ("quantity",)),
        ("/reserves/{reserve_id}/release", ("quantity",)),
        ("/reserves/{reserve_id}/schedule", ("hours_before",)),
    } <= found


def test_every_integer_of_every_request_body_refuses_booleans_and_floats(api, schema):
    before = rows()
    checked = 0
    for path, at, field in bodies(schema):
        assert {"minimum", "maximum"} <= set(field), (path, at, field)  # bounds documented
        for value in NOT_INTEGERS:
            response = api.client.post(
                concrete(path),
                data=placed(at, value),
                content_type="application/json",
                headers={"Authorization": f"Bearer {api.token}"},
            )
            body = error(response, 422, "invalid")
            where = ["body", "payload", *(str(part) for part in at)]
            assert any(e["loc"] == where for e in body["errors"]), (path, at, value, body)
            checked += 1
    assert checked == len(list(bodies(schema))) * len(NOT_INTEGERS) >= 15 * len(NOT_INTEGERS)
    assert rows() == before


def test_quantity_false_does_not_empty_a_reserve(api, org):
    date, ticket = on_sale(org, capacity=20)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=5
    )
    for value in (False, True, 0.0, 5.0):
        body = {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": value}
        error(api.post(f"/reserves/{reserve.id}/allocation", body), 422, "invalid")
    assert CapacityPool.objects.get(reserve=reserve).capacity == 5


@pytest.mark.parametrize("text", ["1.0", "1.5", "true", "+1", "1_0", "1e3", "٣"])
def test_integers_in_paths_and_queries_are_digits_only(api, org, text):
    date, _ticket = on_sale(org)
    reserve = create_reserve(org.id, actor=staff(org), name="Press")
    assert api.get(f"/reserves/{reserve.id}").status_code == 200
    assert api.get(f"/dates/{date.id}/availability").status_code == 200
    error(api.get(f"/reserves/{text}"), 422, "invalid")
    error(api.get(f"/dates/{text}/availability"), 422, "invalid")
    for name in ("limit", "offset", "event_date_id", "customer_id"):
        assert api.get("/bookings", **{name: "1"}).status_code == 200
        error(api.get("/bookings", **{name: text}), 422, "invalid")


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_mutating_operation_documents_its_409_and_422(schema):
    """A generated client learns each refusal's status, shape and codes from the schema."""
    posts = [
        (path, operation)
        for path, method, operation in operations(schema)
        if method == "post" and not path.startswith("/api/v1/payments/notifications/")
    ]
    assert len(posts) >= 18
    for path, operation in posts:
        for status, always in (("409", "capacity_busy"), ("422", "invalid")):
            response = operation["responses"][status]
            assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_OUT
            assert f"`{always}`" in response["description"], (path, status)
    conflicts = {
        "/api/v1/bookings": "sold_out",
        "/api/v1/bookings/{reference}/approve": "illegal_transition",
        "/api/v1/bookings/{reference}/cancel": "illegal_transition",
        "/api/v1/reserves/{reserve_id}/allocation": "not_enough_free",
        "/api/v1/reserves/{reserve_id}/release": "release_too_many",
    }
    for path, code in conflicts.items():
        assert f"`{code}`" in schema["paths"][path]["post"]["responses"]["409"]["description"]
    error_out = schema["components"]["schemas"]["ErrorOut"]
    assert {"code", "message", "errors"} <= set(error_out["properties"])


def test_every_integer_parameter_states_its_bounds(schema):
    for path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            for option in options:
                if option.get("type") == "integer":
                    assert {"minimum", "maximum"} <= set(option), (path, parameter)
                    assert not {"ge", "le"} & set(option), (path, parameter)


def test_datetimes_say_they_need_a_zone_and_a_range(schema):
    extend = schema["components"]["schemas"]["ExtendIn"]["properties"]["until"]
    assert "offset" in extend["description"] and "future" in extend["description"]
    release_at = schema["components"]["schemas"]["ScheduleIn"]["properties"]["release_at"]
    assert "future" in release_at["description"] and "9000" in release_at["description"]
    listing = {p["name"]: p for p in schema["paths"]["/api/v1/bookings"]["get"]["parameters"]}
    assert "offset" in str(listing["created_after"]["schema"])


def test_mutually_exclusive_fields_are_in_the_schema_and_refused(api, org, schema):
    """ScheduleIn: `release_at` or `hours_before`, never both with values."""
    schedule = schema["components"]["schemas"]["ScheduleIn"]
    assert schedule["not"]["required"] == ["release_at", "hours_before"]
    date, _ticket = on_sale(org)
    reserve = create_reserve(org.id, actor=staff(org), name="Press")
    when = date.starts_at.isoformat()
    both = {"event_date_id": date.id, "release_at": when, "hours_before": 2}
    error(api.post(f"/reserves/{reserve.id}/schedule", both), 422, "invalid")
    one = {"event_date_id": date.id, "release_at": None, "hours_before": 2}
    assert api.post(f"/reserves/{reserve.id}/schedule", one).status_code == 200
