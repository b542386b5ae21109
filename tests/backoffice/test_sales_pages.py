"""The staff pages for audiences, the reserve matrix and sales profiles: they save through
the actions, show refusals next to their field, and preview what a customer sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tentative.accounts.models import Audience
from tentative.catalog.models import SalesProfile, SalesProfileItem
from tentative.core.permissions import Role
from tests.factories import CustomerFactory, MembershipFactory, on_sale

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    client.force_login(MembershipFactory(organisation=org, role=role).user)
    return client


def test_the_matrix_and_a_new_audience(client, org):  # type: ignore[no-untyped-def]
    signed_in(client, org)
    url = reverse("backoffice:audiences")
    page = client.get(url, headers=EN)
    assert page.status_code == 200 and "May reserve, per channel" in page.content.decode()
    assert client.post(url, {"add": "1", "name": "Schools"}).status_code == 302
    schools = Audience.objects.get(organisation=org, name="Schools")
    saved = client.post(
        url,
        {"matrix": "1", "reserve-public": ["box_office"], f"reserve-{schools.id}": ["web", "b2b"]},
    )
    assert saved.status_code == 302
    public = Audience.objects.get(organisation=org, is_public=True)
    assert public.reserve_channels == ["box_office"]
    schools.refresh_from_db()
    assert schools.reserve_channels == ["web", "b2b"]
    taken = client.post(url, {"add": "1", "name": "schools"}, headers=EN)
    assert taken.status_code == 422
    assert "Another audience already has this name." in taken.content.decode()


def test_rename_and_delete_an_audience(client, org):  # type: ignore[no-untyped-def]
    signed_in(client, org)
    client.post(reverse("backoffice:audiences"), {"add": "1", "name": "Schools"})
    schools = Audience.objects.get(name="Schools")
    page = reverse("backoffice:audience", args=[schools.id])
    assert client.get(page, headers=EN).status_code == 200
    assert client.post(page, {"name": "Schools and colleges"}).status_code == 302
    pupil = CustomerFactory(organisation=org, name="Lycée du Lac")
    members = reverse("backoffice:audience_member", args=[schools.id])
    assert client.post(members, {"customer": pupil.id}).status_code == 302
    pupil.refresh_from_db()
    assert pupil.audience_id == schools.id
    assert "Lycée du Lac" in client.get(page, headers=EN).content.decode()
    client.post(members, {"remove": pupil.id})
    pupil.refresh_from_db()
    assert pupil.audience_id is None
    assert client.post(reverse("backoffice:audience_delete", args=[schools.id])).status_code == 302
    assert not Audience.objects.filter(id=schools.id).exists()


def test_a_profile_its_items_and_the_preview(client, org):  # type: ignore[no-untyped-def]
    _, ticket = on_sale(org)
    signed_in(client, org)
    bad = client.post(
        reverse("backoffice:sales_profiles"),
        {
            "name": "Spring",
            "starts_at": "2027-04-01T10:00",
            "ends_at": "2027-03-01T10:00",
            "priority": "0",
        },
        headers=EN,
    )
    assert bad.status_code == 422
    assert "The end of the period must come after its start." in bad.content.decode()
    assert 'value="Spring"' in bad.content.decode()  # what was typed is kept
    made = client.post(
        reverse("backoffice:sales_profiles"),
        {"name": "Web: buy only", "channels": ["web"], "priority": "0"},
    )
    profile = SalesProfile.objects.get(organisation=org)
    assert made["Location"] == reverse("backoffice:sales_profile", args=[profile.id])
    url = made["Location"]
    client.post(url, {"add_item": "1", "product": f"type-{ticket.id}", "for_sale": "on"})
    item = SalesProfileItem.objects.get(profile=profile)
    assert (item.ticket_type_id, item.for_sale, item.reservable) == (ticket.id, True, False)
    preview = client.get(url, {"channel": "web"}, headers=EN).content.decode()
    assert "Web: buy only" in preview and ">Buy<" in preview and ">Reserve<" not in preview
    at_desk = client.get(url, {"channel": "box_office"}, headers=EN).content.decode()
    assert ">Reserve<" in at_desk
    remove = reverse("backoffice:sales_profile_item_remove", args=[profile.id, item.id])
    assert client.post(remove).status_code == 302
    assert not SalesProfileItem.objects.exists()
    client.post(reverse("backoffice:sales_profile_delete", args=[profile.id]))
    assert not SalesProfile.objects.exists()


def test_an_agent_reads_but_cannot_change(client, org):  # type: ignore[no-untyped-def]
    signed_in(client, org, Role.AGENT)
    assert client.get(reverse("backoffice:sales_profiles"), headers=EN).status_code == 200
    refused = client.post(
        reverse("backoffice:sales_profiles"), {"name": "P", "priority": "0"}, headers=EN
    )
    assert refused.status_code == 403
    assert "Only owners and managers may change the catalogue." in refused.content.decode()
    matrix = client.post(reverse("backoffice:audiences"), {"matrix": "1"}, headers=EN)
    assert matrix.status_code == 403
    assert not SalesProfile.objects.exists() and not Audience.objects.exists()


def test_another_organisations_profile_is_not_found(client, org):  # type: ignore[no-untyped-def]
    from tests.factories import OrganisationFactory

    other = OrganisationFactory()
    theirs = SalesProfile.objects.create(organisation=other, name="Theirs")
    signed_in(client, org)
    assert client.get(reverse("backoffice:sales_profile", args=[theirs.id])).status_code == 404
