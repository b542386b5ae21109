"""The planning draws its sessions in Python (`backoffice.planning._cell_html`, measured in
docs/rooms.md): held equal, byte for byte, to the template include it replaced, for every
kind of session and in every language."""

from datetime import timedelta

import pytest
from django.template import engines
from django.utils import timezone, translation

from tentative.backoffice.planning import _cell, _Links
from tentative.bookings import selectors
from tentative.catalog import actions as catalog
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory
from tests.rooms.factories import book, escape_room, in_days

pytestmark = pytest.mark.django_db

# backoffice/_session_cell.html as it was, the reference.
REFERENCE = """{% load i18n %}{# One session #}
{% if s.url %}<a class="session session-{{ s.status }}{% if s.off_schedule %} off-schedule{% endif %}" href="{{ s.url }}">{% else %}<span class="session session-{{ s.status }}{% if s.off_schedule %} off-schedule{% endif %}">{% endif %}
<span class="session-time">{{ s.time|time:"TIME_FORMAT" }}</span>
<span class="session-word"><span class="session-mark" aria-hidden="true"></span>{{ s.word }}</span>
{% if s.holder %}<span class="session-who">{{ s.who }} · {% blocktranslate count n=s.players %}{{ n }} player{% plural %}{{ n }} players{% endblocktranslate %}</span>{% endif %}
{% if s.deadline %}<span class="session-deadline">{% blocktranslate with when=s.deadline|date:"SHORT_DATETIME_FORMAT" %}until {{ when }}{% endblocktranslate %}</span>{% endif %}
{% if s.quotes %}<span class="session-quotes">{% blocktranslate count n=s.quotes %}{{ n }} quote{% plural %}{{ n }} quotes{% endblocktranslate %}</span>{% endif %}
{% if s.off_schedule %}<span class="session-note">{% translate "off schedule" %}</span>{% endif %}
{% if s.url %}</a>{% else %}</span>{% endif %}
{% if s.others %}<ul class="session-others">{% for o in s.others %}<li><a href="{% url 'backoffice:booking' o.booking.reference %}"><code>{{ o.booking.reference }}</code></a> {% include "backoffice/components/badge.html" with state=o.booking.state label=o.booking.get_state_display %}{% if o.lapsed %} <small>{% translate "deadline passed" %}</small>{% endif %}</li>{% endfor %}</ul>{% endif %}
"""  # noqa: E501


def test_every_kind_of_session_is_drawn_as_the_template_drew_it(org):
    owner = Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))
    vault = escape_room(org, owner)
    odd = CustomerFactory(organisation=org, name="Bob <b>&</b> O'Neil")
    book(owner, vault, in_days(org, 2, "10:00"), 2, 1, mode=State.CONFIRMED, customer_id=odd.id)
    option = book(owner, vault, in_days(org, 2, "11:30"), 3, mode=State.OPTION)
    book(owner, vault, in_days(org, 2, "14:00"), 4, mode=State.QUOTE)
    for _ in range(2):
        book(owner, vault, in_days(org, 2, "15:30"), 2, mode=State.QUOTE)
    book(owner, vault, in_days(org, 2, "17:00"), 6, mode=State.CONFIRMED)
    book(owner, vault, in_days(org, 4, "10:00"), 2, mode=State.CONFIRMED)
    catalog.close_room_day(vault.id, in_days(org, 4).date(), actor=owner, note="Works")
    reference = engines["django"].from_string(REFERENCE)
    first, last = in_days(org, 1).date(), in_days(org, 5).date()
    drawn = 0
    # now: every session ahead; then the option's deadline passed and some sessions past
    for now in (timezone.now(), option.deadline_enforced + timedelta(minutes=1)):
        grid = selectors.planning(org.id, first=first, last=last, zone=org.zone, now=now)
        for language in ("en", "fr", "es"):
            with translation.override(language), timezone.override(org.zone):
                links = _Links()
                for row in grid.rows:
                    for cell in row.cells:
                        item = _cell(cell, org.zone, links)
                        assert item["html"] == reference.render({"s": item}), (language, cell)
                        drawn += 1
    assert drawn > 60
    kinds = {(c.status, c.scheduled, bool(c.others)) for row in grid.rows for c in row.cells}
    assert {("confirmed", True, False), ("free", True, True), ("confirmed", False, False)} <= kinds
    assert any(o.lapsed for row in grid.rows for c in row.cells for o in c.others)
