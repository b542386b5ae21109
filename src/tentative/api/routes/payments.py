"""Money on a booking: its balance and payments, recording a payment, refunding one, and the
providers' signed notifications. Thin shells over `payments.actions`."""

import copy
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    AuthorisationOut,
    ErrorOut,
    NotificationOut,
    PaymentIn,
    PaymentOut,
    PaymentRequestIn,
    PaymentRequestOut,
    PaymentsOut,
    Reference,
    RefundIn,
    RefundOut,
    balance_out,
    refusals,
)
from tentative.bookings.access import access_booking_by_reference
from tentative.core.money import Money
from tentative.payments import actions, selectors
from tentative.payments.access import access_payment_request_by_key
from tentative.payments.models import PaymentRequest
from tentative.shared.clock import now_or

router = Router(tags=["payments"])


def _payments(booking) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"balance": balance_out(booking), "payments": list(booking.payments.order_by("id"))}


@router.get("/bookings/{reference}/payments", response={200: PaymentsOut, **READ_ERRORS})
def payments(request: HttpRequest, reference: Reference) -> object:
    """What the booking costs, what was paid and refunded, and what is still owed."""
    return _payments(access_booking_by_reference(staff_actor(request), reference.upper()))


@router.post(
    "/bookings/{reference}/payments",
    response={201: PaymentOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(refusals(("not_payable",), ("amount_invalid",))),
)
@idempotent
def record(request: HttpRequest, reference: Reference, payload: PaymentIn) -> Result:
    """Money taken at the desk, or a simulated card payment to be moved by notifications.
    An option paid in full becomes confirmed."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    payment = actions.record_payment(
        booking.id,
        actor=actor,
        amount=Decimal(payload.amount),
        method=payload.method,
        note=payload.note,
    )
    return 201, PaymentOut.from_orm(payment).model_dump(mode="json")


@router.post(
    "/bookings/{reference}/authorise",
    response={201: AuthorisationOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals(("not_authorisable", "already_authorised", "nothing_due"), ())
    ),
)
@idempotent
def authorise(request: HttpRequest, reference: Reference) -> Result:
    """Charge after approval: open the card authorisation of a pending request whose offer
    authorises at request time. It is captured once staff approve and voided if they
    decline (the worker does both)."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    payment = actions.authorise_request(booking.id, actor=actor)
    page = reverse("public:card", args=[payment.reference])
    return 201, {
        "payment": PaymentOut.from_orm(payment).model_dump(mode="json"),
        "pay_url": f"{settings.PUBLIC_URL}{page}",
    }


@router.post(
    "/payments/{payment}/refund",
    response={201: RefundOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals(("refund_too_large", "not_refundable"), ("amount_invalid",))
    ),
)
@idempotent
def refund(request: HttpRequest, payment: str, payload: RefundIn) -> Result:
    """Whole or part of a captured payment; never more than it captured."""
    done = actions.refund_payment(
        payment[:64],
        actor=staff_actor(request),
        amount=Decimal(payload.amount),
        reason=payload.reason,
    )
    online = selectors.refunds_online(done.payment)
    return 201, {
        "payment": done.payment.reference,
        "state": done.state,
        "amount": str(done.amount),
        "reason": done.reason,
        "pay_back_yourself": not online,
    }


@router.post(
    "/payments/notifications/{provider}",
    auth=None,
    response={200: NotificationOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut},
)
def notify(request: HttpRequest, provider: str) -> object:
    """A provider's signed notification (`Tentative-Signature: t=…,v1=…` for the simulated
    processor). The same notification twice, or an older one, changes nothing."""
    outcome = actions.receive_notification(provider[:32], request.body, request.headers)
    return {"outcome": outcome.value}


def _request(link: PaymentRequest) -> dict[str, object]:
    return {
        "id": link.id,
        "amount": str(Money(link.amount, link.currency).amount),
        "currency": link.currency,
        "state": link.shown_state(now_or(None)),
        "url": selectors.request_url(link),
        "expires_at": link.expires_at.isoformat(),
        "created_at": link.created_at.isoformat(),
        "sent_at": link.sent_at.isoformat() if link.sent_at else None,
        "sent_count": link.sent_count,
        "paid_at": link.paid_at.isoformat() if link.paid_at else None,
    }


@router.get(
    "/bookings/{reference}/payment-requests",
    response={200: list[PaymentRequestOut], **READ_ERRORS},
)
def payment_requests(request: HttpRequest, reference: Reference) -> object:
    """The booking's payment links, newest first; `state` says which can still be paid."""
    booking = access_booking_by_reference(staff_actor(request), reference.upper())
    return [_request(link) for link in selectors.requests_of(booking)]


@router.post(
    "/bookings/{reference}/payment-requests",
    response={201: PaymentRequestOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals(
            ("not_payable", "nothing_due"),
            ("amount_invalid", "amount_above_balance", "expiry_invalid"),
        )
    ),
)
@idempotent
def create_payment_request(
    request: HttpRequest, reference: Reference, payload: PaymentRequestIn
) -> Result:
    """A payment link for the customer (seed 004): for what is still due unless an amount is
    given, until the option's deadline unless an expiry is given; `send` emails it."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    link = actions.create_payment_request(
        booking.id,
        actor=actor,
        amount=Decimal(payload.amount) if payload.amount is not None else None,
        expires_at=payload.expires_at,
        send=payload.send,
    )
    return 201, _request(link)


@router.post(
    "/payment-requests/{key}/send",
    response={200: PaymentRequestOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals(("request_paid", "request_expired", "request_cancelled", "not_payable"))
    ),
)
@idempotent
def send_payment_request(request: HttpRequest, key: str) -> Result:
    """Email a link to the customer (again). `key`: the request's id or its token."""
    actor = staff_actor(request)
    link = access_payment_request_by_key(actor, key[:64])
    return 200, _request(actions.send_payment_request(link.id, actor=actor))


@router.post(
    "/payment-requests/{key}/cancel",
    response={200: PaymentRequestOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(refusals(("request_paid", "request_cancelled"))),
)
@idempotent
def cancel_payment_request(request: HttpRequest, key: str) -> Result:
    """Withdraw a link: it can no longer be paid. `key`: the request's id or its token."""
    actor = staff_actor(request)
    link = access_payment_request_by_key(actor, key[:64])
    return 200, _request(actions.cancel_payment_request(link.id, actor=actor))
