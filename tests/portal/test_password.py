"""The optional password of the personal space."""

from __future__ import annotations

import pytest

from tentative.accounts.access import customer_username
from tentative.audit.models import AuditEntry
from tests.factories import CustomerFactory
from tests.portal.helpers import sign_in, space

pytestmark = pytest.mark.django_db

SECRET = "a long enough secret 42"


def password_sign_in(client, org, email, password):  # type: ignore[no-untyped-def]
    return client.post(f"{space(org)}sign-in/", {"email": email, "password": password})


def test_a_customer_sets_a_password_then_signs_in_with_it(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    sign_in(client, org, "ana@example.org")
    differ = client.post(f"{space(org)}password/", {"password": SECRET, "again": "other"})
    assert differ.status_code == 422
    short = client.post(f"{space(org)}password/", {"password": "short", "again": "short"})
    assert short.status_code == 422
    done = client.post(f"{space(org)}password/", {"password": SECRET, "again": SECRET})
    assert done.status_code == 302
    assert client.get(space(org)).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="customer.password").count() == 1
    client.post(f"{space(org)}sign-out/")
    wrong = password_sign_in(client, org, "ana@example.org", "wrong one")
    assert wrong.status_code == 400 and client.get(space(org)).status_code == 302
    right = password_sign_in(client, org, "ANA@example.org", SECRET)
    assert right.status_code == 302 and client.get(space(org)).status_code == 200


def test_an_unknown_address_and_a_wrong_password_read_the_same(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    unknown = password_sign_in(client, org, "nobody@example.org", SECRET)
    wrong = password_sign_in(client, org, "ana@example.org", SECRET)
    assert unknown.status_code == wrong.status_code == 400
    assert "do not match" in unknown.content.decode() and "do not match" in wrong.content.decode()


def test_password_attempts_are_limited(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    sign_in(client, org, "ana@example.org")
    client.post(f"{space(org)}password/", {"password": SECRET, "again": SECRET})
    client.post(f"{space(org)}sign-out/")
    for _ in range(5):
        assert password_sign_in(client, org, "ana@example.org", "nope").status_code == 400
    # Even the right password is refused now.
    assert password_sign_in(client, org, "ana@example.org", SECRET).status_code == 429
    assert client.get(space(org)).status_code == 302


def test_a_customer_password_never_opens_the_back_office(client, org):
    CustomerFactory(organisation=org, email="ana@example.org")
    sign_in(client, org, "ana@example.org")
    client.post(f"{space(org)}password/", {"password": SECRET, "again": SECRET})
    staff = client.__class__()
    staff.post(
        "/staff/login/",
        {"username": customer_username(org.id, "ana@example.org"), "password": SECRET},
    )
    assert staff.get("/staff/").status_code in (302, 403)
