"""Creating and editing customers (a person, or a company with contacts) through actions,
each with its audit entry; refusals name their field; another organisation's is not found."""

import pytest

from tentative.accounts.actions import ContactData, CustomerData, create_customer, update_customer
from tentative.accounts.errors import InvalidCustomer
from tentative.accounts.models import Contact, Customer
from tentative.accounts.selectors import search_customers
from tentative.audit.models import AuditEntry
from tentative.core.permissions import Role
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, NotFound
from tests.factories import CustomerFactory, OrganisationFactory, staff

pytestmark = pytest.mark.django_db

COMPANY = CustomerData(
    name="Théâtre du Nord",
    kind="company",
    email="billetterie@nord.example",
    phone="+33 3 20 00 00 00",
    language="fr",
    contacts=(ContactData("Léa Martin", "lea@nord.example", "", "Booker"),),
)


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_creates_a_company_with_its_contacts(org, role):
    customer = create_customer(org.id, COMPANY, actor=staff(org, role))
    assert customer.kind == "company" and customer.organisation_id == org.id
    assert list(customer.contacts.values_list("name", "role")) == [("Léa Martin", "Booker")]
    entry = AuditEntry.objects.get(action="customer.create")
    assert entry.data["customer"] == customer.id and entry.booking_id is None


def test_editing_records_what_changed_and_replaces_the_contacts(org):
    owner = staff(org)
    customer = create_customer(org.id, COMPANY, actor=owner)
    edited = CustomerData(
        name="Théâtre du Nord",
        kind="company",
        email="nord@nord.example",
        phone=COMPANY.phone,
        language="fr",
        contacts=(ContactData("Paul Roy"), ContactData("Léa Martin", "lea@nord.example")),
    )
    update_customer(customer.id, edited, actor=owner)
    customer.refresh_from_db()
    assert customer.email == "nord@nord.example"
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["Léa Martin", "Paul Roy"]
    entry = AuditEntry.objects.get(action="customer.update")
    assert entry.data["changed"] == {"email": ["billetterie@nord.example", "nord@nord.example"]}
    assert entry.data["contacts"] == 2
    update_customer(customer.id, edited, actor=owner)  # nothing changed: no entry
    assert AuditEntry.objects.filter(action="customer.update").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CustomerData(name=""), "name"),
        (CustomerData(name="   "), "name"),
        (CustomerData(name="x" * 201), "name"),
        (CustomerData(name="A", email="not-an-email"), "email"),
        (CustomerData(name="A", email="<script>@x"), "email"),
        (CustomerData(name="A", phone="=1+2; DROP"), "phone"),
        (CustomerData(name="A", language="xx"), "language"),
        (CustomerData(name="A", kind="robot"), "kind"),
        (CustomerData(name="A", contacts=(ContactData("B"),)), "kind"),
        (CustomerData(name="A", kind="company", contacts=(ContactData(""),)), "contacts-0-name"),
    ],
)
def test_bad_input_is_refused_naming_its_field_and_writes_nothing(org, data, field):
    with pytest.raises(InvalidCustomer) as refused:
        create_customer(org.id, data, actor=staff(org))
    assert refused.value.field == field
    assert Customer.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_script_tags_in_a_name_are_kept_as_text(org):
    customer = create_customer(org.id, CustomerData(name="<script>x</script>"), actor=staff(org))
    assert customer.name == "<script>x</script>"


def test_another_organisation_s_customer_is_not_found_and_customers_may_not(org):
    theirs = CustomerFactory(organisation=OrganisationFactory())
    with pytest.raises(NotFound):
        update_customer(theirs.id, CustomerData(name="Taken"), actor=staff(org))
    with pytest.raises(NotFound):
        create_customer(theirs.organisation_id, CustomerData(name="X"), actor=staff(org))
    with pytest.raises(Forbidden):
        create_customer(org.id, CustomerData(name="X"), actor=Actor.customer(theirs))
    theirs.refresh_from_db()
    assert theirs.name != "Taken" and AuditEntry.objects.count() == 0


def test_search_finds_by_name_email_phone_or_contact_within_the_organisation(org):
    owner = staff(org)
    nord = create_customer(org.id, COMPANY, actor=owner)
    solo = create_customer(
        org.id, CustomerData(name="Ana Ruiz", email="ana@x.example"), actor=owner
    )
    CustomerFactory(organisation=OrganisationFactory(), name="Ana Elsewhere")
    assert list(search_customers(owner, "ana")) == [solo]
    assert list(search_customers(owner, "léa")) == [nord]
    assert list(search_customers(owner, "+33 3")) == [nord]
    assert list(search_customers(owner, "")) == [solo, nord]
