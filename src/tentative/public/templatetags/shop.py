"""Template helpers of the public pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag
def public_languages(organisation: Any = None) -> list[dict[str, str]]:
    """The languages a visitor may switch to: the organisation's, else every one we have,
    each named in its own language (a French reader looks for "Français")."""
    codes = [code for code, _name in settings.LANGUAGES]
    offered = getattr(organisation, "languages", None) or codes
    return [
        {"code": code, "name": get_language_info(code)["name_local"]}
        for code in codes
        if code in offered
    ]


@register.filter
def places_left(free: int) -> int:
    return max(0, int(free))
