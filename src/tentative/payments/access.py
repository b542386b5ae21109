"""Who may take or give back money, checked inside the actions.

Any staff member records a payment at the desk; giving money back is the owner's or a
manager's call, as is cancelling a firm booking (core.permissions).
"""

from __future__ import annotations

from tentative.core.permissions import Role
from tentative.payments.models import Payment, PaymentRequest
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden, NotFound


def check_may_take(actor: Actor) -> None:
    if actor.kind not in (ActorKind.STAFF, ActorKind.SYSTEM):
        raise Forbidden()


def check_may_refund(actor: Actor) -> None:
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind != ActorKind.STAFF or actor.role not in (Role.OWNER, Role.MANAGER):
        raise Forbidden()


def access_payment(actor: Actor, reference: str, *, lock: bool = False) -> Payment:
    """Another organisation's payment is 'not found', as for bookings."""
    if "\x00" in reference:  # PostgreSQL refuses NUL in text: an unknown payment, not a 500
        raise NotFound()
    payments = Payment.objects.select_related("booking", "organisation")
    if actor.kind != ActorKind.SYSTEM:
        payments = payments.filter(organisation_id=actor.organisation_id)
    if lock:
        payments = payments.select_for_update(no_key=True, of=("self",))
    try:
        return payments.get(reference=reference)
    except Payment.DoesNotExist:
        raise NotFound() from None


def access_payment_request(actor: Actor, request_id: int, *, lock: bool = False) -> PaymentRequest:
    requests = PaymentRequest.objects.select_related("organisation")
    if actor.kind != ActorKind.SYSTEM:
        requests = requests.filter(organisation_id=actor.organisation_id)
    if lock:
        requests = requests.select_for_update(no_key=True, of=("self",))
    try:
        return requests.get(id=request_id)
    except (PaymentRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def request_by_token(token: str, *, lock: bool = False) -> PaymentRequest:
    """Whoever holds the link may pay it: the token is the credential (unguessable)."""
    if "\x00" in token:
        raise NotFound()
    requests = PaymentRequest.objects.select_related("organisation", "booking")
    if lock:
        requests = requests.select_for_update(no_key=True, of=("self",))
    try:
        return requests.get(token=token)
    except PaymentRequest.DoesNotExist:
        raise NotFound() from None
