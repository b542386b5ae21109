"""The catalogue's refusals: a code for programs, a message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, Forbidden


class CatalogueManagersOnly(Forbidden):
    code = "catalogue_managers_only"
    message = _("Only owners and managers may change the catalogue.")


class InvalidTerms(DomainError):
    """A form-like refusal: `fields` maps a field name to its messages."""

    code, status = "invalid_terms", 422
    message = _("Please correct the highlighted fields.")

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__()
        self.fields = fields
