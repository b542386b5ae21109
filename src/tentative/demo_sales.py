"""Demo data for channels, audiences and sales profiles (docs/sales.md), and the widget.

- Audiences: the public, schools (may reserve everywhere) and companies (reserve on the
  B2B portal, at the box office and by phone, not on the web shop). The demo's company
  customer, "Écoles du Lac", is a school.
- The concert: the public may only buy it online, schools may reserve it (two profiles
  naming the same event for different audiences).
- An overlap that shows the rule: a narrow "last weeks" profile names one ticket type
  (Tarif réduit) as bought only: for schools it beats their event-wide profile, because a
  ticket type is more specific than its event.
- The widget may be framed by http://localhost:8001 (the example page of docs/widget.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tentative.accounts import actions as accounts
from tentative.accounts.models import Customer, Organisation
from tentative.catalog import actions as catalog
from tentative.catalog.models import Event
from tentative.shared.actor import Actor


def sales_demo(org: Organisation, staff: Actor, company: Customer, now: datetime) -> None:
    schools = accounts.create_audience(org.id, actor=staff, name="Scolaires", now=now)
    companies = accounts.create_audience(org.id, actor=staff, name="Entreprises", now=now)
    accounts.set_reserve_channels(
        org.id,
        {
            None: ["web", "box_office", "phone", "b2b", "api"],
            schools.id: ["web", "box_office", "phone", "b2b", "api"],
            companies.id: ["box_office", "phone", "b2b"],
        },
        actor=staff,
        now=now,
    )
    accounts.set_customer_audience(company.id, schools.id, actor=staff, now=now)
    public_id = org.audiences.get(is_public=True).id
    concert = Event.objects.get(organisation=org, name="Concert au bord du lac")
    reduced = concert.ticket_types.get(name="Tarif réduit")

    def profile(name: str, **fields: object) -> int:
        return catalog.create_sales_profile(
            org.id,
            catalog.ProfileData(name=name, **fields),
            actor=staff,
            now=now,  # type: ignore[arg-type]
        ).id

    buy_only = profile(
        "Concert : grand public, achat seulement", channels=("web",), audience_ids=(public_id,)
    )
    catalog.set_profile_item(
        buy_only, actor=staff, event_id=concert.id, for_sale=True, reservable=False, now=now
    )
    for_schools = profile(
        "Concert : scolaires", channels=("web", "b2b"), audience_ids=(schools.id,)
    )
    catalog.set_profile_item(
        for_schools, actor=staff, event_id=concert.id, for_sale=True, reservable=True, now=now
    )
    last_weeks = profile(
        "Dernières semaines : tarif réduit à l'achat",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )
    catalog.set_profile_item(
        last_weeks,
        actor=staff,
        ticket_type_id=reduced.id,
        for_sale=True,
        reservable=False,
        now=now,
    )
    accounts.set_widget_sites(org.id, ["http://localhost:8001"], actor=staff, now=now)
