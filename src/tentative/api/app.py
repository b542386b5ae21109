"""The REST API: OpenAPI schema at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser

from tentative.api import errors
from tentative.api.auth import StaffToken
from tentative.api.routes import (
    appointments,
    bookings,
    catalog,
    check_ins,
    payments,
    photos,
    reserves,
    rooms,
    sales,
    vouchers,
    waitlist,
)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class JsonObjectParser(Parser):
    """Every request body is one JSON object. Ninja read `null` as "no body" and took the
    defaults, so a body of `null` or `[]` was accepted; NaN and Infinity are not JSON.
    Anything raised here becomes a 400 `malformed` (errors.py)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body, parse_constant=_no_constant)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


api = NinjaAPI(
    title="Tentative API",
    version="1",
    description=(
        "Bookings that are not yet firm. Authenticate with `Authorization: Bearer <token>`. "
        "Every mutating call accepts an `Idempotency-Key` header: the same key with the same "
        "body returns the first response; with a different body, a 422. Every error is JSON: "
        "`{code, message}`, `code` for programs and `message` for people."
    ),
    auth=StaffToken(),
    parser=JsonObjectParser(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", catalog.router)
api.add_router("", bookings.router)
api.add_router("", reserves.router)
api.add_router("", payments.router)
api.add_router("", vouchers.router)
api.add_router("", check_ins.router)
api.add_router("", sales.router)
api.add_router("", waitlist.router)
api.add_router("", appointments.router)
api.add_router("", rooms.router)
api.add_router("", photos.router)
