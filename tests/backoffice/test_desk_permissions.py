"""Every desk page and form, for every role, another organisation's staff, a signed-in user
with no organisation and nobody: what each gets, and that a refusal changed nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tentative.accounts.models import Customer
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.checkin.models import CheckIn, Scan
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.tickets import ticket_codes
from tentative.payments import actions as payment_actions
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory, book, on_sale

pytestmark = pytest.mark.django_db

PERSONAS = ["owner", "manager", "agent", "outsider", "no_org", "anonymous"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10, price=Decimal("10"))
    owner = Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))
    customer = CustomerFactory(organisation=org, name="Ours")
    booking = book(owner, date, ticket, mode=State.CONFIRMED, customer_id=customer.id)
    payment_actions.record_payment(booking.id, actor=owner, amount=Decimal("10"), method="cash")
    code = ticket_codes(booking, list(booking.lines.all()))[0].code
    return {"org": org, "date": date, "ticket": ticket, "customer": customer, "code": code}


def client_for(persona: str, org) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if persona in ("owner", "manager", "agent"):
        client.force_login(MembershipFactory(organisation=org, role=Role(persona)).user)
    elif persona == "outsider":
        client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    elif persona == "no_org":
        client.force_login(get_user_model().objects.create_user("lonely", password="x"))
    return client


def snapshot():  # type: ignore[no-untyped-def]
    return (
        list(Customer.objects.values_list("id", "name", "email").order_by("id")),
        Booking.objects.count(),
        CheckIn.objects.count(),
        Scan.objects.count(),
        AuditEntry.objects.count(),
    )


READS = {
    "customers": lambda w: "/staff/customers/",
    "customer_new": lambda w: "/staff/customers/new/",
    "customer": lambda w: f"/staff/customers/{w['customer'].id}/",
    "attendees": lambda w: f"/staff/dates/{w['date'].id}/attendees/",
    "attendees_csv": lambda w: f"/staff/dates/{w['date'].id}/attendees/csv/",
    "box_office": lambda w: "/staff/box-office/",
    "check_in": lambda w: f"/staff/check-in/?date={w['date'].id}",
}
# What each persona gets: staff of the organisation read everything; another
# organisation's staff do not find its objects (404) and see their own lists.
EXPECTED_READ = {
    "owner": 200,
    "manager": 200,
    "agent": 200,
    "outsider": {"customer": 404, "attendees": 404, "attendees_csv": 404, "check_in": 404},
    "no_org": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(READS))
def test_reading_each_page(world, persona, page):
    expected = EXPECTED_READ[persona]
    if isinstance(expected, dict):
        expected = expected.get(page, 200)
    response = client_for(persona, world["org"]).get(READS[page](world))
    assert response.status_code == expected
    if persona == "outsider" and expected == 200:
        assert "Ours" not in response.content.decode()


def _writes(w):  # type: ignore[no-untyped-def]
    contacts = {"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}
    person = {"kind": "person", "name": "Changed", "email": "", "phone": "", "language": ""}
    return {
        "customer_new": ("/staff/customers/new/", {**person, **contacts}),
        "customer_edit": (f"/staff/customers/{w['customer'].id}/", {**person, **contacts}),
        "box_office": (
            "/staff/box-office/",
            {
                "customer": str(w["customer"].id),
                "offer": f"{w['date'].id}:{w['ticket'].id}",
                "source": "general",
                "quantity": "1",
                "mode": "option",
            },
        ),
        "check_in": ("/staff/check-in/", {"code": w["code"], "nonce": "perm-1"}),
    }


EXPECTED_WRITE = {
    "owner": 302,
    "manager": 302,
    "agent": 302,
    "outsider": {"customer_new": 302, "customer_edit": 404, "box_office": 422, "check_in": 200},
    "no_org": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("form", ["customer_new", "customer_edit", "box_office", "check_in"])
def test_posting_each_form(world, persona, form):
    url, data = _writes(world)[form]
    expected = EXPECTED_WRITE[persona]
    if isinstance(expected, dict):
        expected = expected[form]
    elif form == "check_in" and persona in ("owner", "manager", "agent"):
        expected = 200  # the answer is shown on the page
    before = snapshot()
    response = client_for(persona, world["org"]).post(url, data)
    assert response.status_code == expected
    ours_after = snapshot()
    if persona in ("owner", "manager", "agent"):
        assert ours_after != before
        return
    if persona == "outsider" and form == "customer_new":
        # Created in their own organisation, not ours.
        assert Customer.objects.filter(organisation=world["org"]).count() == 1
        return
    if persona == "outsider" and form == "check_in":
        # Their door does not know our ticket: not valid, nothing checked in.
        assert "not_valid" in response.content.decode() and CheckIn.objects.count() == 0
        return
    assert ours_after == before
    world["customer"].refresh_from_db()
    assert world["customer"].name == "Ours"
