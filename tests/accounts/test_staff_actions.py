"""Settings and staff accounts: owners only, checked in the actions; a refusal writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tentative.accounts import actions
from tentative.accounts.access import LOGIN_ATTEMPTS, login_refusal, note_login_failure
from tentative.accounts.errors import (
    AlreadyMember,
    CurrencyInUse,
    InvalidSettings,
    LastOwner,
    SettingsOwnersOnly,
    StaffOwnersOnly,
)
from tentative.accounts.models import Organisation, StaffMembership
from tentative.audit.models import AuditEntry
from tentative.core.permissions import Role
from tentative.outbox.models import OutboxMessage
from tentative.shared.errors import NotFound
from tests.factories import MembershipFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_an_owner_changes_the_settings_with_an_audit_entry(org):
    owner = staff(org)
    actions.update_settings(
        org.id,
        actor=owner,
        values={
            "time_zone": "America/New_York",
            "deadline_policy": "flexible",
            "deadline_grace": timedelta(hours=48),
            "quote_validity_days": 14,
        },
    )
    org.refresh_from_db()
    assert (org.time_zone, org.deadline_policy, org.quote_validity_days) == (
        "America/New_York",
        "flexible",
        14,
    )
    [entry] = AuditEntry.objects.filter(action="staff.settings_changed")
    assert entry.data["changed"]["deadline_grace"] == "2 days, 0:00:00"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
def test_only_owners_change_settings(org, role):
    with pytest.raises(SettingsOwnersOnly):
        actions.update_settings(org.id, actor=staff(org, role), values={"currency": "USD"})
    with pytest.raises(NotFound):
        actions.update_settings(org.id, actor=staff(OrganisationFactory()), values={"name": "X"})
    assert Organisation.objects.get(id=org.id).currency == "EUR"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"currency": "euro"}, "currency"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
        ({"languages": []}, "languages"),
        ({"languages": ["fr"]}, "languages"),  # the default (en) must be offered
        ({"languages": ["en", "en"]}, "languages"),
        ({"languages": "en"}, "languages"),
        ({"languages": ["en", "<script>"]}, "languages"),
        ({"checkout_hold_minutes": 0}, "checkout_hold_minutes"),
        ({"checkout_hold_minutes": 121}, "checkout_hold_minutes"),
        ({"checkout_hold_minutes": None}, "checkout_hold_minutes"),
        ({"checkout_hold_minutes": "<script>"}, "checkout_hold_minutes"),
        ({"public_max_places_per_order": -1}, "public_max_places_per_order"),
        ({"public_max_places_per_order": 10**12}, "public_max_places_per_order"),
        ({"public_max_open_per_customer": True}, "public_max_open_per_customer"),
        ({"public_max_open_per_customer": 101}, "public_max_open_per_customer"),
        ({"retention_days": 29}, "retention_days"),
        ({"retention_days": 3651}, "retention_days"),
        ({"retention_days": -1}, "retention_days"),
    ],
)
def test_bad_settings_are_refused_per_field(org, values, field):
    with pytest.raises(InvalidSettings) as refused:
        actions.update_settings(org.id, actor=staff(org), values=values)
    assert field in refused.value.fields
    assert not AuditEntry.objects.exists()


def test_the_languages_and_the_public_settings_change_together(org):
    owner = staff(org)
    actions.update_settings(
        org.id,
        actor=owner,
        values={
            "default_language": "es",
            "languages": ["es", "fr"],
            "checkout_hold_minutes": 120,
            "public_max_places_per_order": 1,
            "public_max_open_per_customer": 100,
            "retention_days": 30,
        },
    )
    org.refresh_from_db()
    assert (org.default_language, org.languages) == ("es", ["es", "fr"])
    assert (org.checkout_hold_minutes, org.public_max_places_per_order) == (120, 1)
    assert (org.public_max_open_per_customer, org.retention_days) == (100, 30)
    actions.update_settings(org.id, actor=owner, values={"retention_days": None})
    assert Organisation.objects.get(id=org.id).retention_days is None
    # Taking the default language out of the offer is refused, whichever field changes.
    with pytest.raises(InvalidSettings) as refused:
        actions.update_settings(org.id, actor=owner, values={"default_language": "en"})
    assert list(refused.value.fields) == ["languages"]


def test_the_currency_is_refused_once_bookings_exist(org):
    owner = staff(org)
    actions.update_settings(org.id, actor=owner, values={"currency": "CHF"})
    date, ticket = on_sale(org)
    book(owner, date, ticket)
    with pytest.raises(CurrencyInUse) as refused:
        actions.update_settings(org.id, actor=owner, values={"currency": "USD", "name": "New"})
    assert "CHF" in refused.value.text
    org.refresh_from_db()
    assert (org.currency, org.name) == ("CHF", org.name)
    assert org.name != "New"


def test_an_invitation_emails_a_link_that_sets_the_password_once(client, org):
    owner = staff(org)
    membership = actions.invite_member(
        org.id, actor=owner, email="New.Person@Example.org", role="manager", language="fr"
    )
    user = membership.user
    assert (user.username, user.is_superuser, user.has_usable_password()) == (
        "new.person@example.org",
        False,
        False,
    )
    [mail] = OutboxMessage.objects.filter(kind="email", topic="staff.invite")
    assert mail.payload["to"] == ["new.person@example.org"]
    assert "Vous êtes invité" in mail.payload["subject"] or "invit" in mail.payload["subject"]
    link = re.search(r"https?://\S+/staff/password/set/\S+/", mail.payload["text"]).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-new-password")
    again = client.get("/" + path, follow=True)  # the token dies with the new password
    assert b"new_password1" not in again.content
    assert AuditEntry.objects.filter(action="staff.invited").count() == 1


def test_inviting_refusals(org):
    owner = staff(org)
    existing = MembershipFactory(organisation=org, role=Role.AGENT)
    existing.user.email = "taken@example.org"
    existing.user.save()
    with pytest.raises(AlreadyMember):
        actions.invite_member(org.id, actor=owner, email="taken@example.org", role="agent")
    with pytest.raises(InvalidSettings) as refused:
        actions.invite_member(org.id, actor=owner, email="<script>", role="king")
    assert set(refused.value.fields) == {"email", "role"}
    for role in (Role.MANAGER, Role.AGENT):
        with pytest.raises(StaffOwnersOnly):
            actions.invite_member(org.id, actor=staff(org, role), email="a@b.org", role="agent")
    assert not OutboxMessage.objects.exists()
    assert not get_user_model().objects.filter(email="a@b.org").exists()


def test_roles_change_and_members_go_but_never_the_last_owner(org):
    owner = staff(org)
    own_membership = StaffMembership.objects.get(user_id=owner.user_id)
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    actions.change_role(agent.id, actor=owner, role="owner")
    actions.change_role(own_membership.id, actor=owner, role="manager")  # another owner remains
    new_owner = staff(org)  # a fresh owner persona
    with pytest.raises(StaffOwnersOnly):
        actions.change_role(agent.id, actor=staff(org, Role.MANAGER), role="agent")
    StaffMembership.objects.filter(role="owner").exclude(user_id=new_owner.user_id).delete()
    last = StaffMembership.objects.get(user_id=new_owner.user_id)
    with pytest.raises(LastOwner):
        actions.change_role(last.id, actor=new_owner, role="agent")
    with pytest.raises(LastOwner):
        actions.remove_member(last.id, actor=new_owner)
    manager = StaffMembership.objects.get(id=own_membership.id)
    actions.remove_member(manager.id, actor=new_owner)
    assert not StaffMembership.objects.filter(id=manager.id).exists()
    manager.user.refresh_from_db()
    assert manager.user.is_active is False  # no organisation left: cannot sign in
    with pytest.raises(NotFound):
        actions.remove_member(
            MembershipFactory(organisation=OrganisationFactory()).id, actor=new_owner
        )


def test_the_login_limiter_counts_per_username_and_address():
    now = timezone.now()
    for _ in range(LOGIN_ATTEMPTS - 1):
        note_login_failure("Alice", "10.0.0.1", now=now)
    assert login_refusal("alice", "10.0.0.1", now=now) is None
    note_login_failure("alice ", "10.0.0.1", now=now)
    wait = login_refusal("ALICE", "10.0.0.1", now=now + timedelta(minutes=5))
    assert wait == timedelta(minutes=10)
    assert login_refusal("alice", "10.0.0.2", now=now) is None  # another address
    assert login_refusal("bob", "10.0.0.1", now=now) is None  # another username
    assert login_refusal("alice", "10.0.0.1", now=now + timedelta(minutes=15)) is None


def test_password_reset_queues_an_email_only_for_staff():
    membership = MembershipFactory()
    membership.user.email = "staff@example.org"
    membership.user.save()
    assert actions.send_password_reset("STAFF@example.org", language="es") == 1
    assert actions.send_password_reset("nobody@example.org") == 0
    [mail] = OutboxMessage.objects.filter(topic="staff.password_reset")
    assert mail.payload["language"] == "es" and "/staff/password/set/" in mail.payload["text"]
