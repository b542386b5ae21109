"""Who may take or give back money, checked inside the actions.

Any staff member records a payment at the desk; giving money back is the owner's or a
manager's call, as is cancelling a firm booking (core.permissions).
"""

from __future__ import annotations

from tentative.core.permissions import Role
from tentative.payments.errors import VoucherUnknown
from tentative.payments.models import Payment, Voucher, normalise_code
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


def access_voucher(actor: Actor, code: str, *, lock: bool = False) -> Voucher:
    """By its code as typed. Another organisation's code is unknown, with the same words as
    a code that exists nowhere: a code never tells that it exists elsewhere."""
    if actor.kind not in (ActorKind.STAFF, ActorKind.SYSTEM) or actor.organisation_id is None:
        raise VoucherUnknown()
    vouchers = Voucher.objects.filter(organisation_id=actor.organisation_id)
    if lock:
        vouchers = vouchers.select_for_update(no_key=True, of=("self",))
    try:
        return vouchers.select_related("booking").get(code=normalise_code(code))
    except Voucher.DoesNotExist:
        raise VoucherUnknown() from None
