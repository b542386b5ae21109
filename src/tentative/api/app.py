"""The REST API: OpenAPI schema at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from ninja import NinjaAPI

from tentative.api import errors
from tentative.api.auth import StaffToken
from tentative.api.routes import bookings, catalog

api = NinjaAPI(
    title="Tentative API",
    version="1",
    description=(
        "Bookings that are not yet firm. Authenticate with `Authorization: Bearer <token>`. "
        "Every mutating call accepts an `Idempotency-Key` header: the same key with the same "
        "body returns the first response; with a different body, a 422."
    ),
    auth=StaffToken(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", catalog.router)
api.add_router("", bookings.router)
