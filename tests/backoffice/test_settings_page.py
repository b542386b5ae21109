"""The organisation's settings page: the languages the public pages offer and the
customers' side settings (checkout hold, caps, retention), checked by the action whatever
face sends them; a refusal comes back next to its field with the typed values kept."""

from __future__ import annotations

import pytest

from tentative.accounts.models import Organisation
from tentative.audit.models import AuditEntry
from tentative.core.permissions import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
GOOD = {
    "name": "Théâtre du Port",
    "time_zone": "Europe/Paris",
    "currency": "EUR",
    "default_language": "fr",
    "deadline_policy": "strict",
    "deadline_at_limit": "release",
    "quote_validity_days": "30",
    "languages": ["en", "fr"],
    "checkout_hold_minutes": "20",
    "public_max_places_per_order": "6",
    "public_max_open_per_customer": "2",
    "retention_days": "365",
}


@pytest.fixture
def owner(client, org):  # type: ignore[no-untyped-def]
    member = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(member.user)
    return member


def test_the_owner_sets_the_languages_and_the_public_settings(client, org, owner):
    response = client.post("/staff/settings/", GOOD, headers={"accept-language": "en"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.languages == ["en", "fr"]
    assert (
        org.checkout_hold_minutes,
        org.public_max_places_per_order,
        org.public_max_open_per_customer,
        org.retention_days,
    ) == (20, 6, 2, 365)
    entry = AuditEntry.objects.get(action="staff.settings_changed")
    assert entry.data["changed"]["languages"] == ["en", "fr"]
    page = client.get("/staff/settings/").content.decode()
    ticked = [b.split(">", 1)[0] for b in page.split('name="languages"')[1:]]
    assert ["checked" in attrs for attrs in ticked] == [True, True, False]  # en, fr, es
    # Empty keeps personal data.
    client.post("/staff/settings/", {**GOOD, "retention_days": ""})
    org.refresh_from_db()
    assert org.retention_days is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"languages": ["en"]}, "languages", "The default language (French) must be among"),
        ({"languages": ["en", "xx"]}, "languages", "Select a valid choice."),
        ({"languages": [SCRIPT]}, "languages", "Select a valid choice."),
        ({"checkout_hold_minutes": ""}, "checkout_hold_minutes", "This field is required."),
        ({"checkout_hold_minutes": "0"}, "checkout_hold_minutes", "from 1 to 120"),
        ({"checkout_hold_minutes": "121"}, "checkout_hold_minutes", "from 1 to 120"),
        ({"checkout_hold_minutes": "-5"}, "checkout_hold_minutes", "from 1 to 120"),
        ({"public_max_places_per_order": "9" * 30}, "public_max_places_per_order", "1 to 100"),
        ({"public_max_places_per_order": SCRIPT}, "public_max_places_per_order", "whole number"),
        ({"public_max_open_per_customer": "101"}, "public_max_open_per_customer", "1 to 100"),
        ({"public_max_open_per_customer": "-1"}, "public_max_open_per_customer", "1 to 100"),
        ({"retention_days": "29"}, "retention_days", "from 30 to 3650"),
        ({"retention_days": "3651"}, "retention_days", "from 30 to 3650"),
        ({"retention_days": "-30"}, "retention_days", "from 30 to 3650"),
        ({"retention_days": SCRIPT}, "retention_days", "whole number"),
    ],
)
def test_bad_input_comes_back_next_to_its_field_with_the_values_kept(
    client, org, owner, change, field, message
):
    before = Organisation.objects.values().get(id=org.id)
    response = client.post(
        "/staff/settings/", {**GOOD, **change}, headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    error = html.split(f'id="id_{field}-error"', 1)
    assert len(error) == 2, f"no error under {field}"
    assert message in error[1].split("</small>", 1)[0]
    assert SCRIPT not in html  # escaped where kept
    for name, value in change.items():
        if isinstance(value, str) and value and name != "languages":
            assert f'value="{value.replace("<", "&lt;").replace(">", "&gt;")}"' in html
    assert 'value="Théâtre du Port"' in html  # the other typed values are kept too
    assert Organisation.objects.values().get(id=org.id) == before
    assert not AuditEntry.objects.filter(action="staff.settings_changed").exists()


def test_the_error_is_translated(client, org, owner):
    response = client.post(
        "/staff/settings/",
        {**GOOD, "languages": ["en"], "checkout_hold_minutes": "500"},
        headers={"accept-language": "fr"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "La langue par défaut (Français) doit faire partie des langues proposées." in html
    assert "Saisissez un nombre entier de 1 à 120." in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
def test_other_roles_read_the_languages_but_cannot_change_them(client, org, role):
    client.force_login(MembershipFactory(organisation=org, role=role).user)
    assert client.get("/staff/settings/").status_code == 200
    response = client.post("/staff/settings/", {**GOOD, "languages": ["es"]})
    assert response.status_code in (403, 404)
    assert Organisation.objects.get(id=org.id).languages == ["en", "fr", "es"]
