"""Template helpers of the staff pages' design system (docs/design.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_item(
    context: template.Context, url_name: str, label: str, *args: Any, exact: bool = False
) -> str:
    """One line of the main navigation: `{% nav_item "backoffice:vouchers" _("Coupons") %}`.

    The link is marked `aria-current="page"` on its page and the pages under it (the
    dashboard, at the root, only on itself; `exact=True` for a section's overview)."""
    url = reverse(url_name, args=args)
    request = context.get("request")
    path = request.path if request is not None else ""
    under = not exact and url.rstrip("/").count("/") > 1 and path.startswith(url)
    current = path == url or under
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a href="{}">{}</a></li>', url, label)


@register.filter
def with_aria(field: BoundField) -> str:
    """The field's widget with `aria-invalid` and `aria-describedby` pointing at its help
    and error, so a screen reader reads the error with the field (components/field.html)."""
    attrs: dict[str, str] = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def fill(text: str, value: Any) -> str:
    """`{{ sentence|fill:left }}` where sentence is `_("Decide within {time}")`: a translated
    sentence with one blank. Not "%s": Django's {% translate %} doubles a literal "%"."""
    return str(text).replace("{time}", str(value), 1)


@register.filter
def hours_from(moment: Any, now: Any) -> float:
    """Hours from `now` to `moment` (negative once it has passed)."""
    return float((moment - now).total_seconds() / 3600)


@register.filter
def in_hours(value: Any) -> str:
    """A duration as "48 h" (the same in en, fr and es), not Python's "2 days, 0:00:00"."""
    if value is None:
        return ""
    hours = value.total_seconds() / 3600
    return f"{hours:g}\u00a0h"
