"""The customer file for staff: `/staff/customers/` (search, list with their bookings),
`/staff/customers/new/` and `/staff/customers/<id>/` (edit, with a company's contacts).

Writes go through `accounts.actions` (with their audit entry); a refusal comes back next
to the field it names, with what was typed kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from tentative.accounts import actions
from tentative.accounts.access import access_customer
from tentative.accounts.errors import InvalidCustomer
from tentative.accounts.models import Customer
from tentative.accounts.selectors import MAX_QUERY, search_customers
from tentative.audit.models import AuditEntry
from tentative.backoffice.access import staff_actor
from tentative.backoffice.links import booking_url
from tentative.bookings.access import visible_bookings
from tentative.bookings.models import LINE_WORDS
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, NotFound

SAVED = _("Saved.")
CREATED = _("Customer “%(name)s” created.")
BLANK_CONTACTS = 2  # empty rows offered under a company's contacts
PAGE_SIZE = 50


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Customer.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", "—"), *settings.LANGUAGES]
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    role = forms.CharField(label=_("Role"), required=False, max_length=100)


Contacts = forms.formset_factory(ContactForm, extra=0, max_num=actions.MAX_CONTACTS)


def _forms(
    request: HttpRequest, customer: Customer | None
) -> tuple[CustomerForm, forms.BaseFormSet]:
    if request.method == "POST":
        return CustomerForm(request.POST), Contacts(request.POST, prefix="contacts")
    initial: dict[str, Any] = {}
    contacts: list[dict[str, str]] = []
    if customer is not None:
        initial = {
            "kind": customer.kind,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "language": customer.language,
        }
        contacts = list(customer.contacts.order_by("id").values("name", "email", "phone", "role"))
    blank = [{} for _ in range(BLANK_CONTACTS)]
    return CustomerForm(initial=initial), Contacts(initial=contacts + blank, prefix="contacts")


def _data(form: CustomerForm, contacts: forms.BaseFormSet) -> actions.CustomerData:
    data = form.cleaned_data
    return actions.CustomerData(
        name=data["name"],
        kind=data["kind"],
        email=data["email"],
        phone=data["phone"],
        language=data["language"],
        contacts=tuple(
            actions.ContactData(c["name"], c["email"], c["phone"], c["role"])
            for c in contacts.cleaned_data
            if any(c.get(k) for k in ("name", "email", "phone", "role"))
        ),
    )


def _place_error(error: InvalidCustomer, form: CustomerForm, contacts: forms.BaseFormSet) -> None:
    """An action's refusal goes next to the field it names (a contact's field included)."""
    field = error.field
    if field.startswith("contacts-"):
        _, index, name = field.split("-", 2)
        # The action numbers the non-empty contacts; map back to the rows as typed.
        rows = [
            f
            for f in contacts.forms
            if any(f.cleaned_data.get(k) for k in ("name", "email", "phone", "role"))
        ]
        if int(index) < len(rows):
            rows[int(index)].add_error(
                name if name in ContactForm.base_fields else None, error.text
            )
            return
        field = ""
    form.add_error(field if field in CustomerForm.base_fields else None, error.text)


def _save(
    request: HttpRequest, actor: Actor, customer: Customer | None
) -> tuple[HttpResponse | None, CustomerForm, forms.BaseFormSet, int]:
    form, contacts = _forms(request, customer)
    if request.method != "POST":
        return None, form, contacts, 200
    if not (form.is_valid() and contacts.is_valid()):
        return None, form, contacts, 422
    try:
        if customer is None:
            saved = actions.create_customer(
                actor.organisation_id,  # type: ignore[arg-type]
                _data(form, contacts),
                actor=actor,
            )
            messages.success(request, CREATED % {"name": saved.name})
        else:
            saved = actions.update_customer(customer.id, _data(form, contacts), actor=actor)
            messages.success(request, SAVED)
    except InvalidCustomer as error:
        _place_error(error, form, contacts)
        return None, form, contacts, error.status
    except DomainError as error:
        messages.error(request, error.text)
        return None, form, contacts, error.status
    return redirect("backoffice:customer", customer_id=saved.id), form, contacts, 302


FIELD_WORDS = {
    "kind": _("type"),
    "name": _("name"),
    "email": _("email"),
    "phone": _("phone"),
    "language": _("language"),
}
CREATED_BY = _("%(who)s created the customer.")
CHANGED_BY = _("%(who)s changed %(what)s.")
CONTACTS_NOW = _("contacts (now %(n)s)")
EMPTY = "—"


def sentence(entry: AuditEntry) -> str:
    """A customer's audit entry as a sentence: who did it, and what changed from what to what."""
    who = entry.actor_label
    if entry.action == "customer.create":
        return str(CREATED_BY % {"who": who})
    parts = [
        f"{FIELD_WORDS.get(name, name)}: {old or EMPTY} → {new or EMPTY}"
        for name, (old, new) in (entry.data.get("changed") or {}).items()
    ]
    if entry.data.get("contacts") is not None:
        parts.append(str(CONTACTS_NOW % {"n": entry.data["contacts"]}))
    return str(CHANGED_BY % {"who": who, "what": "; ".join(parts) or EMPTY})


def _open(form: CustomerForm, contacts: forms.BaseFormSet) -> bool:
    """A company's contacts show; a person's stay folded unless something there is wrong."""
    refused = bool(form.errors.get("kind")) or any(f.errors for f in contacts.forms)
    return form["kind"].value() == Customer.Kind.COMPANY or refused


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    query = request.GET.get("q", "")[:MAX_QUERY]
    page = Paginator(search_customers(actor, query), PAGE_SIZE).get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    latest = _latest_bookings(actor, [c.id for c in page])
    for row in page:
        row.latest = latest.get(row.id, [])
    return render(
        request,
        "backoffice/customers.html",
        {"page": page, "q": query, "query": others.urlencode()},
    )


LATEST = 3


def _latest_bookings(actor: Actor, customer_ids: list[int]) -> dict[int, list[Any]]:
    """Each listed customer's three latest bookings, in one query (a window per customer,
    so a customer with thousands of bookings reads three rows like the others)."""
    rows = (
        visible_bookings(actor)
        .filter(customer_id__in=customer_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=LATEST)
        .order_by("customer_id", "rank")
    )
    latest: dict[int, list[Any]] = {}
    for booking in rows:
        booking.url = booking_url(booking.reference)
        latest.setdefault(booking.customer_id, []).append(booking)  # type: ignore[arg-type]
    return latest


@login_required
def new_customer(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    done, form, contacts, status = _save(request, actor, None)
    if done is not None:
        return done
    return render(
        request,
        "backoffice/customer_form.html",
        {
            "form": form,
            "contacts": contacts,
            "customer": None,
            "contacts_open": _open(form, contacts),
        },
        status=status,
    )


@login_required
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    actor = staff_actor(request)
    try:
        found = access_customer(actor, customer_id)
    except NotFound:
        raise Http404() from None
    done, form, contacts, status = _save(request, actor, found)
    if done is not None:
        return done
    bookings = list(
        visible_bookings(actor)
        .filter(customer_id=found.id)
        .prefetch_related(*(f"lines__{path}" for path in LINE_WORDS))
        .order_by("-created_at", "-id")[:200]
    )
    for booking in bookings:
        booking.url = booking_url(booking.reference)
    history = AuditEntry.objects.filter(
        organisation_id=found.organisation_id,
        booking=None,
        action__startswith="customer.",
        data__customer=found.id,
    ).order_by("-at", "-id")[:50]
    return render(
        request,
        "backoffice/customer_form.html",
        {
            "form": form,
            "contacts": contacts,
            "customer": found,
            "contacts_open": _open(form, contacts),
            "bookings": bookings,
            "history": [{"at": e.at, "sentence": sentence(e)} for e in history],
            # Personal data (issue 12): the customer's pending erasure request, if any.
            "erasure": found.erasure_requests.filter(status="pending").first(),
        },
        status=status,
    )


@login_required
def anonymise(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Erase a customer's personal data (issue 12 item 8): the action checks the role and
    refuses while bookings are open or unpaid; the page says why."""
    if request.method != "POST":
        return redirect("backoffice:customer", customer_id)
    actor = staff_actor(request)
    try:
        actions.anonymise_customer(customer_id, actor=actor)
    except NotFound:
        raise Http404() from None
    except DomainError as refusal:
        messages.error(request, refusal.text)
        return redirect("backoffice:customer", customer_id)
    messages.success(request, _("The customer's personal data is erased."))
    return redirect("backoffice:customer", customer_id)
