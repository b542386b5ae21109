"""Coupons and gift vouchers over the API: issue, list, read with the ledger, send; on a
booking: redeem, keep an overpayment as a coupon, cancel with money back. Every refusal is
a 4xx with its code and writes nothing."""

from __future__ import annotations

import pytest

from tentative.payments.models import Payment, Refund, Voucher, VoucherEntry
from tests.api.conftest import Api, error, line, rows
from tests.factories import CustomerFactory, api_token

pytestmark = pytest.mark.django_db


def written() -> tuple[object, ...]:
    money = tuple(m.objects.count() for m in (Payment, Refund, Voucher, VoucherEntry))
    return (rows(), money)


def option(api, offer, quantity=2):  # type: ignore[no-untyped-def]
    date, ticket = offer
    body = {"mode": "option", "lines": [line(date, ticket, quantity)]}
    return api.post("/bookings", body).json()["reference"]


def issue(api, amount="30.00", **extra):  # type: ignore[no-untyped-def]
    response = api.post("/vouchers", {"kind": "coupon", "amount": amount, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_issue_read_list_and_redeem(api, offer):
    voucher = issue(api, "100.00", email="holder@example.org")
    assert voucher["balance"] == "100.00" and voucher["sent_at"] is None
    reference = option(api, offer)
    paid = api.post(
        f"/bookings/{reference}/vouchers/redeem", {"code": voucher["code"].lower()}, key="r-1"
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["provider"] == "voucher" and paid.json()["captured"] == "40.00"
    again = api.post(
        f"/bookings/{reference}/vouchers/redeem", {"code": voucher["code"].lower()}, key="r-1"
    )
    assert again.json() == paid.json() and Payment.objects.count() == 1
    assert api.get(f"/bookings/{reference}").json()["state"] == "confirmed"
    detail = api.get(f"/vouchers/{voucher['code'].replace('-', '')}").json()
    assert detail["balance"] == "60.00"
    assert [(e["kind"], e["amount"], e["booking"]) for e in detail["ledger"]] == [
        ("issue", "100.00", None),
        ("redeem", "-40.00", reference),
    ]
    listed = api.get("/vouchers").json()
    assert [(v["code"], v["balance"]) for v in listed] == [(voucher["code"], "60.00")]
    sent = api.post(f"/vouchers/{voucher['code']}/send")
    assert sent.status_code == 200 and sent.json()["sent_at"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "coupon", "amount": "0"}, 422, "amount_invalid"),
        ({"kind": "coupon", "amount": "-1"}, 422, "invalid"),
        ({"kind": "coupon", "amount": "10.001"}, 422, "amount_invalid"),
        ({"kind": "coupon", "amount": "10", "currency": "E1"}, 422, "currency_invalid"),
        ({"kind": "gift", "amount": "10"}, 422, "method_required"),
        ({"kind": "loan", "amount": "10"}, 422, "invalid"),
    ],
)
def test_bad_issues_write_nothing(api, body, status, code):
    before = written()
    error(api.post("/vouchers", body), status, code)
    assert written() == before


def test_an_agent_sells_a_gift_voucher_but_gives_no_coupon(agent):
    error(agent.post("/vouchers", {"kind": "coupon", "amount": "10"}), 403, "forbidden")
    sold = agent.post("/vouchers", {"kind": "gift", "amount": "10", "method": "terminal"})
    assert sold.status_code == 201 and sold.json()["kind"] == "gift"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unknown", 404, "voucher_unknown"),
        ("other_org", 404, "voucher_unknown"),
        ("currency", 409, "voucher_currency"),
        ("expired", 409, "voucher_expired"),
        ("above_balance", 409, "voucher_amount_too_large"),
        ("above_outstanding", 409, "amount_above_outstanding"),
        ("decimals", 422, "amount_invalid"),
        ("zero", 422, "amount_invalid"),
        ("malformed_code", 422, "invalid"),
    ],
)
def test_bad_redemptions_are_refused_with_their_code_and_write_nothing(
    api, offer, other, case, status, code
):
    reference = option(api, offer)
    voucher = issue(api, "30.00")["code"]
    amount = None
    if case == "unknown":
        voucher = "ABCD-EFGH-JKMN-PQRS"
    elif case == "other_org":
        voucher = issue(Api(api_token(other[0])), "30.00")["code"]
    elif case == "currency":
        voucher = issue(api, "30.00", currency="CHF")["code"]
    elif case == "expired":
        voucher = issue(api, "30.00", expires_at="2001-01-01T00:00:00+00:00")["code"]
    elif case == "above_balance":
        amount = "30.01"
    elif case == "above_outstanding":
        voucher, amount = issue(api, "100.00")["code"], "40.01"
    elif case == "decimals":
        amount = "1.001"
    elif case == "zero":
        amount = "0"
    elif case == "malformed_code":
        voucher = "<script>"
    body = {"code": voucher} if amount is None else {"code": voucher, "amount": amount}
    before = written()
    error(api.post(f"/bookings/{reference}/vouchers/redeem", body), status, code)
    assert written() == before


def test_overpayment_to_coupon_then_cancel_with_money(api, offer, org):
    who = CustomerFactory(organisation=org)
    date, ticket = offer
    body = api.post(
        "/bookings",
        {"mode": "confirmed", "lines": [line(date, ticket, 3)], "customer_id": who.id},
    ).json()
    reference, line_id = body["reference"], body["lines"][0]["id"]
    api.post(f"/bookings/{reference}/payments", {"amount": "60.00", "method": "terminal"})
    error(api.post(f"/bookings/{reference}/vouchers/overpayment", {}), 409, "coupon_too_large")
    changed = api.post(
        f"/bookings/{reference}/change_quantity", {"line_id": line_id, "quantity": 2}
    )
    assert changed.status_code == 200, changed.content
    coupon = api.post(f"/bookings/{reference}/vouchers/overpayment", {"amount": "5.00"})
    assert coupon.status_code == 201 and coupon.json()["balance"] == "5.00"
    assert coupon.json()["sent_at"] is None and coupon.json()["booking"] == reference
    before = written()
    error(
        api.post(f"/bookings/{reference}/cancel-with-money", {"refund": "50", "coupon": "5.01"}),
        409,
        "money_back_too_large",
    )
    assert written() == before
    done = api.post(
        f"/bookings/{reference}/cancel-with-money",
        {"reason": "storm", "refund": "30.00", "coupon": "25.00"},
        key="c-1",
    )
    assert done.status_code == 200, done.content
    out = done.json()
    assert (out["state"], out["refunded"], out["pay_back_yourself"]) == (
        "cancelled",
        "30.00",
        "30.00",
    )
    assert out["coupon"]["balance"] == "25.00"
    error(api.post(f"/bookings/{reference}/cancel-with-money", {}), 409, "illegal_transition")
