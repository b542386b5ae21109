"""The staff pages for appointment services and staff hours (issue 13 items 1-2): every
change through a catalog action with its audit entry, refusals next to their field (the
Wix rules for approval), permissions per role and for another organisation."""

from datetime import time, timedelta

import pytest
from django.utils import translation

from tentative.audit.models import AuditEntry
from tentative.catalog.models import HoursException, Question, Service, WorkingHours
from tentative.core.permissions import Role
from tests.factories import MembershipFactory, OrganisationFactory, service, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    member = MembershipFactory(organisation=org, role=role)
    client.force_login(member.user)
    return member


def form(**changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "Massage",
        "description": "",
        "duration": "45",
        "buffer_before": "0",
        "buffer_after": "15",
        "price": "60.00",
        "max_participants": "1",
        "min_notice": "2",
        "horizon_days": "60",
        "slot_step": "15",
        "approval_note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_create_a_service_with_its_staff_and_settings(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice = staff_member(org, "Alice")
    signed_in(client, org)
    answer = client.post(
        "/staff/services/new/",
        form(
            staff=[alice.id],
            requires_approval="on",
            several_may_request="on",
            approval_note="We answer within a day.",
            approval_below_hours="48",
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    made = Service.objects.get(organisation=org)
    assert made.duration == timedelta(minutes=45) and made.buffer_after == timedelta(minutes=15)
    assert made.min_notice == timedelta(hours=2) and made.slot_step == timedelta(minutes=15)
    assert made.requires_approval and not made.requests_hold_capacity  # several may request
    assert made.approval_below_hours == 48
    assert list(made.resources.all()) == [alice]
    assert made.prices.get().price == 60
    assert AuditEntry.objects.filter(
        organisation_id=org.id, action="catalog.service_created"
    ).exists()
    page = client.get(answer["Location"]).content.decode()
    assert 'value="Massage"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_participants": "6"}, "Group classes cannot require approval"),
        (
            {"sold_in_packages": "on"},
            "sold through a membership or a package cannot require approval",
        ),
    ],
)
def test_the_wix_rules_refuse_approval_next_to_the_field(client, changes, message):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    signed_in(client, org)
    answer = client.post(
        "/staff/services/new/",
        form(requires_approval="on", approval_note="We approve.", **changes),
    )
    assert answer.status_code == 422
    html = answer.content.decode()
    assert 'id="id_requires_approval-error"' in html and message in html
    assert 'value="Massage"' in html
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration": "0"}, "duration"),
        ({"price": "-1"}, "price"),
        ({"name": ""}, "name"),
        ({"horizon_days": "0"}, "horizon_days"),
        ({"duration": "abc"}, "duration"),
    ],
)
def test_bad_input_is_marked_next_to_its_field(client, changes, field):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    signed_in(client, org)
    answer = client.post("/staff/services/new/", form(**changes))
    assert answer.status_code == 422
    assert f'id="id_{field}-error"' in answer.content.decode()
    assert not Service.objects.exists()


def test_edit_a_service_and_its_booking_form(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice, bob = staff_member(org, "Alice"), staff_member(org, "Bob")
    offer = service(org, alice)
    signed_in(client, org)
    url = f"/staff/services/{offer.id}/"
    assert client.get(url).status_code == 200
    answer = client.post(url, form(name="Deep massage", staff=[alice.id, bob.id], price="70"))
    assert answer.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Deep massage" and offer.resources.count() == 2
    assert offer.prices.order_by("id").first().price == 70
    added = client.post(
        f"{url}fields/",
        {"label": "Any injury?", "kind": "choice", "choices": "No\nBack\nKnee", "required": "on"},
    )
    assert added.status_code == 302
    question = Question.objects.get(service=offer)
    assert question.choices == ["No", "Back", "Knee"] and question.required
    bad = client.post(f"{url}fields/", {"label": "Pick", "kind": "choice", "choices": "Only one"})
    assert bad.status_code == 422 and 'id="id_q_choices-error"' in bad.content.decode()
    removed = client.post(f"{url}fields/{question.id}/remove/")
    assert removed.status_code == 302 and not Question.objects.exists()
    verbs = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "catalog.service_changed",
        "catalog.service_question_added",
        "catalog.service_question_removed",
    } <= verbs


def hours_form(**ranges):  # type: ignore[no-untyped-def]
    return {key: value for key, value in ranges.items()}


def test_weekly_hours_days_off_and_exceptions(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice = staff_member(org, "Alice")
    signed_in(client, org)
    url = f"/staff/services/staff/{alice.id}/"
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        hours_form(
            d0_1_start="09:00",
            d0_1_end="12:00",
            d0_2_start="14:00",
            d0_2_end="18:00",
            d2_1_start="10:00",
            d2_1_end="00:00",
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rows = list(
        WorkingHours.objects.filter(resource=alice).values_list("weekday", "starts", "ends")
    )
    assert rows == [(0, time(9), time(12)), (0, time(14), time(18)), (2, time(10), time(0))]
    page = client.get(url).content.decode()
    assert 'value="14:00"' in page

    overlap = client.post(
        url, hours_form(d1_1_start="09:00", d1_1_end="13:00", d1_2_start="12:00", d1_2_end="15:00")
    )
    assert overlap.status_code == 422 and "overlap" in overlap.content.decode()
    half = client.post(url, hours_form(d1_1_start="09:00"))
    assert half.status_code == 422 and 'id="id_h_d1_1_end-error"' in half.content.decode()
    assert WorkingHours.objects.filter(resource=alice).count() == 3  # unchanged

    off = client.post(
        f"{url}exceptions/",
        {"kind": "closed", "first_day": "2026-12-24", "last_day": "2026-12-26", "note": "Holidays"},
    )
    assert off.status_code == 302
    extra = client.post(f"{url}exceptions/", {"kind": "open", "first_day": "2026-12-27"})
    assert extra.status_code == 422 and 'id="id_x_starts-error"' in extra.content.decode()
    backwards = client.post(
        f"{url}exceptions/", {"kind": "closed", "first_day": "2026-12-24", "last_day": "2026-12-20"}
    )
    assert backwards.status_code == 422 and 'id="id_x_last_day-error"' in backwards.content.decode()
    exception = HoursException.objects.get()
    assert (exception.first_day.day, exception.last_day.day) == (24, 26)
    assert client.post(f"{url}exceptions/{exception.id}/remove/").status_code == 302
    assert not HoursException.objects.exists()


def test_an_agent_reads_but_cannot_change(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice = staff_member(org, "Alice")
    offer = service(org, alice)
    signed_in(client, org, Role.AGENT)
    page = client.get(f"/staff/services/{offer.id}/").content.decode()
    assert "Save" not in page.split("</form>")[0].split('class="stack"')[-1]
    answer = client.post(f"/staff/services/{offer.id}/", form(name="Hacked"))
    assert answer.status_code == 403
    offer.refresh_from_db()
    assert offer.name != "Hacked"
    hours = client.post(
        f"/staff/services/staff/{alice.id}/", {"d0_1_start": "09:00", "d0_1_end": "10:00"}
    )
    assert hours.status_code == 403 and not WorkingHours.objects.exists()


def test_another_organisations_things_are_not_found(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice = staff_member(org, "Alice")
    offer = service(org, alice)
    signed_in(client, OrganisationFactory())
    assert client.get(f"/staff/services/{offer.id}/").status_code == 404
    assert client.get(f"/staff/services/staff/{alice.id}/").status_code == 404
    assert (
        client.post(
            f"/staff/services/{offer.id}/fields/", {"label": "x", "kind": "text"}
        ).status_code
        == 404
    )


def test_the_list_shows_services_and_hours(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    alice = staff_member(org, "Alice")
    WorkingHours.objects.create(resource=alice, weekday=0, starts=time(9), ends=time(17))
    offer = service(org, alice, requires_approval=True, approval_note="x")
    signed_in(client, org)
    html = client.get("/staff/services/").content.decode()
    assert offer.name in html and "Requests approved by staff" in html
    assert "09:00–17:00" in html
    assert f"/o/{org.slug}/services/{offer.id}/" in html
