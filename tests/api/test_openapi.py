"""The OpenAPI schema documents every error shape and the Idempotency-Key; the docs render."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():  # type: ignore[no-untyped-def]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_as_error_out(schema):
    error_ref = "#/components/schemas/ErrorOut"
    for path, method, operation in operations(schema):
        if path.startswith("/api/v1/payments/notifications/"):
            # A provider's call: signed, not a staff token; its own errors only.
            assert {"400", "404", "413"} <= set(operation["responses"])
            assert "security" not in operation or operation["security"] == []
            continue
        expected = {"401", "404", "422"}
        if method == "post":
            expected |= {"400", "403", "409", "413", "415"}
        documented = set(operation["responses"])
        assert expected <= documented, (method, path, expected - documented)
        for status in expected:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"]["$ref"] == error_ref, (method, path, status)
        assert operation["security"] == [{"StaffToken": []}]
    error_out = schema["components"]["schemas"]["ErrorOut"]
    assert set(error_out["required"]) == {"code", "message"}


def test_every_mutating_operation_documents_the_idempotency_key(schema):
    # A provider's notification carries its own event id, which is its idempotency key
    # (the same notification twice is applied once): no header to add there.
    posts = [
        (p, o)
        for p, m, o in operations(schema)
        if m == "post" and not p.startswith("/api/v1/payments/notifications/")
    ]
    verbs = {p.rsplit("/", 1)[-1] for p, _ in posts if p.startswith("/api/v1/bookings/")}
    assert verbs >= {
        "approve",
        "decline",
        "confirm",
        "extend",
        "expire",
        "cancel",
        "convert",
        "reinstate",
    }
    assert {"/api/v1/bookings", "/api/v1/customers"} <= {p for p, _ in posts}
    for path, operation in posts:
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], path
        assert headers[0]["schema"]["maxLength"] == 255
        assert headers[0]["required"] is False
    for path, method, operation in operations(schema):
        if method == "get":
            assert all(p["in"] != "header" for p in operation.get("parameters", [])), path


def test_bounds_are_in_the_schema(schema):
    """What the schema says is what the server enforces, so clients (and fuzzers) know."""
    line = schema["components"]["schemas"]["LineIn"]["properties"]
    assert (line["quantity"]["minimum"], line["quantity"]["maximum"]) == (1, 1000)
    assert line["event_date_id"]["maximum"] == 2**63 - 1
    listing = {p["name"]: p for p in schema["paths"]["/api/v1/bookings"]["get"]["parameters"]}
    assert listing["limit"]["schema"]["maximum"] == 200
    reference = schema["paths"]["/api/v1/bookings/{reference}"]["get"]["parameters"][0]
    assert reference["schema"]["maxLength"] == 12


def test_the_interactive_docs_render():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "/api/v1/openapi.json" in page
