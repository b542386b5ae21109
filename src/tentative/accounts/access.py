"""Who may change an organisation and its staff (core/permissions.py, `Duty`), fetching a
membership for a staff member, the sign-in limiter, and the only way to fetch a customer
for an actor: scoped to the organisation (every staff member keeps the customer file: the
front desk creates customers on the spot; customers never see each other)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from tentative.accounts.errors import AudiencesManagersOnly, SettingsOwnersOnly, StaffOwnersOnly
from tentative.accounts.models import (
    Audience,
    Customer,
    LoginFailure,
    Organisation,
    StaffMembership,
)
from tentative.core.permissions import Duty, staff_may_manage
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden, NotFound


def may(actor: Actor, duty: Duty) -> bool:
    return actor.kind == ActorKind.SYSTEM or (
        actor.kind == ActorKind.STAFF
        and actor.role is not None
        and staff_may_manage(actor.role, duty)
    )


def check_may_change_settings(actor: Actor) -> None:
    if not may(actor, Duty.SETTINGS):
        raise SettingsOwnersOnly()


def check_may_manage_staff(actor: Actor) -> None:
    if not may(actor, Duty.STAFF):
        raise StaffOwnersOnly()


def members(actor: Actor) -> QuerySet[StaffMembership]:
    if actor.kind != ActorKind.STAFF:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(organisation_id=actor.organisation_id).select_related(
        "user"
    )


def access_membership(actor: Actor, membership_id: int, *, lock: bool = False) -> StaffMembership:
    rows = members(actor)
    if lock:
        rows = rows.select_for_update(no_key=True, of=("self",))
    try:
        return rows.get(id=membership_id)
    except (StaffMembership.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# The sign-in limiter: at most LOGIN_ATTEMPTS failures per username and address within
# LOGIN_WINDOW; then every try is refused, right password or not, until the oldest failure
# leaves the window. Per username *and* address, so an attacker cannot lock a member out
# from elsewhere by failing on purpose; guessing many usernames from one address is slowed
# per username only (a front proxy's per-address limit is the place for that).
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW = timedelta(minutes=15)


def login_key(username: str, address: str) -> str:
    return hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()


def login_refusal(username: str, address: str, *, now: datetime) -> timedelta | None:
    """How long until this username may try again from this address, or None."""
    recent = list(
        LoginFailure.objects.filter(key=login_key(username, address), at__gt=now - LOGIN_WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:LOGIN_ATTEMPTS]
    )
    if len(recent) < LOGIN_ATTEMPTS:
        return None
    return recent[-1] + LOGIN_WINDOW - now


def note_login_failure(username: str, address: str, *, now: datetime) -> None:
    key = login_key(username, address)
    LoginFailure.objects.filter(key=key, at__lte=now - LOGIN_WINDOW).delete()
    LoginFailure.objects.create(key=key, at=now)


def clear_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(key=login_key(username, address)).delete()


def visible_customers(actor: Actor) -> QuerySet[Customer]:
    customers = Customer.objects.all()
    if actor.kind == ActorKind.SYSTEM:
        return customers
    customers = customers.filter(organisation_id=actor.organisation_id)
    if actor.kind == ActorKind.CUSTOMER:
        customers = customers.filter(id=actor.customer_id)
    return customers


def access_customer(actor: Actor, customer_id: int, *, lock: bool = False) -> Customer:
    """Another organisation's customer is 'not found', not 'forbidden': ids do not leak."""
    customers = visible_customers(actor)
    if lock:
        customers = customers.select_for_update(no_key=True)
    try:
        return customers.get(id=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def check_may_keep_customers(actor: Actor) -> None:
    if actor.kind not in (ActorKind.STAFF, ActorKind.SYSTEM):
        raise Forbidden()


def check_may_manage_audiences(actor: Actor) -> None:
    """Audiences decide who may reserve: the programme's call (owners and managers)."""
    if not may(actor, Duty.CATALOGUE):
        raise AudiencesManagersOnly()


def audiences_of(actor: Actor) -> QuerySet[Audience]:
    if actor.kind == ActorKind.SYSTEM:
        return Audience.objects.all()
    if actor.kind != ActorKind.STAFF or actor.organisation_id is None:
        return Audience.objects.none()
    return Audience.objects.filter(organisation_id=actor.organisation_id)


def access_audience(actor: Actor, audience_id: int, *, lock: bool = False) -> Audience:
    rows = audiences_of(actor)
    if lock:
        rows = rows.select_for_update(no_key=True)
    try:
        return rows.get(id=audience_id)
    except (Audience.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# The personal space (issue 12). A customer signs in as a *customer user*: a Django user of
# its own, one per organisation and email address, that has no password to begin with, is
# never staff and never a member of any organisation. A staff member who is also a customer
# gets a second, separate user for that: a sign-in link can never open the back office.
CUSTOMER_USER_PREFIX = "customer:"


def customer_username(organisation_id: int, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    return f"{CUSTOMER_USER_PREFIX}{organisation_id}:{digest}"


def is_customer_user(user: object, organisation_id: int) -> bool:
    """A signed-in customer of this organisation: its own kind of user, never staff."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return False
    username = user.get_username()  # type: ignore[attr-defined]
    if not username.startswith(f"{CUSTOMER_USER_PREFIX}{organisation_id}:"):
        return False
    return not StaffMembership.objects.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


def customers_matching(organisation_id: int, email: str) -> QuerySet[Customer]:
    """The organisation's customers an email address speaks for: those with that address,
    and the companies that list it as a contact's (a company's contacts see its bookings).
    Anonymised customers are nobody's any more."""
    email = (email or "").strip()
    if not email:
        return Customer.objects.none()
    return (
        Customer.objects.filter(organisation_id=organisation_id, anonymised_at=None)
        .filter(
            Q(email__iexact=email) | Q(kind=Customer.Kind.COMPANY, contacts__email__iexact=email)
        )
        .distinct()
    )


def portal_customers(organisation_id: int, user: object) -> list[Customer]:
    """The customers a signed-in customer user acts for; none for anyone else (staff, a
    customer user of another organisation, nobody)."""
    if not is_customer_user(user, organisation_id):
        return []
    return list(customers_matching(organisation_id, user.email).order_by("id"))  # type: ignore[attr-defined]


# Asking for a sign-in link: at most LINKS_PER_ADDRESS per email and client address, and
# LINKS_PER_CLIENT per client address whatever the email, within LINK_WINDOW. The count is
# the same whether the email is known or not, so the refusal reveals nothing either.
LINKS_PER_ADDRESS = 3
LINKS_PER_CLIENT = 10
LINK_WINDOW = timedelta(minutes=15)


def link_refusal(email: str, address: str, *, now: datetime) -> bool:
    since = now - LINK_WINDOW
    per_email = LoginFailure.objects.filter(
        key=login_key(f"link:{email}", address), at__gt=since
    ).count()
    per_client = LoginFailure.objects.filter(key=login_key("link:*", address), at__gt=since).count()
    return per_email >= LINKS_PER_ADDRESS or per_client >= LINKS_PER_CLIENT


def note_link_asked(email: str, address: str, *, now: datetime) -> None:
    for name in (f"link:{email}", "link:*"):
        key = login_key(name, address)
        LoginFailure.objects.filter(key=key, at__lte=now - LINK_WINDOW).delete()
        LoginFailure.objects.create(key=key, at=now)


def check_may_anonymise(actor: Actor) -> None:
    """Erasing a customer's personal data cannot be undone: owners and managers (or the
    retention job), not the front desk."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind == ActorKind.STAFF and actor.role is not None and actor.role != "agent":
        return
    raise Forbidden()


def organisation_by_slug(slug: str) -> Organisation:
    """An organisation's public face (its pages, its customers' space) by its slug."""
    try:
        return Organisation.objects.get(slug=slug)
    except (Organisation.DoesNotExist, ValueError):
        raise NotFound() from None
