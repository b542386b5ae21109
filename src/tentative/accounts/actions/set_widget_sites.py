"""The organiser's sites allowed to frame the booking widget (docs/widget.md): origins only
("https://theatre.example", "http://localhost:8001"), at most 20. The account owner's call:
it relaxes the framing protection of the widget's pages for those sites."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from tentative.accounts.access import check_may_change_settings
from tentative.accounts.actions._common import record
from tentative.accounts.errors import InvalidAudience
from tentative.accounts.models import Organisation
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

MAX_SITES = 20
SITE_INVALID = _(
    "“%(site)s” is not a site address: give its origin only, such as https://www.example.org."
)
TOO_MANY = _("At most %(max)s sites.")


def origin(site: str) -> str | None:
    """The site's origin as browsers write it, or None if it is not one."""
    site = site.strip().rstrip("/")
    try:
        parts = urlsplit(site)
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or any(c in site for c in " ;,'\"\\")
    ):
        return None
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def set_widget_sites(
    organisation_id: int, sites: Iterable[str], *, actor: Actor, now: datetime | None = None
) -> list[str]:
    now = now_or(now)
    check_may_change_settings(actor)
    check_organisation(actor, organisation_id)
    cleaned: list[str] = []
    for site in sites:
        if not site.strip():
            continue
        found = origin(site)
        if found is None:
            raise InvalidAudience(SITE_INVALID, field="sites", site=site.strip()[:100])
        if found not in cleaned:
            cleaned.append(found)
    if len(cleaned) > MAX_SITES:
        raise InvalidAudience(TOO_MANY, field="sites", max=MAX_SITES)
    with action_transaction():
        org = Organisation.objects.select_for_update(no_key=True).get(id=organisation_id)
        if org.widget_sites == cleaned:
            return cleaned
        record(
            organisation_id,
            actor=actor,
            verb="widget_sites",
            at=now,
            data={"sites": [org.widget_sites, cleaned]},
        )
        org.widget_sites = cleaned
        org.save(update_fields=["widget_sites"])
    return cleaned
