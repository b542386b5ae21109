"""The embeddable widget: its script, the framed page's headers (only the widget may be
framed, only by the organisation's sites), the new-tab continue page, the staff page."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tentative.accounts import actions as accounts
from tentative.accounts.errors import InvalidAudience
from tentative.catalog import actions as catalog
from tests.factories import MembershipFactory, on_sale, staff

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8123"


def test_the_script_carries_its_configuration(client, org):  # type: ignore[no-untyped-def]
    org.widget_sites = [SITE]
    org.languages = ["en", "fr", "es"]
    org.save()
    response = client.get(reverse("public:widget_js", args=[org.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    config = json.loads(re.search(r"var C = (\{.*\});", body).group(1))  # type: ignore[union-attr]
    assert config["slug"] == org.slug and config["sites"] == [SITE]
    assert config["labels"]["fr"]["book"] == "Réserver"
    assert config["labels"]["es"]["book"] == "Reservar"
    assert config["base"] == "http://testserver"


def test_only_the_widget_page_may_be_framed_and_only_by_allowed_sites(client, org):  # type: ignore[no-untyped-def]
    date, _ = on_sale(org)
    event_id = date.event_id
    framed = reverse("public:widget_event", args=[org.slug, event_id])
    closed = client.get(framed)
    assert closed.status_code == 200
    assert closed["X-Frame-Options"] == "DENY"
    assert closed["Content-Security-Policy"] == "frame-ancestors 'none'"
    org.widget_sites = [SITE, "https://theatre.example"]
    org.save()
    open_ = client.get(framed)
    assert "X-Frame-Options" not in open_
    assert open_["Content-Security-Policy"] == (
        f"frame-ancestors 'self' {SITE} https://theatre.example"
    )
    # The framed page posts nothing: its choices open the continue page in a new tab.
    text = open_.content.decode()
    assert 'method="post"' not in text and 'target="_blank"' in text
    # Every other page keeps DENY.
    for url in (
        reverse("public:event", args=[org.slug, event_id]),
        reverse("public:organisation", args=[org.slug]),
        reverse("public:widget_continue", args=[org.slug]),
    ):
        assert client.get(url)["X-Frame-Options"] == "DENY"


def test_the_framed_page_follows_the_sales_profiles(client, org):  # type: ignore[no-untyped-def]
    date, _ = on_sale(org)
    owner = staff(org)
    profile = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Web: buy only", channels=("web",)), actor=owner
    )
    catalog.set_profile_item(profile.id, actor=owner, for_sale=True, reservable=False)
    text = client.get(reverse("public:widget_event", args=[org.slug, date.event_id])).content
    assert b'value="buy"' in text and b'value="reserve"' not in text


def test_continue_restates_the_choice_and_holds_with_csrf(client, org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=5)
    url = reverse("public:widget_continue", args=[org.slug])
    query = {"date": date.id, "ticket_type": ticket.id, "quantity": 2, "mode": "reserve"}
    page = client.get(url, {**query, "lang": "fr"})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in text
    assert reverse("public:hold", args=[org.slug, date.id]) in text
    assert 'value="2"' in text and 'value="reserve"' in text
    assert page.cookies["django_language"].value == "fr"
    bad = client.get(url, {**query, "quantity": "lots"})
    assert bad.status_code == 400
    gone = client.get(url, {**query, "ticket_type": 999999})
    assert gone.status_code == 409
    ticket.reservable = False
    ticket.save()
    assert client.get(url, query).status_code == 409


def test_sites_are_origins_and_only_the_owner_sets_them(client, org):  # type: ignore[no-untyped-def]
    on_sale(org)
    owner = staff(org)
    assert accounts.set_widget_sites(
        org.id, ["https://Theatre.example/", "", "http://localhost:8123"], actor=owner
    ) == ["https://theatre.example", "http://localhost:8123"]
    for bad in ("theatre.example", "https://x.example/page", "javascript:alert(1)", "https://a b"):
        with pytest.raises(InvalidAudience):
            accounts.set_widget_sites(org.id, [bad], actor=owner)
    member = MembershipFactory(organisation=org, role="manager")
    client.force_login(member.user)
    page = client.get(reverse("backoffice:widget"), headers={"accept-language": "en"})
    assert page.status_code == 200 and "widget.js" in page.content.decode()
    refused = client.post(reverse("backoffice:widget"), {"sites": SITE})
    assert refused.status_code == 403
    org.refresh_from_db()
    assert org.widget_sites == ["https://theatre.example", "http://localhost:8123"]
