"""Sold out and invalid input are answers, not incidents: not logged; other 4xx are."""

import logging

import pytest

from tests.api.conftest import line
from tests.factories import book, on_sale, staff

pytestmark = pytest.mark.django_db


def test_a_sold_out_answer_is_not_logged_but_a_wrong_token_is(api, org, caplog):
    date, ticket = on_sale(org, capacity=1)
    book(staff(org), date, ticket)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        sold_out = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]})
        api.token = "wrong"
        unauthorised = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket)]})
    assert (sold_out.status_code, unauthorised.status_code) == (409, 401)
    logged = [r.status_code for r in caplog.records if hasattr(r, "status_code")]
    assert logged == [401]
