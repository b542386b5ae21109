"""A scan's refusals (a ticket that is not valid is an answer, not an error)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError


class NonceReused(DomainError):
    code, status = "nonce_reused", 422
    message = _("This scan's nonce was already used for another ticket code.")
