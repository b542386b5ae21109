"""Codes stay untranslated where programs read them (the API, the outbox topics, the
database choices, so a reworded label needs no migration); pages and messages show the
word each app gives its codes, looked up here."""

from __future__ import annotations

from django.utils.functional import Promise


def label(words: dict[str, Promise], code: str) -> str:
    """The translated word for a code; an unknown code is shown as it is."""
    return str(words.get(code, code))
