"""Coupons and gift vouchers (issue 10 item 5): issued by staff or sold at the desk, a
ledger whose sum is the balance, redeemed as a payment that settles the booking like any
capture, re-credited when that payment is refunded, and every refusal writing nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.bookings import actions as bookings
from tentative.core.money import PaymentStatus
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.fanout import fan_out
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions, errors
from tentative.payments.models import (
    CODE_ALPHABET,
    Payment,
    Refund,
    Voucher,
    VoucherEntry,
    normalise_code,
)
from tentative.payments.selectors import balance, voucher_balance
from tentative.shared.errors import Forbidden
from tests.factories import CustomerFactory, OrganisationFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


def coupon(org, amount="30", **kwargs):  # type: ignore[no-untyped-def]
    return actions.issue_voucher(actor=staff(org), kind="coupon", amount=Decimal(amount), **kwargs)


@pytest.fixture
def option(org):
    date, ticket = on_sale(org, capacity=10)  # 20.00 EUR each
    who = CustomerFactory(organisation=org)
    return book(staff(org), date, ticket, quantity=2, mode=State.OPTION, customer_id=who.id)


def written() -> tuple[int, ...]:
    return (
        Payment.objects.count(),
        Refund.objects.count(),
        Voucher.objects.count(),
        VoucherEntry.objects.count(),
        AuditEntry.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_a_code_is_four_groups_of_four_without_look_alikes_and_typed_loosely(org):
    voucher = coupon(org)
    groups = voucher.code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(voucher.code.lower().replace("-", " ")) == voucher.code
    assert normalise_code(voucher.code + "X") != voucher.code  # a longer code is another one
    assert voucher_balance(voucher).amount == Decimal("30")
    assert OutboxMessage.objects.filter(topic="voucher.issued", booking=None).count() == 1
    assert AuditEntry.objects.filter(action="voucher.issue", booking=None).count() == 1


def test_only_owners_and_managers_give_coupons_any_staff_sells_a_gift_voucher(org):
    agent = staff(org, Role.AGENT)
    with pytest.raises(Forbidden):
        actions.issue_voucher(actor=agent, kind="coupon", amount=Decimal("10"))
    with pytest.raises(errors.MethodRequired):
        actions.issue_voucher(actor=agent, kind="gift", amount=Decimal("10"))
    gift = actions.issue_voucher(actor=agent, kind="gift", amount=Decimal("50"), method="cash")
    assert (gift.kind, gift.method, voucher_balance(gift).amount) == ("gift", "cash", 50)


def test_redeeming_pays_what_is_due_and_confirms_the_option(org, option):
    voucher = coupon(org, "100")
    payment = actions.redeem_voucher(option.id, voucher.code.lower(), actor=staff(org))
    assert (payment.provider, payment.state, payment.captured) == ("voucher", "captured", 40)
    option.refresh_from_db()
    assert option.state == State.CONFIRMED
    assert balance(option).status == PaymentStatus.PAID
    assert voucher_balance(voucher).amount == Decimal("60")
    assert list(voucher.entries.order_by("id").values_list("kind", "amount")) == [
        ("issue", Decimal("100")),
        ("redeem", Decimal("-40")),
    ]
    topics = set(OutboxMessage.objects.filter(booking=option).values_list("topic", flat=True))
    assert {"voucher.redeemed", "payment.captured", "booking.confirmed"} <= topics


def test_a_small_voucher_pays_part_and_a_second_one_the_rest(org, option):
    small, big = coupon(org, "15"), coupon(org, "100")
    actions.redeem_voucher(option.id, small.code, actor=staff(org))
    assert balance(option).outstanding.amount == Decimal("25")
    actions.redeem_voucher(option.id, big.code, Decimal("25"), actor=staff(org))
    assert voucher_balance(small).amount == 0 and voucher_balance(big).amount == 75


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("unknown", errors.VoucherUnknown),
        ("other_org", errors.VoucherUnknown),
        ("currency", errors.VoucherCurrency),
        ("expired", errors.VoucherExpired),
        ("empty", errors.VoucherEmpty),
        ("above_balance", errors.VoucherTooLarge),
        ("above_outstanding", errors.AboveOutstanding),
        ("decimals", errors.AmountInvalid),
        ("zero", errors.AmountInvalid),
        ("negative", errors.AmountInvalid),
        ("nothing_due", errors.NothingDue),
        ("cancelled", errors.NothingDue),
    ],
)
def test_each_refusal_has_its_code_and_writes_nothing(org, option, case, error):
    owner = staff(org)
    code, amount = coupon(org, "30").code, None
    if case == "unknown":
        code = "ABCD-EFGH-JKMN-PQRS"
    elif case == "other_org":
        code = coupon(OrganisationFactory(), "30").code
    elif case == "currency":
        code = coupon(org, "30", currency="CHF").code
    elif case == "expired":
        code = coupon(org, "30", expires_at=timezone.now() - timedelta(minutes=1)).code
    elif case == "empty":
        other = book(owner, *on_sale(org, price=Decimal("30")), mode=State.OPTION)
        actions.redeem_voucher(other.id, code, actor=owner)
    elif case == "above_balance":
        amount = Decimal("30.01")
    elif case == "above_outstanding":
        code, amount = coupon(org, "100").code, Decimal("40.01")
    elif case == "decimals":
        amount = Decimal("10.005")
    elif case == "zero":
        amount = Decimal("0")
    elif case == "negative":
        amount = Decimal("-5")
    elif case == "nothing_due":
        actions.record_payment(option.id, actor=owner, amount=Decimal("40"))
    elif case == "cancelled":
        bookings.cancel_booking(option.id, actor=owner, reason="gone")
    before = written()
    with pytest.raises(error) as refused:
        actions.redeem_voucher(option.id, code, amount, actor=owner)
    assert written() == before
    assert refused.value.code and str(refused.value.text)


def test_another_organisations_code_reads_exactly_like_an_unknown_one(org, option):
    foreign = coupon(OrganisationFactory(), "30").code
    with pytest.raises(errors.VoucherUnknown) as theirs:
        actions.redeem_voucher(option.id, foreign, actor=staff(org))
    with pytest.raises(errors.VoucherUnknown) as nobodys:
        actions.redeem_voucher(option.id, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", actor=staff(org))
    assert (theirs.value.status, theirs.value.text) == (nobodys.value.status, nobodys.value.text)


def test_refunding_a_voucher_payment_puts_the_money_back_on_the_voucher(org, option):
    voucher = coupon(org, "100")
    payment = actions.redeem_voucher(option.id, voucher.code, actor=staff(org))
    actions.refund_payment(payment.reference, actor=staff(org), amount=Decimal("15"))
    assert voucher_balance(voucher).amount == Decimal("75")
    entry = voucher.entries.get(kind="recredit")
    assert (entry.amount, entry.payment_id) == (Decimal("15"), payment.id)
    assert entry.refund is not None
    event = OutboxMessage.objects.get(topic="refund.done", booking=option)
    assert event.payload["pay_back_yourself"] is False


def test_sending_emails_the_code_and_what_is_left_through_the_outbox(org, option, settings):
    voucher = coupon(org, "30", email="holder@example.org")
    actions.send_voucher(voucher.code, actor=staff(org))
    voucher.refresh_from_db()
    assert voucher.sent_at is not None
    fan_out(now=timezone.now())
    mail = OutboxMessage.objects.get(kind="email", topic="voucher.sent")
    assert mail.payload["to"] == ["holder@example.org"]
    assert voucher.code in mail.payload["text"] and "30.00 EUR" in mail.payload["text"]
    assert mail.payload["template"] == "coupon"


def test_a_coupon_without_an_address_or_booking_cannot_be_sent(org):
    voucher = coupon(org, "30")
    with pytest.raises(errors.VoucherNoAddress):
        actions.send_voucher(voucher.code, actor=staff(org))
    assert Voucher.objects.get(id=voucher.id).sent_at is None


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_coupon_email_speaks_the_customers_language(org, language):
    date, ticket = on_sale(org, capacity=10)
    who = CustomerFactory(organisation=org, language=language)
    booking = book(staff(org), date, ticket, mode=State.CONFIRMED, customer_id=who.id)
    voucher = coupon(org, "12.5", booking_id=booking.id)
    actions.send_voucher(voucher.code, actor=staff(org))
    fan_out(now=timezone.now())
    mail = OutboxMessage.objects.get(kind="email", topic="voucher.sent")
    assert mail.payload["language"] == language and "12,50" in mail.payload["text"]
    assert mail.payload["to"] == [who.email]


def test_a_voucher_of_no_booking_reaches_the_webhooks_that_chose_its_topics(org):
    from tentative.notifications.models import WebhookEndpoint

    WebhookEndpoint.objects.create(
        organisation=org,
        url="https://hooks.example.org/tentative",
        topics=["voucher.issued", "voucher.sent"],
    )
    voucher = coupon(org, "30", email="holder@example.org")
    actions.send_voucher(voucher.code, actor=staff(org))
    fan_out(now=timezone.now())
    hooks = OutboxMessage.objects.filter(kind="webhook").order_by("id")
    assert [h.topic for h in hooks] == ["voucher.issued", "voucher.sent"]
    body = hooks[0].payload["body"]
    assert (body["topic"], body["data"]["voucher"], body["data"]["amount"]) == (
        "voucher.issued",
        voucher.code,
        "30.00",
    )
