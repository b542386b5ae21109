"""The booking form's questions of an event, set by staff; refusals next to their field."""

from __future__ import annotations

import pytest

from tentative.audit.models import AuditEntry
from tentative.catalog.models import Question
from tentative.core.permissions import Role
from tests.factories import MembershipFactory, on_sale

pytestmark = pytest.mark.django_db


def login(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    membership = MembershipFactory(organisation=org, role=role)
    client.force_login(membership.user)
    return membership


def test_staff_add_and_remove_questions_and_ask_names(client, org):
    login(client, org)
    date, _ticket = on_sale(org)
    url = f"/staff/catalogue/events/{date.event_id}/questions/"
    assert client.get(url).status_code == 200
    added = client.post(
        url,
        {
            "label": "Diet",
            "kind": "choice",
            "choices": "None\nVegetarian\n\nVegan",
            "required": "on",
        },
    )
    assert added.status_code == 302
    question = Question.objects.get()
    assert question.choices == ["None", "Vegetarian", "Vegan"] and question.required
    assert question.organisation_id == org.id
    names = client.post(f"/staff/catalogue/events/{date.event_id}/names/", {"names_required": "on"})
    assert names.status_code == 302
    date.event.refresh_from_db()
    assert date.event.names_required
    removed = client.post(f"{url}{question.id}/remove/")
    assert removed.status_code == 302 and not Question.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "catalog.question_added",
        "catalog.question_removed",
        "catalog.names_required",
    } <= actions
    # The public page links are on the event's page.
    page = client.get(f"/staff/catalogue/events/{date.event_id}/")
    assert url in page.content.decode()


def test_a_choice_question_needs_choices_and_the_error_is_next_to_the_field(client, org):
    login(client, org)
    date, _ticket = on_sale(org)
    url = f"/staff/catalogue/events/{date.event_id}/questions/"
    refused = client.post(url, {"label": "Diet", "kind": "choice", "choices": "Only one"})
    text = refused.content.decode()
    assert refused.status_code == 422
    assert "Give at least two choices" in text and 'value="Diet"' in text
    assert client.post(url, {"label": "", "kind": "text"}).status_code == 422
    assert client.post(url, {"label": "X", "kind": "nope"}).status_code == 422
    assert not Question.objects.exists()


def test_agents_read_but_cannot_change_and_other_organisations_are_not_found(client, org):
    login(client, org, Role.AGENT)
    date, _ticket = on_sale(org)
    url = f"/staff/catalogue/events/{date.event_id}/questions/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"label": "Diet", "kind": "text"}).status_code == 403
    assert not Question.objects.exists()
    other, _t = on_sale(type(org).objects.create(name="O", slug="o2", time_zone="UTC"))
    assert client.get(f"/staff/catalogue/events/{other.event_id}/questions/").status_code == 404
