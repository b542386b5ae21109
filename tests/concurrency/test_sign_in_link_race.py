"""A sign-in link signs in once, however many requests carry it at the same moment
(PostgreSQL, real parallelism).

16 threads spend the same token; every one of them passes the first check before any takes
the lock (a barrier inside the check holds them there), so the row lock and the re-check
under it are what decide: one sign-in, counted in SQL from its audit entries. The control
takes the re-check away and shows all 16 signing in, so the test can fail.
"""

from __future__ import annotations

import importlib
import threading

import pytest
from django.db import connection
from sesame.utils import get_token

from tentative.accounts.actions import customer_user, sign_in_scope, use_sign_in_link
from tests.concurrency.threads import race
from tests.conftest import on_postgres
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db(transaction=True), on_postgres]

# The module, not the function of the same name the package exports.
action = importlib.import_module("tentative.accounts.actions.use_sign_in_link")
THREADS = 16
SIGN_INS_SQL = (
    "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'customer.sign_in' "
    "AND organisation_id = %s"
)


def crowd(org, monkeypatch):  # type: ignore[no-untyped-def]
    CustomerFactory(organisation=org, email="ana@example.org")
    user = customer_user(org.id, "ana@example.org")
    token = get_token(user, scope=sign_in_scope(org.id))
    gate = threading.Barrier(THREADS)
    checked = action.is_customer_user

    def everyone_past_the_first_check(user, organisation_id):  # type: ignore[no-untyped-def]
        answer = checked(user, organisation_id)
        gate.wait(timeout=60)
        return answer

    monkeypatch.setattr(action, "is_customer_user", everyone_past_the_first_check)
    outcomes = race(
        [("use", lambda: use_sign_in_link(org.id, token)) for _ in range(THREADS)],
        threads=THREADS,
    )
    assert not outcomes.unexpected, outcomes.unexpected[:3]
    with connection.cursor() as cursor:
        cursor.execute(SIGN_INS_SQL, [org.id])
        (sign_ins,) = cursor.fetchone()
    return sign_ins, sum(1 for r in outcomes.results if r is not None)


def test_16_requests_with_one_link_sign_in_once(org, monkeypatch):
    sign_ins, users = crowd(org, monkeypatch)
    assert (sign_ins, users) == (1, 1)


def test_control_without_the_recheck_under_the_lock_all_sign_in(org, monkeypatch):
    monkeypatch.setattr(action, "_lock_and_recheck", lambda user, token, scope: user)
    sign_ins, users = crowd(org, monkeypatch)
    assert sign_ins == users == THREADS
