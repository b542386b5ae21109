"""The API's interactive docs work offline: Swagger UI's files come from this server, and a
browser that may reach nothing but it still renders every route (issue 11 item 11)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL = {"localhost", "127.0.0.1"}


def test_the_api_docs_render_with_every_outside_request_blocked(live_server, page):
    outside: list[str] = []

    def only_local(route):  # type: ignore[no-untyped-def]
        host = urlsplit(route.request.url).hostname
        if host in LOCAL or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Tentative API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/bookings" in p for p in paths), paths
    assert outside == [], f"the docs asked for outside files: {outside}"


def test_the_docs_page_names_only_local_files(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
