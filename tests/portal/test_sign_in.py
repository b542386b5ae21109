"""Signing in to the personal space with an emailed one-time link (django-sesame)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tentative.accounts.models import Customer, LoginFailure, StaffMembership
from tentative.notifications.fanout import fan_out
from tentative.notifications.models import WebhookEndpoint
from tentative.outbox.models import OutboxMessage
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory
from tests.portal.helpers import ask_link, emailed_link, path_of, sign_in, space, token_of

pytestmark = pytest.mark.django_db


def emails() -> int:
    fan_out(now=timezone.now())
    return OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.EMAIL, payload__template="sign_in_link"
    ).count()


def test_a_known_and_an_unknown_address_get_the_same_answer(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    known = ask_link(client, org, "ana@example.org")
    unknown = ask_link(client, org, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200

    def strip(response, email):  # type: ignore[no-untyped-def]
        text = response.content.decode().replace(email, "EMAIL")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert strip(known, "ana@example.org") == strip(unknown, "nobody@example.org")
    assert emails() == 1  # only the customer got one


def test_the_link_signs_in_once_and_the_email_is_in_the_visitor_s_language(client, org):
    CustomerFactory(organisation=org, email="ana@example.org", name="Ana")
    ask_link(client, org, "ana@example.org", HTTP_ACCEPT_LANGUAGE="fr")
    client.post(f"{space(org)}sign-in/", {"email": "x"})  # invalid: no email, no count
    url = emailed_link("ana@example.org")
    row = OutboxMessage.objects.filter(payload__template="sign_in_link").latest("id")
    assert row.payload["language"] == "fr"
    link = path_of(url)
    # GET only shows a button: a mail scanner opening the link spends nothing.
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    first = client.post(link.split("?")[0], {"sesame": token_of(url)})
    assert first.status_code == 302 and first["Location"] == space(org)
    assert client.get(space(org)).status_code == 200
    # Reused: refused with a page that says to ask a new one, and nobody is signed in.
    other = client.__class__()
    again = other.post(link.split("?")[0], {"sesame": token_of(url)})
    assert again.status_code == 400
    assert "Ask for a new sign-in link" in again.content.decode()
    assert other.get(space(org)).status_code == 302


def test_an_expired_link_is_refused(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    ask_link(client, org, "ana@example.org")
    url = emailed_link("ana@example.org")
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        page = client.post(path_of(url).split("?")[0], {"sesame": token_of(url)})
    assert page.status_code == 400
    assert client.get(space(org)).status_code == 302


def test_a_tampered_link_is_refused(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    ask_link(client, org, "ana@example.org")
    token = token_of(emailed_link("ana@example.org"))
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, "", "x" * 40, token + "x"):
        page = client.post(f"{space(org)}link/", {"sesame": bad})
        assert page.status_code == 400
    assert client.get(space(org)).status_code == 302


def test_a_link_for_one_organisation_opens_no_other(client, org):
    other = OrganisationFactory()
    CustomerFactory(organisation=org, email="ana@example.org")
    CustomerFactory(organisation=other, email="ana@example.org")
    ask_link(client, org, "ana@example.org")
    token = token_of(emailed_link("ana@example.org"))
    page = client.post(f"{space(other)}link/", {"sesame": token})
    assert page.status_code == 400
    assert client.get(space(other)).status_code == 302


def test_a_staff_member_s_email_never_signs_in_the_staff_user(client, org):
    member = MembershipFactory(organisation=org)
    member.user.email = "boss@example.org"
    member.user.save()
    # No customer with that address: nothing is sent.
    ask_link(client, org, "boss@example.org")
    assert emails() == 0
    # A customer with that address: a separate customer user signs in, never the staff one.
    CustomerFactory(organisation=org, email="boss@example.org")
    sign_in(client, org, "boss@example.org")
    user_id = int(client.session["_auth_user_id"])
    assert user_id != member.user_id
    assert not StaffMembership.objects.filter(user_id=user_id).exists()
    assert client.get("/staff/").status_code in (302, 403)
    assert Customer.objects.get(email="boss@example.org").user_id == user_id


def test_a_staff_session_is_not_a_customer(client, org):
    member = MembershipFactory(organisation=org)
    CustomerFactory(organisation=org, email="boss@example.org", user=member.user)
    member.user.email = "boss@example.org"
    member.user.save()
    client.force_login(member.user)
    assert client.get(space(org)).status_code == 302


def test_asking_is_rate_limited_whether_the_address_is_known_or_not(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    for _ in range(3):
        assert ask_link(client, org, "nobody@example.org").status_code == 200
    refused = ask_link(client, org, "nobody@example.org")
    assert refused.status_code == 429
    for _ in range(3):
        ask_link(client, org, "ana@example.org")
    assert ask_link(client, org, "ana@example.org").status_code == 429
    # Ten asks from one address whatever the emails; then every ask is refused.
    for n in range(4):
        ask_link(client, org, f"x{n}@example.org")
    assert ask_link(client, org, "fresh@example.org").status_code == 429
    assert LoginFailure.objects.count() > 0
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert ask_link(client, org, "fresh@example.org").status_code == 200


def test_the_link_is_never_posted_to_a_webhook(client, org):
    WebhookEndpoint.objects.create(organisation=org, url="https://example.org/hook", topics=[])
    CustomerFactory(organisation=org, email="ana@example.org")
    ask_link(client, org, "ana@example.org")
    fan_out(now=timezone.now())
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK).exists()


def test_a_company_contact_signs_in_and_sees_the_company(client, org):
    company = CustomerFactory(organisation=org, kind=Customer.Kind.COMPANY, email="")
    company.contacts.create(name="Léa", email="lea@acme.example")
    sign_in(client, org, "lea@acme.example")
    assert company.name in client.get(space(org)).content.decode()


def test_signing_out(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    sign_in(client, org, "ana@example.org")
    client.post(f"{space(org)}sign-out/")
    assert client.get(space(org)).status_code == 302


def test_the_pages_give_the_link_s_configured_lifetime_and_a_new_link_keeps_the_target(
    client, org, settings
):  # type: ignore[no-untyped-def]
    settings.SESAME_MAX_AGE = 10 * 60  # TENTATIVE_SIGN_IN_LINK_MINUTES=10
    CustomerFactory(organisation=org, email="ana@example.org")
    asked = ask_link(client, org, "ana@example.org")
    assert "Open it within 10 minutes; it works once." in asked.content.decode()
    target = f"{space(org)}bookings/ABC123/"
    refused = client.post(f"{space(org)}link/", {"sesame": "used-or-tampered", "next": target})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Each link works once, for 10 minutes." in page
    assert f'href="{space(org)}sign-in/?next={target}"' in page
