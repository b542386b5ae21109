"""The desk pages: customers (list, search, create, edit), a date's attendee list with its
CSV, the box office (sell, reserve, quote; from general sale or a reserve; a customer
picked or created on the spot) and the check-in page. Bad input comes back next to its
field with what was typed kept; never a 500."""

from decimal import Decimal

import pytest

from tentative.accounts.models import Contact, Customer
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, Participant
from tentative.checkin.models import CheckIn
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.actions import create_reserve, set_allocation
from tentative.inventory.models import Reserve
from tentative.notifications.tickets import ticket_codes
from tentative.payments import actions as payment_actions
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=org, role=Role.AGENT)


@pytest.fixture
def desk(client, member):  # type: ignore[no-untyped-def]
    client.force_login(member.user)
    return client


# Customers


def test_create_a_company_with_a_contact_then_edit_it(desk, org):
    page = desk.post(
        "/staff/customers/new/",
        {
            "kind": "company",
            "name": "Théâtre du Nord",
            "email": "nord@example.org",
            "phone": "+33 1 23",
            "language": "fr",
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Léa Martin",
            "contacts-0-role": "Booker",
            "contacts-1-name": "",
        },
    )
    customer = Customer.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/staff/customers/{customer.id}/"
    assert list(Contact.objects.values_list("name", flat=True)) == ["Léa Martin"]
    edit = desk.get(f"/staff/customers/{customer.id}/", headers=EN).content.decode()
    assert 'value="Léa Martin"' in edit and "created the customer" in edit
    desk.post(
        f"/staff/customers/{customer.id}/",
        {
            "kind": "company",
            "name": "Théâtre du Nord",
            "email": "nord@example.org",
            "phone": "",
            "language": "fr",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "",
        },
    )
    customer.refresh_from_db()
    assert customer.phone == "" and Contact.objects.count() == 0
    assert AuditEntry.objects.filter(action="customer.update").count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "kept"),
    [
        ({"name": ""}, "name", ""),
        ({"name": "x" * 201}, "name", "x" * 201),
        ({"name": "Ana", "email": "not-an-email"}, "email", "not-an-email"),
        ({"name": "Ana", "phone": "<script>alert(1)</script>"}, "phone", "&lt;script&gt;"),
        ({"name": "Ana", "kind": "robot"}, "kind", ""),
        ({"name": "Ana", "contacts-0-name": "Léa"}, "kind", "Léa"),
        ({"name": "Ana", "kind": "company", "contacts-0-email": "x@"}, "contacts-0-email", "x@"),
    ],
)
def test_bad_input_comes_back_next_to_its_field_with_what_was_typed(desk, fields, field, kept):
    data = {
        "kind": "person",
        "email": "",
        "phone": "",
        "language": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        **fields,
    }
    page = desk.post("/staff/customers/new/", data, headers=EN)
    text = page.content.decode()
    assert page.status_code == 422
    assert f'id="id_{field}"' in text
    # The error sits in the field's own block.
    assert f'id="id_{field}-error"' in text
    assert kept in text
    assert "<script>alert" not in text
    assert Customer.objects.count() == 0


def test_the_list_searches_and_counts_bookings(desk, org, member):
    ana = CustomerFactory(organisation=org, name="Ana Ruiz")
    CustomerFactory(organisation=org, name="Bob")
    date, ticket = on_sale(org)
    book(Actor.staff(member), date, ticket, customer_id=ana.id)
    text = desk.get("/staff/customers/?q=ruiz").content.decode()
    assert "Ana Ruiz" in text and "Bob" not in text
    assert f"/staff/customers/{ana.id}/" in text
    detail = desk.get(f"/staff/customers/{ana.id}/").content.decode()
    assert Booking.objects.get().reference in detail
    assert desk.get("/staff/customers/?q=%00&page=999").status_code == 200


# Attendees


@pytest.fixture
def evening(org, member):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=20, price=Decimal("10"), name="Tarif plein")
    return date, ticket, Actor.staff(member)


def _sell(actor, date, ticket, names, *, mode=State.CONFIRMED, customer=None):  # type: ignore[no-untyped-def]
    from tentative.bookings import actions

    return actions.create_booking(
        actor=actor,
        organisation_id=date.event.organisation_id,
        mode=mode,
        lines=[
            actions.LineRequest(
                date.id, ticket.id, len(names), participants=tuple((n, "") for n in names)
            )
        ],
        customer_id=customer.id if customer else None,
    )


def test_the_attendee_list_has_a_row_per_place_and_who_came_in(desk, org, evening):
    date, ticket, actor = evening
    customer = CustomerFactory(organisation=org, name='=HYPERLINK("http://x")')
    sold = _sell(actor, date, ticket, ["Zoé Blanc", "-2+3"], customer=customer)
    payment_actions.record_payment(sold.id, actor=actor, amount=Decimal("20"), method="cash")
    _sell(actor, date, ticket, ["Not Yet"], mode=State.REQUEST)
    cancelled = _sell(actor, date, ticket, ["Gone"])
    from tentative.bookings.actions import cancel_booking

    cancel_booking(cancelled.id, actor=Actor.staff(MembershipFactory(organisation=org)), reason="x")
    from tentative.checkin.actions import check_in

    code = ticket_codes(sold, list(sold.lines.all()))[0].code
    check_in(actor=actor, code=code, nonce="n1")
    page = desk.get(f"/staff/dates/{date.id}/attendees/", headers=EN)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Zoé Blanc" in text and "-2+3" in text and "Tarif plein" in text
    assert "Not Yet" not in text and "Gone" not in text
    assert f"/staff/bookings/{sold.reference}/" in text
    assert "2 places" in text and "1 checked in" in text

    export = desk.get(f"/staff/dates/{date.id}/attendees/csv/", headers=EN)
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Name,Email,Customer")
    assert len(rows) == 3
    body = "\n".join(rows[1:])
    assert "'-2+3" in body and "'=HYPERLINK" in body and "Zoé Blanc" in body
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.split(","))


def test_another_organisation_s_date_is_not_found(desk):
    from tests.factories import OrganisationFactory

    other, _ = on_sale(OrganisationFactory())
    assert desk.get(f"/staff/dates/{other.id}/attendees/").status_code == 404
    assert desk.get(f"/staff/dates/{other.id}/attendees/csv/").status_code == 404
    assert desk.get(f"/staff/check-in/?date={other.id}").status_code == 404
    assert desk.get("/staff/check-in/?date=abc").status_code == 404


# Box office


@pytest.fixture
def reserve(org, evening):  # type: ignore[no-untyped-def]
    date, ticket, _ = evening
    owner = Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))
    found = create_reserve(org.id, actor=owner, name="Artistes")
    set_allocation(
        found.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=4
    )
    return found


def sale(date, ticket, **fields):  # type: ignore[no-untyped-def]
    return {
        "customer": "",
        "new_name": "",
        "new_email": "",
        "new_phone": "",
        "offer": f"{date.id}:{ticket.id}",
        "source": "general",
        "quantity": "1",
        "names": "",
        "mode": "confirmed",
        **fields,
    }


def test_sell_from_a_reserve_to_a_new_customer_then_take_the_money(desk, evening, reserve):
    date, ticket, _ = evening
    page = desk.post(
        "/staff/box-office/",
        sale(
            date,
            ticket,
            new_name="Compagnie Bleue",
            new_email="bleue@example.org",
            source=str(reserve.id),
            quantity="2",
            names="Ana\nBruno",
        ),
    )
    booking = Booking.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"/staff/bookings/{booking.reference}/payments/"
    assert booking.state == State.CONFIRMED and booking.channel == "box_office"
    assert booking.customer.name == "Compagnie Bleue"
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana", "Bruno"]
    assert booking.lines.get().holds.get().pool.reserve_id == reserve.id


def test_reserve_and_quote_for_a_picked_customer(desk, org, evening):
    date, ticket, _ = evening
    customer = CustomerFactory(organisation=org)
    desk.post("/staff/box-office/", sale(date, ticket, customer=str(customer.id), mode="option"))
    quote = desk.post(
        "/staff/box-office/", sale(date, ticket, customer=str(customer.id), mode="quote")
    )
    option, quoted = Booking.objects.order_by("id")
    assert (option.state, quoted.state) == (State.OPTION, State.QUOTE)
    assert quote["Location"] == f"/staff/bookings/{quoted.reference}/"
    assert Customer.objects.count() == 1


def test_the_box_office_preselects_a_customer(desk, org):
    customer = CustomerFactory(organisation=org)
    text = desk.get(f"/staff/box-office/?customer={customer.id}").content.decode()
    assert f'<option value="{customer.id}" selected>' in text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"new_name": ""}, "new_name"),
        ({"new_name": "A", "quantity": "0"}, "quantity"),
        ({"new_name": "A", "quantity": "-3"}, "quantity"),
        ({"new_name": "A", "quantity": "99999999999"}, "quantity"),
        ({"new_name": "A", "quantity": ""}, "quantity"),
        ({"new_name": "A", "names": "a\nb\nc"}, "names"),
        ({"new_name": "A", "new_email": "<script>"}, "new_email"),
        ({"new_name": "A", "offer": "0:0"}, "offer"),
        ({"new_name": "A", "source": "999999"}, "source"),
        ({"new_name": "A", "mode": "cancelled"}, "mode"),
        ({"customer": "999999"}, "customer"),
        ({"new_name": "A", "names": "x" * 201}, "names"),
        ({"new_name": "A", "names": "x\n" * 20001}, "names"),
        ({"new_name": "<script>alert(1)</script>" + "x" * 200}, "new_name"),
    ],
)
def test_box_office_bad_input_stays_on_the_form(desk, evening, fields, field):
    date, ticket, _ = evening
    page = desk.post("/staff/box-office/", sale(date, ticket, **fields), headers=EN)
    text = page.content.decode()
    assert page.status_code == 422, page.status_code
    assert f'id="id_{field}-error"' in text, text
    assert "<script>" not in text.split('id="content"')[1].split("<script src")[0]
    assert Booking.objects.count() == 0 and Customer.objects.count() == 0


def test_a_date_in_the_past_is_not_on_sale_at_the_box_office(desk, org):
    from datetime import timedelta

    from django.utils import timezone

    past, ticket = on_sale(org, starts_at=timezone.now() - timedelta(days=1))
    page = desk.post("/staff/box-office/", sale(past, ticket, new_name="Late"), headers=EN)
    assert page.status_code == 422 and 'id="id_offer-error"' in page.content.decode()
    assert Booking.objects.count() == 0 and Customer.objects.count() == 0


def test_more_places_than_are_free_says_so_next_to_the_quantity(desk, org, evening, reserve):
    date, ticket, _ = evening
    page = desk.post(
        "/staff/box-office/",
        sale(date, ticket, new_name="Grand Groupe", source=str(reserve.id), quantity="5"),
        headers=EN,
    )
    text = page.content.decode()
    assert page.status_code == 409
    assert 'id="id_quantity-error"' in text
    # The customer created on the spot is kept and now selected; no booking.
    kept = Customer.objects.get()
    assert f'<option value="{kept.id}" selected>' in text
    assert Booking.objects.count() == 0


def test_a_reserve_the_agent_may_not_draw_from_is_not_offered(desk, org, evening, member):
    date, ticket, _ = evening
    owner = Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))
    hidden = create_reserve(
        org.id, actor=owner, name="Direction", audience=Reserve.Audience.SELECTED, member_ids=[]
    )
    text = desk.get("/staff/box-office/").content.decode()
    assert "Direction" not in text
    page = desk.post("/staff/box-office/", sale(date, ticket, new_name="X", source=str(hidden.id)))
    assert page.status_code == 422 and Booking.objects.count() == 0


# Check-in page


def test_checking_a_ticket_in_twice_from_the_page(desk, org, evening):
    date, ticket, actor = evening
    sold = _sell(actor, date, ticket, ["Zoé"])
    payment_actions.record_payment(sold.id, actor=actor, amount=Decimal("10"), method="cash")
    code = ticket_codes(sold, list(sold.lines.all()))[0].code
    form = desk.get(f"/staff/check-in/?date={date.id}", headers=EN).content.decode()
    nonce = form.split('name="nonce" value="', 1)[1].split('"', 1)[0]
    first = desk.post(
        "/staff/check-in/", {"code": code, "nonce": nonce, "date": date.id}, headers=EN
    )
    assert "Valid" in first.content.decode() and "1 of 1 checked in" in first.content.decode()
    again = desk.post(
        "/staff/check-in/", {"code": code, "nonce": nonce, "date": date.id}, headers=EN
    )
    assert "Valid" in again.content.decode()  # the same form posted twice counts once
    second = desk.post(
        "/staff/check-in/", {"code": code, "nonce": "other", "date": date.id}, headers=EN
    )
    assert "Already used" in second.content.decode() and "First used:" in second.content.decode()
    assert CheckIn.objects.count() == 1
    french = desk.post(
        "/staff/check-in/", {"code": "XX", "nonce": "fr-1"}, headers={"accept-language": "fr"}
    )
    assert "Non valable" in french.content.decode()


@pytest.mark.parametrize(
    "data",
    [{"code": "", "nonce": "n"}, {"code": "X" * 65, "nonce": "n"}, {"code": "X", "nonce": ""}],
)
def test_check_in_bad_input_is_refused_with_the_typed_value(desk, data):
    page = desk.post("/staff/check-in/", data, headers=EN)
    assert page.status_code == 422 and "field-error" in page.content.decode()
    assert CheckIn.objects.count() == 0


def test_the_attendee_list_reads_a_fixed_number_of_queries(
    desk, org, evening, django_assert_max_num_queries
):
    date, ticket, actor = evening
    for n in range(5):
        _sell(actor, date, ticket, [f"P{n}a", f"P{n}b"])
    # Session, user, membership; the date; lines, participants, check-ins; savepoints.
    with django_assert_max_num_queries(12):
        page = desk.get(f"/staff/dates/{date.id}/attendees/")
    assert page.status_code == 200 and page.content.decode().count("<code>") >= 10


def test_without_a_date_the_door_lists_the_dates_with_their_lists(desk, evening):
    date, _, _ = evening
    text = desk.get("/staff/check-in/", headers=EN).content.decode()
    assert f"?date={date.id}" in text and f"/staff/dates/{date.id}/attendees/" in text


def test_finding_a_customer_at_the_box_office(desk, org, evening):
    date, ticket, _ = evening
    wanted = CustomerFactory(organisation=org, name="Zacharie Fournier")
    CustomerFactory(organisation=org, name="Anne Autre")
    text = desk.get("/staff/box-office/?find=fourn").content.decode()
    assert "Zacharie Fournier" in text and "Anne Autre" not in text
    # A customer picked under another search still validates.
    page = desk.post(
        "/staff/box-office/?find=anne", sale(date, ticket, customer=str(wanted.id), mode="option")
    )
    assert page.status_code == 302 and Booking.objects.get().customer_id == wanted.id


def test_the_customer_list_shows_each_one_s_latest_bookings(desk, org, evening):
    date, ticket, actor = evening
    ana = CustomerFactory(organisation=org, name="Ana")
    made = [_sell(actor, date, ticket, ["x"], mode=State.OPTION, customer=ana) for _ in range(4)]
    text = desk.get("/staff/customers/").content.decode()
    shown = [b.reference for b in made if b.reference in text]
    assert shown == [b.reference for b in made[1:]]
