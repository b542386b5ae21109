"""A customer asks, from their personal space, for their personal data to be erased.

Recorded (an `ErasureRequest` staff see on the customer's page, and an audit entry); staff
then anonymise the customer (`anonymise_customer`) once nothing keeps its data. Asking twice
keeps one pending request.
"""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_customer
from tentative.accounts.models import ErasureRequest
from tentative.audit.trail import new_entry
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden
from tentative.shared.transactions import action_transaction

MAX_NOTE = 2000


def request_erasure(
    customer_id: int, *, actor: Actor, note: str = "", now: datetime | None = None
) -> ErasureRequest:
    now = now_or(now)
    if actor.kind != ActorKind.CUSTOMER:
        raise Forbidden()  # staff anonymise directly
    note = (note or "").replace("\x00", "").strip()[:MAX_NOTE]
    with action_transaction():
        customer = access_customer(actor, customer_id, lock=True)
        pending = customer.erasure_requests.filter(status=ErasureRequest.Status.PENDING).first()
        if pending is not None:
            return pending
        request = ErasureRequest.objects.create(
            organisation_id=customer.organisation_id,
            customer=customer,
            note=note,
            requested_at=now,
        )
        new_entry(
            customer.organisation_id,
            actor=actor,
            action="customer.erasure_request",
            at=now,
            data={"customer": customer.id, "name": customer.name},
        ).save()
    return request
